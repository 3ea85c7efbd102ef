/**
 * The policy file format (`shipshape.policy.yaml`), as a zod schema so that every problem in a
 * policy is reported at its line and column like a problem in a spec.
 */
import * as z from 'zod';
import { TIERS } from '../../spec/schema.js';
import { VERSION_PATTERN } from '../../text/semver.js';
import { SEVERITIES } from '../types.js';
import { FIELD_PATTERN } from './fields.js';

export const RULE_SETTINGS = [...SEVERITIES, 'off'] as const;

const text = (what = 'a non-empty string') =>
  z
    .string({ error: `must be ${what}` })
    .trim()
    .min(1, { error: `must be ${what}` });

/** A calendar day, `YYYY-MM-DD`, that exists. */
export function isCalendarDay(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The UTC calendar day of a moment, `YYYY-MM-DD`. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The schema, built on first use: `check` loads this module for every run, and most runs have no
 * policy file to read.
 */
function buildPolicySchema() {
  const setting = z.enum(RULE_SETTINGS, { error: `must be one of ${RULE_SETTINGS.join(', ')}` });
  const ruleSettings = z.record(z.string(), setting, { error: 'must be a mapping of rule ids to error, warn, info or off' });

  /** Globs are relative to the declaring file's folder; one that leaves it could never match. */
  const glob = text('a glob relative to the policy file, e.g. services/search/**').refine(
    (pattern) => !pattern.startsWith('/') && !/^[A-Za-z]:/.test(pattern) && !/(^|\/)\.\.(\/|$)/.test(pattern),
    { error: "must stay inside the policy file's folder (no leading / and no ..): globs are relative to it" },
  );
  const globs = z
    .union([glob, z.array(glob, { error: 'must be a list of globs' }).min(1, { error: 'needs at least one glob' })], {
      error: 'must be a glob or a list of globs, e.g. ["services/search/**"]',
    })
    .transform((value) => (typeof value === 'string' ? [value] : value));

  const tier = z.union(TIERS.map((t) => z.literal(t)) as unknown as [z.ZodLiteral<1>, z.ZodLiteral<2>, z.ZodLiteral<3>], {
    error: 'must be a tier: 1, 2 or 3',
  });

  // A YAML 1.1 file (or a custom tag) can turn `2027-01-31` into a Date; the core schema keeps it a string.
  const day = z
    .union([z.date().transform(utcDay), z.string()], { error: 'must be a date written YYYY-MM-DD, e.g. 2027-01-31' })
    .pipe(z.string().refine(isCalendarDay, { error: 'must be a date written YYYY-MM-DD, e.g. 2027-01-31' }));

  const requirement = z
    .strictObject({
      field: text('a dotted path into the spec, e.g. slo.availability').regex(FIELD_PATTERN, {
        error: 'must be a dotted path into the spec, e.g. slo.availability, models.tiers.0.timeoutMs or models.tiers[*].timeoutMs',
      }),
      min: z.number({ error: 'must be a number' }).optional(),
      max: z.number({ error: 'must be a number' }).optional(),
      equals: z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, a number or true/false' }).optional(),
      present: z.literal(true, { error: 'must be true (use min, max or equals to require a value)' }).optional(),
      when: z.strictObject({ tier: z.union([tier, z.array(tier).min(1, { error: 'needs at least one tier' })]) }).optional(),
      reason: text().optional(),
    })
    .refine((r) => r.min !== undefined || r.max !== undefined || r.equals !== undefined || r.present === true, {
      error: 'needs min, max, equals or present: true',
    })
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, { error: 'min must not exceed max', path: ['max'] });

  const exception = z.strictObject({
    rule: text('a rule id'),
    files: globs.optional(),
    reason: text('a reason: why the rule does not apply here'),
    owner: text('an owner: who answers for this exception'),
    expires: day,
  });

  /** The template pack every project under the policy is generated from, and its lowest version. */
  const template = z
    .strictObject(
      {
        pack: text('a pack name, e.g. service-ts').optional(),
        minVersion: text('a version x.y.z, e.g. 1.4.0').regex(VERSION_PATTERN, { error: 'must be a version x.y.z, e.g. 1.4.0' }).optional(),
      },
      { error: 'must be a mapping: { pack: <name>, minVersion: <x.y.z> }' },
    )
    .refine((t) => t.pack !== undefined || t.minVersion !== undefined, { error: 'needs pack, minVersion or both' });

  const policy = z.strictObject({
    extends: z
      .union([text('a file (./org-policy.yaml) or an npm package name'), z.array(text('a file or an npm package name')).min(1)], {
        error: 'must be a file (./org-policy.yaml), an npm package name, or a list of them',
      })
      .optional(),
    rules: ruleSettings.optional(),
    overrides: z
      .array(z.strictObject({ files: globs, rules: ruleSettings }), { error: 'must be a list of { files, rules } overrides' })
      .optional(),
    require: z.array(requirement, { error: 'must be a list of requirements' }).optional(),
    exceptions: z.array(exception, { error: 'must be a list of exceptions' }).optional(),
    template: template.optional(),
  });
  return policy;
}
let built: ReturnType<typeof buildPolicySchema> | undefined;
export const policySchema = (): ReturnType<typeof buildPolicySchema> => (built ??= buildPolicySchema());

export type PolicyFileData = z.infer<ReturnType<typeof policySchema>>;
