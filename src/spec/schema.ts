/**
 * The shipshape/v1 spec as a zod schema: the source of the TypeScript types, of the JSON
 * Schema (`shipshape schema`) and of the rules `init` validates answers with.
 *
 * The field names of ../shared/examples/support-triage.yaml are a contract with users: add
 * fields, never rename or repurpose them. Only apiVersion, kind, metadata, business and slo are
 * required; later sections are asked for by `check` as the project reaches their stage.
 * What each field means is in field-docs.ts (a test holds every field to an entry there), so that
 * validating a spec does not build a description per field.
 */
import * as z from 'zod';

// zod's JIT compiles each object schema on first use: ~20 ms for one spec, which is most of a
// `check` run; the interpreter is faster for a CLI that parses a few documents per process.
z.config({ jitless: true });

export const API_VERSION = 'shipshape/v1';

/**
 * zod schemas are immutable, so a field type used in many places is built once: constructing
 * ~180 near-identical instances was a fifth of the schema's start-up cost.
 */
function shared<S>(make: (what?: string) => S): (what?: string) => S {
  const built = new Map<string | undefined, S>();
  return (what) => {
    let schema = built.get(what);
    if (schema === undefined) built.set(what, (schema = make(what)));
    return schema;
  };
}

const positive = shared((what = 'a positive number') => z.number({ error: `must be ${what}` }).positive({ error: `must be ${what}` }));
const positiveInt = shared((what = 'a positive whole number') =>
  z
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .positive({ error: `must be ${what}` }),
);
const nonNegative = shared((what = 'a number of 0 or more') => z.number({ error: `must be ${what}` }).min(0, { error: `must be ${what}` }));
const nonNegativeInt = shared((what = 'a whole number of 0 or more') =>
  z
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .min(0, { error: `must be ${what}` }),
);
const fraction = shared((what = 'a fraction between 0 and 1') =>
  z
    .number({ error: `must be ${what}` })
    .min(0, { error: `must be ${what}` })
    .max(1, { error: `must be ${what}` }),
);
const percent = shared((what = 'a percentage between 0 and 100') =>
  z
    .number({ error: `must be ${what}` })
    .min(0, { error: `must be ${what}` })
    .max(100, { error: `must be ${what}` }),
);
const text = shared((what = 'a non-empty string') =>
  z
    .string({ error: `must be ${what}` })
    .trim()
    .min(1, { error: `must be ${what}` }),
);
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

/** ids are referenced across the spec and become metric labels and file names. */
const ID_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const id = shared(() =>
  z
    .string({ error: 'must be an id (lower-case letters, digits and dashes)' })
    .regex(ID_PATTERN, { error: 'must be an id (lower-case letters, digits and dashes, e.g. llm-outage)' }),
);

/** Metric names become Prometheus series names. */
export const METRIC_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const metricName = shared(() =>
  z
    .string({ error: 'must be a metric name' })
    .regex(METRIC_NAME_PATTERN, { error: 'must be a metric name (letters, digits and underscores, e.g. routing_accuracy)' }),
);

/** `${ENV_VAR}`: how endpoints and keys appear in a spec. */
export const ENV_REF_PATTERN = /^\$\{[A-Z_][A-Z0-9_]*\}$/;

/** A threshold: `{ min: N }`, `{ max: N }` or both. */
export const threshold = () =>
  z
    .strictObject({ min: z.number({ error: 'must be a number' }).optional(), max: z.number({ error: 'must be a number' }).optional() })
    .refine((t) => t.min !== undefined || t.max !== undefined, { error: 'needs min or max' })
    .refine((t) => t.min === undefined || t.max === undefined || t.min <= t.max, { error: 'min must not exceed max' });

