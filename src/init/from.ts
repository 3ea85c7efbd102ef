/**
 * `init --from NAME` with answer flags: the bundled example, with each flag's value written over the example's at
 * the field the answer fills (comments and layout kept). Answers that would rebuild whole lists the example's other
 * sections point at (its model preset, its failure modes) are refused rather than half applied.
 */
import { UserError } from '../errors.js';
import { applyEdits, type SpecEdit } from '../spec/edit.js';
import { valueAt } from '../spec/doc-path.js';
import type { Spec } from '../spec/schema.js';
import { FIELDS_BY_KEY, parseAnswer, type Draft } from './answers.js';
import type { ScalarKey } from './questions.js';

type Path = readonly (string | number)[];

/** Where each answer lives in a spec; a function when it depends on the example (which tier is the local one). */
const ANSWER_PATHS: Partial<Record<ScalarKey, Path | ((spec: Spec) => Path | string)>> = {
  name: ['metadata', 'name'],
  description: ['metadata', 'description'],
  owner: ['metadata', 'owner'],
  team: ['metadata', 'team'],
  tier: ['metadata', 'tier'],
  problem: ['business', 'problem'],
  metric: ['business', 'metric', 'name'],
  metricDescription: ['business', 'metric', 'description'],
  baseline: ['business', 'metric', 'baseline'],
  target: ['business', 'metric', 'target'],
  direction: ['business', 'metric', 'direction'],
  availability: ['slo', 'availability'],
  windowDays: ['slo', 'windowDays'],
  p95Ms: ['slo', 'latency', 'p95Ms'],
  p99Ms: ['slo', 'latency', 'p99Ms'],
  peakRps: ['business', 'expectedLoad', 'peakRps'],
  dailyRequests: ['business', 'expectedLoad', 'dailyRequests'],
  costPerRequest: ['business', 'budget', 'costPerRequestUsd'],
  monthlyBudget: ['business', 'budget', 'monthlyUsd'],
  fastModel: tierField('local', 'model'),
  fastTimeoutMs: tierField('local', 'timeoutMs'),
  fastCost: tierField('local', 'costPerRequestUsd'),
  strongModel: tierField('http', 'model'),
  endpoint: tierField('http', 'endpoint'),
  apiKey: tierField('http', 'apiKey'),
  strongTimeoutMs: tierField('http', 'timeoutMs'),
  strongCost: tierField('http', 'costPerRequestUsd'),
  confidenceBelow: (spec) =>
    spec.models?.routing?.strategy === 'cascade'
      ? ['models', 'routing', 'escalateWhen', 'confidenceBelow']
      : 'the example routes to a single tier',
  escalationRate: (spec) =>
    spec.models?.routing?.strategy === 'cascade' ? ['models', 'routing', 'expectedEscalationRate'] : 'the example routes to a single tier',
};

function tierField(kind: 'local' | 'http', field: string): (spec: Spec) => Path | string {
  return (spec) => {
    const tiers = spec.models?.tiers ?? [];
    const matching = tiers.flatMap((tier, index) => (tier.kind === kind ? [index] : []));
    if (matching.length !== 1) return `the example has ${matching.length === 0 ? 'no' : 'more than one'} ${kind} tier`;
    return ['models', 'tiers', matching[0]!, field];
  };
}

/** The example's text with the answers given as flags written over it; refuses answers it cannot place. */
export function overrideExample(text: string, example: Spec, flags: Partial<Record<ScalarKey, string>>): string {
  const edits: SpecEdit[] = [];
  const problems: string[] = [];
  const given: Array<{ key: ScalarKey; value: unknown }> = [];
  const paths = new Map<ScalarKey, Path>();
  for (const [key, raw] of Object.entries(flags) as Array<[ScalarKey, string | undefined]>) {
    const field = FIELDS_BY_KEY.get(key);
    if (raw === undefined || !field) continue;
    const where = ANSWER_PATHS[key];
    const path = typeof where === 'function' ? where(example) : where;
    if (path === undefined) {
      problems.push(
        `--${field.flag} cannot be combined with --from: it would rebuild the example's ${key === 'models' ? 'model tiers' : 'failure modes'}, which its other sections refer to`,
      );
      continue;
    }
    if (typeof path === 'string') {
      problems.push(`--${field.flag} has nothing to change: ${path}`);
      continue;
    }
    const parsed = parseAnswer(field, raw);
    if (parsed.error) problems.push(`--${field.flag} ${parsed.error}`);
    else {
      given.push({ key, value: parsed.value });
      paths.set(key, path);
    }
  }
  // The checks between answers (a p99 below the p95, a target on the wrong side of the baseline) see the example's
  // values where no flag replaced them.
  const draft: Draft = {};
  for (const [key, where] of Object.entries(ANSWER_PATHS) as Array<[ScalarKey, NonNullable<(typeof ANSWER_PATHS)[ScalarKey]>]>) {
    const path = typeof where === 'function' ? where(example) : where;
    if (typeof path !== 'string') draft[key] = valueAt(example, path);
  }
  for (const { key, value } of given) draft[key] = value;
  for (const { key, value } of given) {
    const field = FIELDS_BY_KEY.get(key)!;
    const conflict = field.against?.(value, draft);
    if (conflict) problems.push(`--${field.flag} ${conflict}`);
    else if (value === undefined) problems.push(`--${field.flag} none cannot remove the example's value: edit the spec once it is written`);
    else edits.push({ path: paths.get(key)!, value });
  }
  if (problems.length > 0) {
    throw new UserError(problems.length === 1 ? problems[0]! : `invalid answers:\n  ${problems.join('\n  ')}`, {
      hint: `Fix or drop these flags; anything else can be edited in the spec once it is written.`,
    });
  }
  return applyEdits(text, edits).text;
}
