// One interface for every model tier: the orchestration layer calls tiers only through it.

/** What a tier answers. */
export interface Prediction {
  /** classify: one of the labels of the examples file (data/examples.jsonl); rag and extract: what the answer is (answer, extracted). */
  label: string;
  /** 0..1: how sure the tier is; the cascade escalates below models.routing.escalateWhen.confidenceBelow. */
  confidence: number;
  /** A drafted reply, when the tier writes one. */
  reply: string | null;
  /** rag and extract (src/task/): the task's own answer (an answer and its citations; the extracted object). Absent for classify. */
  output?: Record<string, unknown>;
}

export type TierKind = 'local' | 'http';

export interface ModelTier {
  readonly name: string;
  readonly kind: TierKind;
  readonly model: string;
  /** models.tiers[].costPerRequestUsd: added to the cost metric on every call. */
  readonly costPerRequestUsd: number;
  /**
   * Classifies normalised text. Rejects with a TierError when the tier cannot answer; honours
   * `signal` (the orchestration layer's timeout aborts it).
   */
  predict(text: string, signal: AbortSignal): Promise<Prediction>;
}

/** Why a tier call failed: each is a label of the tier failure metric. */
export type TierFailure =
  /** Connection refused or reset, DNS, a dropped socket. */
  | 'network'
  /** A status other than 2xx. */
  | 'status'
  /** The answer was not what was asked for: not JSON, a wrong shape, an unknown label. */
  | 'invalid-output'
  /** The model declined to answer. */
  | 'refusal'
  /** Aborted by the caller's signal. */
  | 'aborted';

export class TierError extends Error {
  readonly tier: string;
  readonly failure: TierFailure;
  readonly status: number | undefined;
  /** How long the upstream asked us to wait before another try (a Retry-After header), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** No other tier is asked after this failure: the fallback answers (task.extract.onViolation: fallback). */
  readonly toFallback: boolean;
  constructor(
    tier: string,
    failure: TierFailure,
    message: string,
    options: { status?: number; retryAfterMs?: number; cause?: unknown; toFallback?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TierError';
    this.tier = tier;
    this.failure = failure;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.toFallback = options.toFallback ?? false;
  }
}