export const TIERS = [1, 2, 3] as const;
export const DIRECTIONS = ['increase', 'decrease'] as const;
export const LEVELS = ['low', 'medium', 'high'] as const;
export const FAILURE_MODE_KINDS = [
  'upstream-failure',
  'latency-spike',
  'bad-output',
  'bad-deploy',
  'data-drift',
  'cost-overrun',
  'traffic-surge',
] as const;
export const PATTERN_IDS = [
  'tiered-models',
  'orchestration-layer',
  'timeout',
  'retry-with-backoff',
  'circuit-breaker',
  'bulkhead',
  'graceful-degradation',
  'output-validation',
  'load-shedding',
  'blue-green',
  'canary',
  'automated-rollback',
  'drift-monitoring',
  'prediction-logging',
] as const;
export const TIER_KINDS = ['local', 'http'] as const;
export const ROUTING_STRATEGIES = ['cascade', 'single'] as const;
export const BACKOFFS = ['exponential', 'fixed'] as const;
export const FALLBACK_STRATEGIES = ['lower-tier', 'static', 'cache'] as const;
export const FAULT_TYPES = ['error', 'latency', 'malformed', 'timeout', 'reset', 'slow-body'] as const;
export const DEPLOY_STRATEGIES = ['blue-green', 'canary'] as const;
export const DEPLOY_DRIVERS = ['local', 'kubernetes'] as const;
export const ANALYSIS_METRICS = ['error-rate-percent', 'p95-latency-ms', 'p99-latency-ms', 'availability', 'business'] as const;
export const ROLLOUT_KINDS = ['argo', 'service-switch'] as const;
export const DRIFT_METHODS = ['psi', 'ks'] as const;
/** How a business metric's observations become its value (business.metric.aggregation). */
export const AGGREGATIONS = ['mean', 'percentile', 'rate', 'last'] as const;
/** What the service does (task.kind); a spec without a task block is a classifier. */
export const TASK_KINDS = ['classify', 'rag', 'extract'] as const;
/** Where a rag service finds its passages: the embedded index, or a vector store through its client. */
export const RETRIEVER_KINDS = ['embedded', 'qdrant', 'opensearch', 'pgvector'] as const;
/** What an extract service does with an output that violates its JSON Schema. */
export const VIOLATION_ACTIONS = ['retry', 'escalate', 'fallback'] as const;

export const metadataSchema = z.strictObject({
  name: id(),
  description: text().optional(),
  owner: text(),
  team: text().optional(),
  tier: z.union(TIERS.map((t) => z.literal(t)) as unknown as [z.ZodLiteral<1>, z.ZodLiteral<2>, z.ZodLiteral<3>], {
    error: 'must be 1 (business critical), 2 (important) or 3 (experimental)',
  }),
});

export const businessSchema = z.strictObject({
  problem: text(),
  metric: z
    .strictObject({
      name: metricName(),
      description: text().optional(),
      baseline: z.number({ error: 'must be a number' }),
      target: z.number({ error: 'must be a number' }),
      direction: oneOf(DIRECTIONS),
      aggregation: oneOf(AGGREGATIONS).optional(),
      quantile: z
        .number({ error: 'must be a number between 0 and 1' })
        .gt(0, { error: 'must be a number between 0 and 1' })
        .lt(1, { error: 'must be a number between 0 and 1' })
        .optional(),
    })
    .refine((m) => m.aggregation !== 'percentile' || m.quantile !== undefined, {
      error: 'needs quantile with aggregation: percentile (0.5 for a median)',
      path: ['quantile'],
    })
    .refine((m) => m.quantile === undefined || m.aggregation === 'percentile', {
      error: 'quantile applies only to aggregation: percentile',
      path: ['quantile'],
    }),
  successCriteria: z
    .array(
      z.strictObject({
        id: id(),
        description: text().optional(),
        metric: metricName(),
        min: z.number({ error: 'must be a number' }).optional(),
        max: z.number({ error: 'must be a number' }).optional(),
      }),
      { error: 'must be a list of success criteria' },
    )
    .min(1, { error: 'needs at least one success criterion' })
    .optional(),
  budget: z
    .strictObject({
      costPerRequestUsd: nonNegative().optional(),
      monthlyUsd: nonNegative().optional(),
    })
    .optional(),
  expectedLoad: z
    .strictObject({
      peakRps: positive(),
      dailyRequests: nonNegativeInt(),
    })
    .optional(),
});

export const sloSchema = z.strictObject({
  availability: z
    .number({ error: 'must be a percentage below 100, e.g. 99.9' })
    .gt(0, { error: 'must be a percentage below 100, e.g. 99.9' })
    .lt(100, { error: 'must be a percentage below 100, e.g. 99.9 (100 leaves no error budget)' }),
  windowDays: positiveInt().optional(),
  latency: z.strictObject({
    p95Ms: positive(),
    p99Ms: positive(),
  }),
});

export const tierSchema = z.strictObject({
  name: id(),
  kind: oneOf(TIER_KINDS),
  model: text(),
  endpoint: z
    .string({ error: 'must be an environment reference like ${LLM_URL}' })
    .regex(ENV_REF_PATTERN, { error: 'must be an environment reference like ${LLM_URL}: endpoints never go in the spec' })
    .optional(),
  apiKey: z
    .string({ error: 'must be an environment reference like ${LLM_API_KEY}' })
    .regex(ENV_REF_PATTERN, { error: 'must be an environment reference like ${LLM_API_KEY}: keys never go in the spec' })
    .optional(),
  timeoutMs: positive(),
  costPerRequestUsd: nonNegative(),
});

