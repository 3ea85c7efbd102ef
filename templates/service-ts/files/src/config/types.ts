// The parts of a shipshape/v1 spec this service reads (the full format: `shipshape schema`).
// Sections the spec does not have are null. Read-only: the spec is data, not state.

export type Threshold = { min?: number; max?: number };

export interface TierSpec {
  name: string;
  kind: 'local' | 'http';
  model: string;
  /** `${ENV_VAR}`: the base URL of an OpenAI-compatible API (…/v1), from the environment. */
  endpoint?: string;
  /** `${ENV_VAR}`: the API key, from the environment. */
  apiKey?: string;
  timeoutMs: number;
  costPerRequestUsd: number;
}

export interface ScenarioSpec {
  id: string;
  failureMode: string;
  fault?: {
    target: string;
    type: 'error' | 'latency' | 'malformed' | 'timeout' | 'reset' | 'slow-body';
    status?: number;
    delayMs?: number;
    jitterMs?: number;
    bytesPerSecond?: number;
    rate: number;
    after?: number;
    for?: number;
  };
  load: { rps: number; durationSeconds: number };
  expect: {
    availability?: Threshold;
    admittedAvailability?: Threshold;
    shedPercent?: Threshold;
    p50Ms?: Threshold;
    p95Ms?: Threshold;
    p99Ms?: Threshold;
    errorRatePercent?: Threshold;
    fallbackRate?: Threshold;
    breakerOpensWithinSeconds?: number;
    recoversWithinSeconds?: number;
  };
}

export interface ServiceSpec {
  metadata: { name: string; description?: string; owner: string; team?: string; tier: number };
  business: {
    problem: string;
    metric: {
      name: string;
      description?: string;
      baseline: number;
      target: number;
      direction: 'increase' | 'decrease';
      aggregation?: 'mean' | 'percentile' | 'rate' | 'last';
      quantile?: number;
    };
    successCriteria?: readonly { id: string; description?: string; metric: string; min?: number; max?: number }[];
    budget?: { costPerRequestUsd?: number; monthlyUsd?: number };
    expectedLoad?: { peakRps: number; dailyRequests: number };
  };
  slo: { availability: number; windowDays?: number; latency: { p95Ms: number; p99Ms: number } };
  /** What the service does; null (no task block) is a classifier. */
  task: TaskSpec | null;
  models: {
    tiers: readonly TierSpec[];
    routing?: {
      strategy: 'cascade' | 'single';
      escalateWhen?: { confidenceBelow?: number; inputCharsAbove?: number };
      expectedEscalationRate?: number;
    };
  };
  resilience: {
    timeoutMs: number;
    retry?: { maxAttempts: number; backoff: 'exponential' | 'fixed'; initialDelayMs: number; maxDelayMs: number };
    circuitBreaker?: { failureRateThreshold: number; minimumRequests: number; windowSeconds: number; halfOpenAfterSeconds: number };
    bulkhead?: { maxConcurrent: number; maxQueue: number };
    fallback?: { strategy: 'lower-tier' | 'static' | 'cache'; static?: Record<string, unknown>; cacheTtlSeconds?: number };
  };
  scenarios: readonly ScenarioSpec[];
  deploy: {
    analysis?: { metrics: readonly { name: string; metric?: string; min?: number; max?: number }[] };
  } | null;
  monitoring: {
    alerts?: { burnRate?: boolean; errorRatePercent?: number; p95LatencyMs?: number; fallbackRatePercent?: number };
    drift?: { features: readonly string[]; method: 'psi' | 'ks'; threshold: number };
    predictionLogging?: { sampleRate: number };
  } | null;
}

export interface TaskSpec {
  kind: 'classify' | 'rag' | 'extract';
  rag?: {
    corpus: string;
    chunking?: { maxChars: number; overlapChars: number };
    retriever?: { kind: 'embedded' | 'qdrant' | 'opensearch' | 'pgvector'; topK: number; endpoint?: string; collection?: string };
    citations?: { min: number };
    grounding?: { minSupport: number };
  };
  extract?: { schema: string; onViolation?: 'retry' | 'escalate' | 'fallback' };
}
