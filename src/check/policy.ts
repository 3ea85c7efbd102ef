/**
 * Policy files: how a tech lead sets rule severities, overrides by glob, required minimums and
 * dated exceptions across many repos (`--policy FILE`, or shipshape.policy.yaml found upward).
 * The file format and its loading live in ./policy/; this module answers the engine's questions.
 */
import { statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { insideRoot } from '../fs/paths.js';
import type { Spec } from '../spec/schema.js';
import { locate, type ParsedYaml } from '../spec/yaml-file.js';
import { displayPath } from '../fs/paths.js';
import { formatPath, valueAt } from '../spec/doc-path.js';
import { EVERY, expandField } from './policy/fields.js';
import { loadPolicyData, POLICY_FILE, type RequireEntry, type TemplatePolicy } from './policy/load.js';
import { utcDay } from './policy/schema.js';
import type { Finding, RuleMeta, RuleSetting } from './types.js';

export { POLICY_FILE, type TemplatePolicy };

export interface ResolvedPolicy {
  /** Every file of the extends chain, root policy first: the file loaded, then its bases in the order they are reached. */
  sources: string[];
  /** The rule's setting for a spec (absolute path): `rules`, then matching overrides in order; undefined = the rule's default. */
  settingFor(ruleId: string, specFile: string): RuleSetting | undefined;
  /**
   * Findings (ruleId 'policy-require', severity error) for requirements this spec does not meet.
   * `parsed` is the spec's ParsedYaml (for the range), `displayFile` goes into Finding.file.
   */
  requirements(spec: Spec, parsed: ParsedYaml, specFile: string, displayFile: string): Finding[];
  /** The live exception covering this rule for this spec, if any (expired ones never cover). */
  exceptionFor(ruleId: string, specFile: string, today: Date): Finding['exception'] | undefined;
  /**
   * One error Finding (ruleId 'policy-exception-expired') per expired exception, located at its
   * `expires` in the policy file that declared it (Finding.file relative to `cwd` when inside it).
   */
  expiredExceptions(today: Date, cwd: string): Finding[];
  /** The template pack projects must be generated from (`template`), when the policy names one or a minimum version. */
  template?: TemplatePolicy;
}

export const POLICY_RULES: RuleMeta[] = [
  {
    id: 'policy-require',
    description:
      'The spec meets the minimums its policy file requires (`require`): a field present, at least, at most or equal to a value.',
    defaultSeverity: 'error',
    stage: 1,
    rationale:
      'A tech lead answers for many services at once. Writing the floor down once (three nines for tier 1, automatic rollback, a timeout per tier) and checking it in every repo replaces a review comment that would otherwise be made, and missed, service by service.',
    hint: 'Change the field to meet the requirement, or ask the policy owner for a dated exception to policy-require.',
    examples: {
      pass: `# shipshape.policy.yaml
require:
  - { field: slo.availability, min: 99.9, when: { tier: 1 } }
# shipshape.yaml
metadata: { name: support-triage, owner: lead@example.com, tier: 1 }
slo: { availability: 99.95 }`,
      fail: `# shipshape.policy.yaml
require:
  - { field: slo.availability, min: 99.9, when: { tier: 1 } }
# shipshape.yaml
metadata: { name: support-triage, owner: lead@example.com, tier: 1 }
slo: { availability: 99.5 }`,
    },
  },
  {
    id: 'policy-exception-expired',
    description: 'Every exception in the policy file is still live: none has passed its `expires` date.',
    defaultSeverity: 'error',
    stage: 1,
    rationale:
      'An exception is a debt with a due date. Once it expires it no longer covers its findings, and the exception itself is reported, so that it is renewed with a fresh sign-off or removed, instead of lingering as a blanket waiver nobody remembers granting.',
    hint: 'Renew the exception with a later `expires` and a fresh sign-off from its owner, or fix its findings and delete it.',
    examples: {
      pass: `exceptions:
  - rule: cost-budget
    reason: Search pays for itself; finance signed off.
    owner: jane@example.com
    expires: 2099-01-31`,
      fail: `exceptions:
  - rule: cost-budget
    reason: Search pays for itself; finance signed off.
    owner: jane@example.com
    expires: 2020-01-31`,
    },
  },
];

/**
 * The nearest shipshape.policy.yaml from `startDir` upward to the file system root. Pass one
 * `cache` for a whole run: every folder on the way up is remembered, so a thousand sibling specs
 * cost a thousand and a few stats instead of a thousand times the depth.
 */
export function findPolicy(startDir: string, cache = new Map<string, string | undefined>()): string | undefined {
  const visited: string[] = [];
  let dir = resolve(startDir);
  let found: string | undefined;
  for (;;) {
    if (cache.has(dir)) {
      found = cache.get(dir);
      break;
    }
    visited.push(dir);
    const candidate = join(dir, POLICY_FILE);
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) {
      found = candidate;
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const folder of visited) cache.set(folder, found);
  return found;
}

/**
 * Whether a spec falls under `globs`, relative to `dir` (forward slashes). A glob that names a
 * folder covers what is inside it, as in .gitignore; a spec outside `dir` never matches.
 */
function globMatcher(globs: readonly string[], dir: string): (specFile: string) => boolean {
  const isMatch = picomatch([...globs], { dot: true });
  return (specFile) => {
    const rel = insideRoot(dir, resolve(specFile));
    if (rel === undefined) return false;
    const parts = rel.split('/');
    for (let i = parts.length; i > 0; i--) {
      if (isMatch(parts.slice(0, i).join('/'))) return true;
    }
    return false;
  };
}

const show = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

function expectation(requirement: RequireEntry): string {
  const { min, max, equals } = requirement;
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
  if (min !== undefined) return `at least ${min}`;
  if (max !== undefined) return `at most ${max}`;
  if (equals !== undefined) return show(equals);
  return 'a value';
}

/** What is wrong with `value` under `requirement`, or undefined when it is met. */
function unmet(requirement: RequireEntry, value: unknown): string | undefined {
  if (value === undefined || value === null) return 'missing';
  const { min, max, equals } = requirement;
  const number = typeof value === 'number' ? value : undefined;
  if (min !== undefined && (number === undefined || number < min)) return 'range';
  if (max !== undefined && (number === undefined || number > max)) return 'range';
  if (equals !== undefined && value !== equals) return 'range';
  return undefined;
}

export async function loadPolicy(path: string, options: { knownRuleIds: readonly string[] }): Promise<ResolvedPolicy> {
  const data = await loadPolicyData(path, options.knownRuleIds);
  const overrides = data.overrides.map((override) => ({ ...override, matches: globMatcher(override.files, override.dir) }));
  const exceptions = data.exceptions.map((exception) => ({
    ...exception,
    matches: exception.files ? globMatcher(exception.files, exception.dir) : () => true,
  }));

  return {
    sources: data.sources,
    ...(data.template ? { template: data.template } : {}),

    settingFor(ruleId, specFile) {
      let setting = data.rules.get(ruleId);
      for (const override of overrides) {
        const own = Object.prototype.hasOwnProperty.call(override.rules, ruleId) ? override.rules[ruleId] : undefined;
        if (own !== undefined && override.matches(specFile)) setting = own;
      }
      return setting;
    },

    requirements(spec, parsed, specFile, displayFile) {
      const findings: Finding[] = [];
      const tier = spec.metadata.tier;
      for (const requirement of data.require) {
        if (requirement.tiers && !requirement.tiers.includes(tier)) continue;
        for (const path of expandField(spec, requirement.path)) {
          const value = valueAt(spec, path);
          const problem = unmet(requirement, value);
          if (!problem) continue;
          // A * stands for each item: the finding names the one that fails.
          const field = requirement.path.includes(EVERY) ? formatPath(path) : requirement.field;
          const forTier = requirement.tiers ? ` for tier ${tier}` : '';
          const why = requirement.reason ? ` (${requirement.reason})` : '';
          const message =
            problem === 'missing'
              ? `${field} is required by policy${forTier}${why}`
              : `${field} is ${show(value)}; policy requires ${expectation(requirement)}${forTier}${why}`;
          const source = relative(dirname(resolve(specFile)), requirement.source)
            .split(sep)
            .join('/');
          findings.push({
            ruleId: 'policy-require',
            severity: 'error',
            message,
            hint: `Set ${field} to ${expectation(requirement)}, or ask for an exception to policy-require in ${source}.`,
            file: displayFile,
            range: locate(parsed, path),
            path,
          });
        }
      }
      return findings;
    },

    exceptionFor(ruleId, specFile, today) {
      const day = utcDay(today);
      const live = exceptions.find((e) => e.rule === ruleId && e.expires >= day && e.matches(specFile));
      return live && { reason: live.reason, owner: live.owner, expires: live.expires, source: live.source };
    },

    expiredExceptions(today, cwd) {
      const day = utcDay(today);
      return exceptions
        .filter((exception) => exception.expires < day)
        .map((exception) => ({
          ruleId: 'policy-exception-expired',
          severity: 'error' as const,
          message: `the exception for ${exception.rule} (owner ${exception.owner}: ${exception.reason}) expired on ${exception.expires}; it no longer covers its findings`,
          hint: POLICY_RULES[1]!.hint,
          file: displayPath(exception.source, resolve(cwd)),
          range: exception.expiresRange,
          path: exception.expiresPath,
        }));
    },
  };
}
