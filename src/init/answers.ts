/**
 * The answers `init` asks for: one catalogue of fields, each with its flag, its prompt, its
 * default and the piece of the spec schema that validates it, so the prompts, the flags, the
 * answers file and the spec can never disagree about what a valid answer is.
 */
import { basename } from 'node:path';
import * as z from 'zod';
import {
  businessSchema,
  DIRECTIONS,
  FAILURE_MODE_KINDS,
  failureModeSchema,
  metadataSchema,
  modelsSchema,
  sloSchema,
  TASK_KINDS,
  taskSchema,
  tierSchema,
  type FailureMode,
  type FailureModeKind,
  type Task,
  type TaskKind,
  type Tier,
} from '../spec/schema.js';
import { taskFailureMode } from '../design/catalog.js';
import { flagOf, QUESTIONS, type ScalarKey } from './questions.js';
import { OWNER_PLACEHOLDER, PROBLEM_PLACEHOLDER } from '../spec/placeholder.js';

export type { ScalarKey } from './questions.js';

export const MODEL_PRESETS = ['tiered', 'single', 'none'] as const;

export type SuccessCriterion = NonNullable<z.infer<typeof businessSchema>['successCriteria']>[number];

/** Everything `init` needs to write a stage-1 spec. */
export interface Answers {
  name: string;
  description?: string;
  owner: string;
  team?: string;
  tier: 1 | 2 | 3;
  problem: string;
  metric: string;
  metricDescription?: string;
  baseline: number;
  target: number;
  direction: (typeof DIRECTIONS)[number];
  successCriteria: SuccessCriterion[];
  availability: number;
  windowDays: number;
  p95Ms: number;
  p99Ms: number;
  peakRps: number;
  dailyRequests: number;
  /** Absent for a classifier: a spec without a task block is one. */
  task?: Task;
  tiers: Tier[];
  confidenceBelow?: number;
  escalationRate?: number;
  costPerRequest: number;
  monthlyBudget: number;
  failureModes: FailureMode[];
}

/** What the defaults may depend on besides earlier answers. */
export interface AnswerContext {
  /** The folder the spec goes in: its name is the default service name. */
  dir: string;
}

/** Answers under construction: scalar answers as they come (anything may still be missing), and the lists. */
export interface Draft extends Partial<Record<ScalarKey, unknown>> {
  successCriteria?: SuccessCriterion[];
  tiers?: Tier[];
  failureModes?: Array<Partial<FailureMode> & Pick<FailureMode, 'kind'>>;
}

type Kind = 'text' | 'number' | 'select' | 'kinds';

export interface Choice<T> {
  value: T;
  name: string;
  description?: string;
}

/** One scalar answer: a flag, a prompt and an answers-file key. */
export interface Field {
  key: ScalarKey;
  /** The flag: the key in kebab-case unless the question names another. */
  flag: string;
  kind: Kind;
  /** The prompt, also the flag's description. */
  message: string;
  /** The piece of the spec schema that decides what a valid answer is. */
  schema: z.ZodType;
  /** Optional answers are prompted for but never reported missing. */
  optional?: boolean;
  choices?: readonly Choice<string | number>[];
  /** The default, from the context and the answers before it: offered at the prompt, taken by --yes. */
  default?: (draft: Draft, context: AnswerContext) => unknown;
  /**
   * What --yes writes when nobody can guess the answer (the problem, the owner): never offered at a
   * prompt, where Enter would accept it, and flagged by `check` until replaced.
   */
  placeholder?: string;
  /** Asked only when this holds for the answers before it. */
  when?: (draft: Draft) => boolean;
  /** A check against the answers before it (the schema piece sees one value only); the problem, or undefined. */
  against?: (value: unknown, draft: Draft) => string | undefined;
}