export const modelsSchema = z.strictObject({
  tiers: z.array(tierSchema, { error: 'must be a list of model tiers' }).min(1, { error: 'needs at least one tier' }),
  routing: z
    .strictObject({
      strategy: oneOf(ROUTING_STRATEGIES),
      escalateWhen: z
        .strictObject({
          confidenceBelow: fraction().optional(),
          inputCharsAbove: positiveInt().optional(),
        })
        .optional(),
      expectedEscalationRate: fraction().optional(),
    })
    .optional(),
});

export const failureModeSchema = z.strictObject({
  id: id(),
  kind: oneOf(FAILURE_MODE_KINDS),
  description: text().optional(),
  likelihood: oneOf(LEVELS),
  impact: oneOf(LEVELS),
});

export const architectureSchema = z.strictObject({
  patterns: z.array(
    z.strictObject({
      pattern: oneOf(PATTERN_IDS),
      addresses: z.array(id(), { error: 'must be a list of failure mode ids' }),
    }),
    { error: 'must be a list of patterns' },
  ),
});

export const resilienceSchema = z.strictObject({
  timeoutMs: positive(),
  retry: z
    .strictObject({
      maxAttempts: positiveInt(),
      backoff: oneOf(BACKOFFS),
      initialDelayMs: nonNegative(),
      maxDelayMs: nonNegative(),
    })
    .refine((r) => r.maxDelayMs >= r.initialDelayMs, { error: 'maxDelayMs must be at least initialDelayMs', path: ['maxDelayMs'] })
    .optional(),
  circuitBreaker: z
    .strictObject({
      failureRateThreshold: z
        .number({ error: 'must be a fraction above 0 and at most 1' })
        .gt(0, { error: 'must be a fraction above 0 and at most 1' })
        .max(1, { error: 'must be a fraction above 0 and at most 1' }),
      minimumRequests: positiveInt(),
      windowSeconds: positive(),
      halfOpenAfterSeconds: positive(),
    })
    .optional(),
  bulkhead: z
    .strictObject({
      maxConcurrent: positiveInt(),
      maxQueue: nonNegativeInt(),
    })
    .optional(),
  fallback: z
    .strictObject({
      strategy: oneOf(FALLBACK_STRATEGIES),
      static: z.record(z.string(), z.unknown()).optional(),
      cacheTtlSeconds: positive().optional(),
    })
    .optional(),
});

export const scenarioSchema = z.strictObject({
  id: id(),
  failureMode: id(),
  fault: z
    .strictObject({
      target: id(),
      type: oneOf(FAULT_TYPES),
      status: z.number({ error: 'must be an HTTP status' }).int().min(100).max(599).optional(),
      delayMs: positive().optional(),
      jitterMs: nonNegative().optional(),
      bytesPerSecond: positive().optional(),
      rate: fraction(),
      after: nonNegative().optional(),
      for: positive().optional(),
    })
    .optional(),
  load: z.strictObject({
    rps: positive(),
    durationSeconds: positive(),
  }),
  expect: z
    .strictObject({
      availability: threshold().optional(),
      admittedAvailability: threshold().optional(),
      shedPercent: threshold().optional(),
      p50Ms: threshold().optional(),
      p95Ms: threshold().optional(),
      p99Ms: threshold().optional(),
      errorRatePercent: threshold().optional(),
      fallbackRate: threshold().optional(),
      breakerOpensWithinSeconds: positive().optional(),
      recoversWithinSeconds: positive().optional(),
    })
    .refine((e) => Object.keys(e).length > 0, { error: 'needs at least one expectation' }),
});

export const deploySchema = z.strictObject({
  strategy: oneOf(DEPLOY_STRATEGIES),
  driver: oneOf(DEPLOY_DRIVERS),
  steps: z
    .array(
      z.strictObject({
        weight: percent('a traffic weight between 0 and 100'),
        pauseSeconds: nonNegative().optional(),
      }),
    )
    .min(1, { error: 'needs at least one step' }),
  analysis: z
    .strictObject({
      intervalSeconds: positive(),
      failureLimit: nonNegativeInt(),
      minRequests: positiveInt().optional(),
      metrics: z
        .array(
          z.strictObject({
            name: oneOf(ANALYSIS_METRICS),
            metric: metricName().optional(),
            min: z.number({ error: 'must be a number' }).optional(),
            max: z.number({ error: 'must be a number' }).optional(),
          }),
        )
        .min(1, { error: 'needs at least one metric' }),
    })
    .optional(),
  rollback: z
    .strictObject({
      automatic: z.boolean({ error: 'must be true or false' }),
      scaleDownDelaySeconds: nonNegative().optional(),
      holdAt: oneOf(['blue', 'step']).optional(),
    })
    .optional(),
  kubernetes: z
    .strictObject({
      namespace: id(),
      image: text(),
      replicas: positiveInt(),
      rollouts: oneOf(ROLLOUT_KINDS),
    })
    .optional(),
});