/** Any text made into a spec id: `My Service_2` -> `my-service-2`. */
export function toId(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Rounds up to two significant digits, so a derived budget reads like one a person would set. */
export function roundUpNicely(value: number): number {
  if (value <= 0) return 0;
  const scale = 10 ** (Math.floor(Math.log10(value)) - 1);
  return Number((Math.ceil(Number((value / scale).toPrecision(12))) * scale).toPrecision(2));
}

const AVAILABILITY_BY_TIER: Record<1 | 2 | 3, number> = { 1: 99.9, 2: 99.5, 3: 99 };
const DEFAULT_FAILURE_MODES: readonly FailureModeKind[] = ['upstream-failure', 'latency-spike', 'bad-output', 'bad-deploy'];

/** What each kind of failure usually looks like: the defaults offered for its description and ranking. */
export const FAILURE_MODE_DEFAULTS: Record<FailureModeKind, Omit<FailureMode, 'id' | 'kind'> & { title: string }> = {
  'upstream-failure': {
    title: 'the model provider fails',
    description: 'The hosted model returns 5xx or refuses connections.',
    likelihood: 'medium',
    impact: 'high',
  },
  'latency-spike': {
    title: 'the model gets slow',
    description: 'Model latency climbs far past its timeout during provider incidents.',
    likelihood: 'high',
    impact: 'medium',
  },
  'bad-output': {
    title: 'the model answers badly',
    description: 'The model answers with output that is malformed or not what we asked for.',
    likelihood: 'medium',
    impact: 'medium',
  },
  'bad-deploy': {
    title: 'a release makes it worse',
    description: 'A new prompt, model or code version performs worse than the one in production.',
    likelihood: 'medium',
    impact: 'high',
  },
  'data-drift': {
    title: 'the inputs change',
    description: 'The mix of inputs shifts away from what the models were tuned on.',
    likelihood: 'medium',
    impact: 'medium',
  },
  'cost-overrun': {
    title: 'the bill runs away',
    description: 'Escalations or traffic push model spend past the budget.',
    likelihood: 'low',
    impact: 'medium',
  },
  'traffic-surge': {
    title: 'traffic surges',
    description: 'Traffic jumps well past the expected peak.',
    likelihood: 'low',
    impact: 'high',
  },
};

/**
 * A failure mode of a kind, with the defaults for everything not given: the task's own failure
 * mode of that kind when it has one (a rag service's bad output is an ungrounded answer).
 */
export function failureModeOf(kind: FailureModeKind, given: Partial<FailureMode> = {}, task: TaskKind = 'classify'): FailureMode {
  const own = taskFailureMode(task, kind);
  const { title: _title, ...defaults } = FAILURE_MODE_DEFAULTS[kind];
  const base = own
    ? { id: own.id, description: own.description, likelihood: own.likelihood, impact: own.impact }
    : { id: kind, ...defaults };
  return { ...base, kind, ...stripUndefined(given) };
}

/** The failure modes offered by default: the common four, and the inputs drifting for a rag service (its empty retrievals). */
export function defaultFailureModes(task: TaskKind): FailureModeKind[] {
  return task === 'rag' ? [...DEFAULT_FAILURE_MODES, 'data-drift'] : [...DEFAULT_FAILURE_MODES];
}

/** The task block the answers describe; none for a classifier, the default. */
export function taskOf(draft: Draft, tiers: readonly Tier[]): Task | undefined {
  if (draft.task === 'rag') {
    return {
      kind: 'rag',
      rag: {
        corpus: typeof draft.corpus === 'string' ? draft.corpus : DEFAULT_CORPUS,
        chunking: { maxChars: 800, overlapChars: 100 },
        retriever: { kind: 'embedded', topK: 4 },
        citations: { min: 1 },
        grounding: { minSupport: 0.5 },
      },
    };
  }
  if (draft.task === 'extract') {
    return {
      kind: 'extract',
      extract: {
        schema: typeof draft.extractSchema === 'string' ? draft.extractSchema : DEFAULT_EXTRACT_SCHEMA,
        // A second tier is the natural retry for an output that violates the schema.
        onViolation: tiers.length > 1 ? 'escalate' : 'retry',
      },
    };
  }
  return undefined;
}

const DEFAULT_CORPUS = 'corpus';
const DEFAULT_EXTRACT_SCHEMA = 'schemas/output.schema.json';
const taskOfDraft = (draft: Draft): TaskKind =>
  (TASK_KINDS as readonly unknown[]).includes(draft.task) ? (draft.task as TaskKind) : 'classify';

/** The local tier's model a task starts from: the generated pack implements each. */
const LOCAL_MODELS: Record<TaskKind, string> = {
  classify: 'keyword-router-v1',
  rag: 'extractive-reader-v1',
  extract: 'pattern-extractor-v1',
};

/** The success criterion offered first: the business metric at its target. */
export function targetCriterion(draft: Pick<Answers, 'metric' | 'target' | 'direction'>): SuccessCriterion {
  const bound = draft.direction === 'decrease' ? 'max' : 'min';
  return {
    id: toId(draft.metric.replace(/_/g, '-')) || 'business-target',
    description: `${draft.metric} ${draft.direction === 'decrease' ? 'at or below' : 'at or above'} its target of ${draft.target}.`,
    metric: draft.metric,
    [bound]: draft.target,
  };
}

/** The expected cost of one request from the tier prices (the cascade arithmetic of design/budget.ts). */
export function expectedCostPerRequest(tiers: readonly Tier[], escalationRate: number | undefined): number {
  if (tiers.length === 0) return 0;
  if (tiers.length === 1) return tiers[0]!.costPerRequestUsd;
  const rate = escalationRate ?? 1;
  return tiers.reduce((sum, tier, index) => sum + tier.costPerRequestUsd * rate ** index, 0);
}

/** The tiers a model preset stands for, from the answers about them. */
export function presetTiers(draft: Draft): Tier[] {
  const num = (key: ScalarKey, fallback: number): number => (typeof draft[key] === 'number' ? (draft[key] as number) : fallback);
  const str = (key: ScalarKey, fallback: string): string => (typeof draft[key] === 'string' ? (draft[key] as string) : fallback);
  const strong = (name: string): Tier => ({
    name,
    kind: 'http',
    model: str('strongModel', 'gpt-4o-mini'),
    endpoint: str('endpoint', '${LLM_URL}'),
    ...(typeof draft.apiKey === 'string' ? { apiKey: draft.apiKey } : {}),
    timeoutMs: num('strongTimeoutMs', 900),
    costPerRequestUsd: num('strongCost', 0.004),
  });
  if (draft.models === 'none') return [];
  if (draft.models === 'single') return [strong('main')];
  return [
    {
      name: 'fast',
      kind: 'local',
      model: str('fastModel', LOCAL_MODELS[taskOfDraft(draft)]),
      timeoutMs: num('fastTimeoutMs', 50),
      costPerRequestUsd: num('fastCost', 0),
    },
    strong('strong'),
  ];
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const tiered = (draft: Draft) => draft.models === 'tiered' && draft.tiers === undefined;
const remote = (draft: Draft) => (draft.models === 'tiered' || draft.models === 'single') && draft.tiers === undefined;
const p95 = (draft: Draft) => (typeof draft.p95Ms === 'number' ? draft.p95Ms : 1200);
const tierOf = (draft: Draft): 1 | 2 | 3 => (draft.tier === 1 || draft.tier === 3 ? draft.tier : 2);
const optionalText = (schema: z.ZodType) => schema.optional();

type FieldSpec = Omit<Field, 'flag' | 'message'>;

const FIELD_SPECS: readonly FieldSpec[] = [
  {
    key: 'name',
    kind: 'text',
    schema: metadataSchema.shape.name,
    default: (_draft, context) => toId(basename(context.dir)) || 'my-service',
  },
  {
    key: 'description',
    kind: 'text',
    schema: optionalText(metadataSchema.shape.description),
    optional: true,
  },
  {
    key: 'owner',
    kind: 'text',
    schema: metadataSchema.shape.owner,
    placeholder: OWNER_PLACEHOLDER,
  },
  { key: 'team', kind: 'text', schema: optionalText(metadataSchema.shape.team), optional: true },
  {
    key: 'tier',
    kind: 'select',
    schema: metadataSchema.shape.tier,
    choices: [
      { value: 1, name: '1 business critical', description: 'Pages someone at night; automatic rollback required.' },
      { value: 2, name: '2 important', description: 'Business hours support.' },
      { value: 3, name: '3 experimental', description: 'Best effort.' },
    ],
    default: () => 2,
  },
  {
    key: 'problem',
    kind: 'text',
    schema: businessSchema.shape.problem,
    placeholder: PROBLEM_PLACEHOLDER,
  },
  {
    key: 'metric',
    kind: 'text',
    schema: businessSchema.shape.metric.shape.name,
    default: () => 'task_success_rate',
  },
  {
    key: 'metricDescription',
    kind: 'text',
    schema: optionalText(businessSchema.shape.metric.shape.description),
    optional: true,
  },
  {
    key: 'baseline',
    kind: 'number',
    schema: businessSchema.shape.metric.shape.baseline,
    default: () => 0.7,
  },
  {
    key: 'target',
    kind: 'number',
    schema: businessSchema.shape.metric.shape.target,
    default: (draft) => (typeof draft.baseline === 'number' && draft.baseline !== 0.7 ? undefined : 0.85),
  },
  {
    key: 'direction',
    kind: 'select',
    schema: businessSchema.shape.metric.shape.direction,
    choices: DIRECTIONS.map((d) => ({ value: d, name: d })),
    default: (draft) =>
      typeof draft.baseline === 'number' && typeof draft.target === 'number' && draft.target < draft.baseline ? 'decrease' : 'increase',
  },
  {
    key: 'availability',
    kind: 'number',
    schema: sloSchema.shape.availability,
    default: (draft) => AVAILABILITY_BY_TIER[tierOf(draft)],
  },
  {
    key: 'windowDays',
    kind: 'number',
    schema: sloSchema.shape.windowDays.unwrap(),
    default: () => 30,
  },
  {
    key: 'p95Ms',
    kind: 'number',
    schema: sloSchema.shape.latency.shape.p95Ms,
    default: () => 1200,
  },
  {
    key: 'p99Ms',
    kind: 'number',
    schema: sloSchema.shape.latency.shape.p99Ms,
    default: (draft) => p95(draft) * 2,
    // check's latency-order rule, asked at the source: no distribution has p95 above p99.
    against: (value, draft) =>
      typeof value === 'number' && value < p95(draft)
        ? `must be at least the p95 latency (${p95(draft)} ms): a 99th percentile is never below the 95th`
        : undefined,
  },
  {
    key: 'peakRps',
    kind: 'number',
    schema: businessSchema.shape.expectedLoad.unwrap().shape.peakRps,
    default: () => 10,
  },
  {
    key: 'dailyRequests',
    kind: 'number',
    schema: businessSchema.shape.expectedLoad.unwrap().shape.dailyRequests,
    // A daily average around a quarter of the peak rate is typical of business-hours traffic.
    default: (draft) => Math.round(((typeof draft.peakRps === 'number' ? draft.peakRps : 10) * 86_400) / 4),
  },
  {
    key: 'task',
    kind: 'select',
    schema: taskSchema.shape.kind,
    choices: [
      { value: 'classify', name: 'classify: put each input in one of a set of labels', description: 'A ticket triage, a router.' },
      {
        value: 'rag',
        name: 'rag: answer questions from a folder of documents, with citations',
        description: 'A helpdesk over the docs; answers that the cited passages do not support count as bad output.',
      },
      {
        value: 'extract',
        name: 'extract: turn text into JSON valid against a JSON Schema',
        description: 'Invoices, forms; output that violates the schema counts as bad output.',
      },
    ],
    // Optional: a spec without a task is a classifier, so scripts written before the question still run.
    optional: true,
    default: () => 'classify',
  },
  {
    key: 'corpus',
    kind: 'text',
    schema: taskSchema.shape.rag.unwrap().shape.corpus,
    default: () => DEFAULT_CORPUS,
    when: (draft) => draft.task === 'rag',
  },
  {
    key: 'extractSchema',
    kind: 'text',
    schema: taskSchema.shape.extract.unwrap().shape.schema,
    default: () => DEFAULT_EXTRACT_SCHEMA,
    when: (draft) => draft.task === 'extract',
  },
  {
    key: 'models',
    kind: 'select',
    schema: z.enum(MODEL_PRESETS, { error: `must be one of ${MODEL_PRESETS.join(', ')}` }),
    choices: [
      {
        value: 'tiered',
        name: 'tiered: a fast local tier, escalating to a strong http tier',
        description: 'Cheap and fast for most requests.',
      },
      { value: 'single', name: 'single: one http model', description: 'Simplest; every request pays for the model.' },
      { value: 'none', name: 'none: decide later', description: 'Stage 2 asks for the tiers.' },
    ],
    default: () => 'tiered',
    when: (draft) => draft.tiers === undefined,
  },
  {
    key: 'fastModel',
    kind: 'text',
    schema: tierSchema.shape.model,
    default: (draft) => LOCAL_MODELS[taskOfDraft(draft)],
    when: tiered,
  },
  {
    key: 'fastTimeoutMs',
    kind: 'number',
    schema: tierSchema.shape.timeoutMs,
    default: () => 50,
    when: tiered,
  },
  {
    key: 'fastCost',
    kind: 'number',
    schema: tierSchema.shape.costPerRequestUsd,
    default: () => 0,
    when: tiered,
  },
  {
    key: 'strongModel',
    kind: 'text',
    schema: tierSchema.shape.model,
    default: () => 'gpt-4o-mini',
    when: remote,
  },
  {
    key: 'endpoint',
    kind: 'text',
    schema: tierSchema.shape.endpoint.unwrap(),
    default: () => '${LLM_URL}',
    when: remote,
  },
  {
    // Optional, with no default: a server of your own may take no key, and Enter must not invent one.
    key: 'apiKey',
    kind: 'text',
    schema: optionalText(tierSchema.shape.apiKey.unwrap()),
    optional: true,
    when: remote,
  },
  {
    key: 'strongTimeoutMs',
    kind: 'number',
    schema: tierSchema.shape.timeoutMs,
    // Three quarters of the p95 leaves room for the fast tier and a retry's backoff.
    default: (draft) => Math.round(p95(draft) * 0.75),
    when: remote,
  },
  {
    key: 'strongCost',
    kind: 'number',
    schema: tierSchema.shape.costPerRequestUsd,
    default: () => 0.004,
    when: remote,
  },
  {
    key: 'confidenceBelow',
    kind: 'number',
    schema: modelsSchema.shape.routing.unwrap().shape.escalateWhen.unwrap().shape.confidenceBelow.unwrap(),
    default: () => 0.75,
    when: (draft) => draft.models === 'tiered' || (draft.tiers?.length ?? 0) > 1,
  },
  {
    key: 'escalationRate',
    kind: 'number',
    schema: modelsSchema.shape.routing.unwrap().shape.expectedEscalationRate.unwrap(),
    default: () => 0.3,
    when: (draft) => draft.models === 'tiered' || (draft.tiers?.length ?? 0) > 1,
  },
  {
    key: 'costPerRequest',
    kind: 'number',
    schema: businessSchema.shape.budget.unwrap().shape.costPerRequestUsd.unwrap(),
    // A quarter of headroom over what the tiers are expected to cost.
    default: (draft) => {
      const tiers = draft.tiers ?? presetTiers(draft);
      return tiers.length === 0
        ? 0.01
        : roundUpNicely(expectedCostPerRequest(tiers, typeof draft.escalationRate === 'number' ? draft.escalationRate : undefined) * 1.25);
    },
  },
  {
    key: 'monthlyBudget',
    kind: 'number',
    schema: businessSchema.shape.budget.unwrap().shape.monthlyUsd.unwrap(),
    default: (draft) =>
      typeof draft.costPerRequest === 'number' && typeof draft.dailyRequests === 'number'
        ? roundUpNicely(draft.costPerRequest * draft.dailyRequests * 30)
        : undefined,
  },
  {
    key: 'failureModeKinds',
    kind: 'kinds',
    schema: z.array(z.enum(FAILURE_MODE_KINDS, { error: `must be one of ${FAILURE_MODE_KINDS.join(', ')}` })),
    choices: FAILURE_MODE_KINDS.map((kind) => ({ value: kind, name: `${kind}: ${FAILURE_MODE_DEFAULTS[kind].title}` })),
    default: (draft) => defaultFailureModes(taskOfDraft(draft)),
    when: (draft) => draft.failureModes === undefined,
  },
];

export const FIELDS: readonly Field[] = FIELD_SPECS.map((spec) => ({
  ...spec,
  flag: flagOf(spec.key),
  message: QUESTIONS[spec.key].message,
}));
export const FIELDS_BY_KEY: ReadonlyMap<ScalarKey, Field> = new Map(FIELDS.map((f) => [f.key, f]));

/** The ways of saying "none" to an optional list, e.g. `--failure-modes none`. */
const NONE = new Set(['', 'none', '-']);

/**
 * Turns typed or flag text into the value a field holds (a number, a list of kinds) and validates
 * it with the field's piece of the spec schema. Returns the zod message when it is not valid.
 */
export function parseAnswer(field: Field, raw: unknown): { value?: unknown; error?: string } {
  let value = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (field.kind === 'number' || (field.kind === 'select' && typeof field.choices?.[0]?.value === 'number')) {
      // Empty and non-numeric text become values zod rejects with the field's own message.
      value = text === '' ? undefined : Number(text);
    } else if (field.kind === 'kinds') {
      value = NONE.has(text.toLowerCase())
        ? []
        : text
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
    } else {
      value = field.optional && NONE.has(text.toLowerCase()) ? undefined : text;
    }
  }
  const result = field.schema.safeParse(value);
  if (result.success) return { value: result.data };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` (${issue.path.join('.')})` : '';
  return { error: `${issue?.message ?? 'is not valid'}${where}` };
}

/**
 * The schema of an answers file (`--answers`): the scalar answers under their camelCase names,
 * plus full lists of success criteria and tiers, and failure modes of which only `kind` is
 * required. Each value is validated with the same schema piece as its prompt.
 */
/**
 * An answer as its flag would give it is read as the flag is: `tier: "1"` and `p95Ms: "1200"` are
 * numbers, `team: none` is no team.
 */
function flagShaped(field: Field): z.ZodType {
  const numeric = field.kind === 'number' || (field.kind === 'select' && typeof field.choices?.[0]?.value === 'number');
  return z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    const text = value.trim();
    if (numeric) return text === '' || Number.isNaN(Number(text)) ? value : Number(text);
    return field.optional && NONE.has(text.toLowerCase()) ? undefined : value;
  }, field.schema);
}