export const monitoringSchema = z.strictObject({
  alerts: z
    .strictObject({
      burnRate: z.boolean({ error: 'must be true or false' }).optional(),
      errorRatePercent: percent().optional(),
      p95LatencyMs: positive().optional(),
      fallbackRatePercent: percent().optional(),
    })
    .optional(),
  drift: z
    .strictObject({
      features: z.array(text()).min(1, { error: 'needs at least one feature' }),
      method: oneOf(DRIFT_METHODS),
      threshold: positive(),
    })
    .optional(),
  predictionLogging: z
    .strictObject({
      sampleRate: fraction(),
    })
    .optional(),
});

export const handoffSchema = z.strictObject({
  oncall: text(),
  escalation: z.array(text()).optional(),
  runbookUrl: text().optional(),
});

export const reviewSchema = z.strictObject({
  afterDays: positiveInt().optional(),
  owner: text(),
  iteration: z
    .strictObject({
      number: positiveInt(),
      from: text(),
      focus: z.array(text()).optional(),
    })
    .optional(),
});

export const taskSchema = z
  .strictObject({
    kind: oneOf(TASK_KINDS),
    rag: z
      .strictObject({
        corpus: text('a folder of documents, relative to the spec'),
        chunking: z.strictObject({ maxChars: positiveInt(), overlapChars: nonNegativeInt() }).optional(),
        retriever: z
          .strictObject({
            kind: oneOf(RETRIEVER_KINDS),
            topK: positiveInt(),
            endpoint: z
              .string({ error: 'must be an environment reference like ${VECTOR_STORE_URL}' })
              .regex(ENV_REF_PATTERN, {
                error: 'must be an environment reference like ${VECTOR_STORE_URL}: endpoints never go in the spec',
              })
              .optional(),
            collection: id().optional(),
          })
          .optional(),
        citations: z.strictObject({ min: nonNegativeInt() }).optional(),
        grounding: z.strictObject({ minSupport: fraction() }).optional(),
      })
      .optional(),
    extract: z
      .strictObject({
        schema: text('a JSON Schema file, relative to the spec'),
        onViolation: oneOf(VIOLATION_ACTIONS).optional(),
      })
      .optional(),
  })
  .refine((t) => t.kind !== 'rag' || t.rag !== undefined, { error: 'kind rag needs a rag block (at least its corpus)', path: ['rag'] })
  .refine((t) => t.kind !== 'extract' || t.extract !== undefined, {
    error: 'kind extract needs an extract block (at least its schema)',
    path: ['extract'],
  })
  .refine((t) => t.rag === undefined || t.kind === 'rag', { error: 'a rag block applies only to kind rag', path: ['rag'] })
  .refine((t) => t.extract === undefined || t.kind === 'extract', {
    error: 'an extract block applies only to kind extract',
    path: ['extract'],
  });

export const specSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION, { error: `must be ${API_VERSION}` }),
    kind: z.literal('AIService', { error: 'must be AIService' }),
    metadata: metadataSchema,
    business: businessSchema,
    slo: sloSchema,
    task: taskSchema.optional(),
    models: modelsSchema.optional(),
    failureModes: z.array(failureModeSchema, { error: 'must be a list of failure modes' }).optional(),
    architecture: architectureSchema.optional(),
    resilience: resilienceSchema.optional(),
    scenarios: z.array(scenarioSchema, { error: 'must be a list of scenarios' }).optional(),
    deploy: deploySchema.optional(),
    monitoring: monitoringSchema.optional(),
    handoff: handoffSchema.optional(),
    review: reviewSchema.optional(),
  })
  .meta({
    title: 'shipshape/v1 AIService spec',
    description: 'One spec, every artifact: the single source of truth for an AI service shipped with shipshape.',
  });

export type Spec = z.infer<typeof specSchema>;
export type Tier = z.infer<typeof tierSchema>;
export type FailureMode = z.infer<typeof failureModeSchema>;
export type FailureModeKind = (typeof FAILURE_MODE_KINDS)[number];
export type PatternId = (typeof PATTERN_IDS)[number];
export type Scenario = z.infer<typeof scenarioSchema>;
export type Resilience = z.infer<typeof resilienceSchema>;
export type Task = z.infer<typeof taskSchema>;
export type TaskKind = (typeof TASK_KINDS)[number];