/**
 * Failure modes as --failure-modes takes them (`upstream-failure,bad-output`, or `none`), as a
 * list of kinds, or as a list of failure modes with any of id, description, likelihood and impact.
 */
const failureModesAnswer = z.preprocess(
  (value, context) => {
    const items =
      typeof value === 'string'
        ? NONE.has(value.trim().toLowerCase())
          ? []
          : value
              .split(',')
              .map((kind) => kind.trim())
              .filter(Boolean)
        : value;
    if (!Array.isArray(items)) return items;
    // A kind given as text is judged here, at the value: there is no kind field to point at.
    const unknown = items.filter(
      (item): item is string => typeof item === 'string' && !(FAILURE_MODE_KINDS as readonly string[]).includes(item),
    );
    if (unknown.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `lists ${unknown.map((kind) => `"${kind}"`).join(', ')}, not ${unknown.length === 1 ? 'a failure mode kind' : 'failure mode kinds'} (one of ${FAILURE_MODE_KINDS.join(', ')})`,
        input: value,
      });
      return value;
    }
    return items.map((item: unknown) => (typeof item === 'string' ? { kind: item } : item));
  },
  z.array(failureModeSchema.partial({ id: true, likelihood: true, impact: true }), {
    error: 'must be kinds (upstream-failure,bad-output) or a list of failure modes ({ kind, id, description, likelihood, impact })',
  }),
);

export const answersFileSchema = z.strictObject({
  ...Object.fromEntries(FIELDS.filter((f) => f.kind !== 'kinds').map((f) => [f.key, flagShaped(f).optional()] as const)),
  successCriteria: z
    .array(businessSchema.shape.successCriteria.unwrap().element, { error: 'must be a list of success criteria' })
    .optional(),
  tiers: modelsSchema.shape.tiers.optional(),
  failureModes: failureModesAnswer.optional(),
});

/** The shape of an answers file, for the hint when one is refused. */
export const ANSWERS_SHAPE =
  'Answers are the flags in camelCase (p95Ms: 1200 for --p95-ms 1200; tier: 1; apiKey: ${LLM_API_KEY}), plus failureModes (as the flag takes them, upstream-failure,bad-output, or a list of { kind, id, description, likelihood, impact }), successCriteria (a list of { id, metric, min or max, description }) and tiers (a list as in the spec).';

export type AnswersFile = z.infer<typeof answersFileSchema>;
