// The resilience policies of one model tier, built with cockatiel from resilience.* of the spec:
// a timeout per attempt, retries of transient failures with exponential backoff, jitter and an
// attempt cap (http tiers: an in-process tier gains nothing from a retry), a circuit breaker, and
// a bulkhead that caps the calls in flight to an http tier. cockatiel's own defaults would retry
// forever without delay: every number here is explicit.
//
// The layers, outermost first: retry > circuit breaker > bulkhead > per-try timeout > the call.
// - The retry is outside the breaker and the bulkhead: a backoff holds no slot, and every try is
//   an outcome of the breaker.
// - The breaker is outside the bulkhead: a call the bulkhead refuses, or one that waited in its
//   queue until the request's deadline, is the upstream's failure (it is not keeping up), and an
//   open breaker refuses before anything queues.
// - The breaker (WindowBreaker) opens on either of two rules. A failure rate above
//   failureRateThreshold over the last windowSeconds, with at least minimumRequests outcomes in
//   it (cockatiel's SamplingBreaker semantics, but the window is a sliding window of wall-clock
//   buckets: it advances with time, not only when an outcome is recorded, so successes from
//   before an outage age out). Or minimumRequests failures in a row (ConsecutiveBreaker
//   semantics): under heavy load a long window holds so many earlier successes that a hard
//   outage would take half the window to outweigh them, while a run of minimumRequests failures
//   is next to impossible at any failure rate a breaker should tolerate.
// - Half-open: one probe goes to the tier; every other call meanwhile is refused at once (not
//   held until the probe ends). A probe the client abandoned proves nothing: the breaker opens
//   again rather than closing.
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConstantBackoff,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
  type IBreaker,
  type IRetryBackoffContext,
  type RetryPolicy,
} from 'cockatiel';
import type { ResilienceConfig, TierConfig } from '../config/index.js';
import type { BreakerStateName } from '../monitoring/metrics.js';
import { TierError, type TierFailure } from '../serving/tier.js';
import { Bulkhead } from './bulkhead.js';

/** Why a tier gave no answer: a TierFailure, or what a policy decided. */
export type FailureReason = Exclude<TierFailure, 'aborted'> | 'timeout' | 'breaker-open' | 'bulkhead-full' | 'aborted' | 'error';

export function reasonOf(error: unknown): FailureReason {
  if (error instanceof TaskCancelledError) return 'timeout';
  if (error instanceof BrokenCircuitError) return 'breaker-open';
  if (error instanceof BulkheadRejectedError) return 'bulkhead-full';
  if (error instanceof TierError) return error.failure;
  return 'error';
}

/** An HTTP status that says the upstream is down or overloaded, not that our request was wrong. */
const transientStatus = (status: number | undefined): boolean => status === undefined || status >= 500 || status === 429 || status === 408;

/**
 * A failure of the upstream: a timeout (whatever ended the try: its own timer or the request's
 * deadline), a dropped connection, a 5xx, 408 or 429, and a call the bulkhead refused. Counted
 * by the breaker. A 400 or 401 (our request or our key), a malformed answer, a refusal and a
 * caller who left are not: the upstream answered, or was not given the chance.
 */
export function upstreamFault(error: unknown): boolean {
  if (error instanceof TaskCancelledError || error instanceof BulkheadRejectedError) return true;
  if (!(error instanceof TierError)) return false;
  return error.failure === 'network' || (error.failure === 'status' && transientStatus(error.status));
}

/** A failure another try may not meet: a timeout, a dropped connection, a 5xx, 408 or 429. Only these are retried. */
export function transient(error: unknown): boolean {
  return error instanceof TaskCancelledError || (upstreamFault(error) && !(error instanceof BulkheadRejectedError));
}

const STATE_NAMES: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  // Isolated is a manual hold-open: for traffic, open.
  [CircuitState.Isolated]: 'open',
};

export interface WindowBreakerOptions {
  /** Opens when the failure rate in the window is above this (0..1]; at 1, when every call in it failed. */
  threshold: number;
  windowMs: number;
  /** Outcomes the window needs before its rate counts; also the run of failures that opens at once. */
  minimumRequests: number;
}

interface Bucket {
  /** Date.now() / bucketMs, floored. */
  index: number;
  failures: number;
  successes: number;
}

/**
 * A cockatiel breaker (IBreaker) over a sliding window of wall-clock buckets, plus a run of
 * consecutive failures: see the header of this file. Reads Date.now(), so fake timers drive it.
 */
export class WindowBreaker implements IBreaker {
  private buckets: Bucket[] = [];
  private consecutive = 0;
  private readonly bucketMs: number;
  private readonly bucketCount: number;

  constructor(private readonly options: WindowBreakerOptions) {
    // At least 5 buckets, at most a second each (as cockatiel's SamplingBreaker).
    this.bucketCount = Math.max(5, Math.ceil(options.windowMs / 1000));
    this.bucketMs = options.windowMs / this.bucketCount;
  }

  /** The outcomes in the window now. */
  counts(): { failures: number; successes: number; consecutiveFailures: number } {
    this.prune();
    let failures = 0;
    let successes = 0;
    for (const bucket of this.buckets) {
      failures += bucket.failures;
      successes += bucket.successes;
    }
    return { failures, successes, consecutiveFailures: this.consecutive };
  }

  get state(): unknown {
    return { buckets: this.buckets.map((bucket) => ({ ...bucket })), consecutive: this.consecutive };
  }

  set state(value: unknown) {
    const saved = value as { buckets?: Bucket[]; consecutive?: number } | undefined;
    this.buckets = saved?.buckets?.map((bucket) => ({ ...bucket })) ?? [];
    this.consecutive = saved?.consecutive ?? 0;
  }

  success(state: CircuitState): void {
    // A probe that succeeded starts a new history.
    if (state === CircuitState.HalfOpen) this.buckets = [];
    this.consecutive = 0;
    this.current().successes++;
  }

  failure(state: CircuitState): boolean {
    this.current().failures++;
    this.consecutive++;
    if (state !== CircuitState.Closed) return true;
    const { threshold, minimumRequests } = this.options;
    if (this.consecutive >= minimumRequests) return true;
    const { failures, successes } = this.counts();
    const total = failures + successes;
    if (total < minimumRequests) return false;
    return threshold >= 1 ? successes === 0 : failures > threshold * total;
  }

  private prune(): void {
    const oldest = Math.floor(Date.now() / this.bucketMs) - this.bucketCount + 1;
    while (this.buckets.length > 0 && this.buckets[0]!.index < oldest) this.buckets.shift();
    // A run of failures ends with the window: failures long ago and one now are not a run.
    if (this.buckets.length === 0) this.consecutive = 0;
  }

  private current(): Bucket {
    this.prune();
    const index = Math.floor(Date.now() / this.bucketMs);
    let bucket = this.buckets.at(-1);
    if (bucket?.index !== index) this.buckets.push((bucket = { index, failures: 0, successes: 0 }));
    return bucket;
  }
}

/** cockatiel's backoff, made to wait at least the Retry-After an upstream asked for. */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly base: IBackoffFactory<IRetryBackoffContext<unknown>>) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    return withRetryAfter(this.base.next(context), context);
  }
}

function withRetryAfter(
  backoff: IBackoff<IRetryBackoffContext<unknown>>,
  context: IRetryBackoffContext<unknown>,
): IBackoff<IRetryBackoffContext<unknown>> {
  const error = 'error' in context.result ? context.result.error : undefined;
  const asked = error instanceof TierError ? (error.retryAfterMs ?? 0) : 0;
  return { duration: Math.max(backoff.duration, asked), next: (next) => withRetryAfter(backoff.next(next), next) };
}

export interface ExecuteOptions {
  /** The client's signal: its abort means the caller left, which says nothing about the tier. */
  client?: AbortSignal;
  /** Date.now() at the request's deadline: a Retry-After that ends past it is not waited for. */
  deadlineAt?: number;
}

export interface TierPolicy {
  /**
   * Runs one tier call (`attempt`, once per try) under the tier's policies. `signal` ends the
   * call (the request's deadline, or its client leaving: `options.client` tells them apart).
   */
  execute<T>(attempt: (signal: AbortSignal) => Promise<T>, signal: AbortSignal, options?: ExecuteOptions): Promise<T>;
  /** The breaker's state; undefined without a breaker. */
  breakerState(): BreakerStateName | undefined;
}

export interface PolicyHooks {
  /** Each try's outcome (success, or the reason it failed), and each call refused before a try. */
  onAttempt?(outcome: 'success' | FailureReason, durationMs: number): void;
  onBreakerState?(state: BreakerStateName): void;
  onRetry?(attempt: number, delayMs: number): void;
}

/** What ended a try or a wait: the caller leaving (aborted), else the deadline (a timeout), else the error itself. */
function ended(error: unknown, tier: string, signal: AbortSignal, client: AbortSignal | undefined): unknown {
  if (client?.aborted) {
    return error instanceof TierError && error.failure === 'aborted'
      ? error
      : new TierError(tier, 'aborted', `${tier}: the client left during the try`, { cause: error });
  }
  if (signal.aborted && !(error instanceof TaskCancelledError))
    return new TaskCancelledError(`${tier}: the request's deadline ended the try`);
  return error;
}

/** Failures after which no retry is made, whatever their kind. */
const lastTries = new WeakSet<Error>();

/** The policies of `tier` from the resilience config. */
export function tierPolicy(tier: TierConfig, resilience: ResilienceConfig, hooks: PolicyHooks = {}): TierPolicy {
  // models.tiers[].timeoutMs bounds each try; aggressive, so a tier that ignores its signal cannot hold a request.
  const perAttempt = timeout(tier.timeoutMs, TimeoutStrategy.Aggressive);
  const limits = resilience.bulkhead;
  const bulkhead = limits && tier.kind === 'http' ? new Bulkhead(limits.maxConcurrent, limits.maxQueue) : undefined;

  let breaker: CircuitBreakerPolicy | undefined;
  const settings = resilience.circuitBreaker;
  if (settings) {
    // A probe the client abandoned is not a success: cockatiel closes the breaker on an error it does not handle.
    const counted = (error: Error) => upstreamFault(error) || (breaker?.state === CircuitState.HalfOpen && reasonOf(error) === 'aborted');
    breaker = circuitBreaker(handleWhen(counted), {
      halfOpenAfter: settings.halfOpenAfterSeconds * 1000,
      breaker: new WindowBreaker({
        threshold: settings.failureRateThreshold,
        windowMs: settings.windowSeconds * 1000,
        minimumRequests: settings.minimumRequests,
      }),
    });
    breaker.onStateChange((state) => hooks.onBreakerState?.(STATE_NAMES[state]));
  }

  const retries = resilience.retry;
  let retryPolicy: RetryPolicy | undefined;
  if (retries && tier.kind === 'http' && retries.maxAttempts > 1) {
    const backoff = new RetryAfterBackoff(
      retries.backoff === 'exponential'
        ? // Decorrelated jitter (cockatiel's default generator) between initialDelayMs and maxDelayMs.
          new ExponentialBackoff({ initialDelay: retries.initialDelayMs, maxDelay: retries.maxDelayMs })
        : new ConstantBackoff(retries.initialDelayMs),
    );
    // Transient failures only. resilience.retry.maxAttempts counts the first try; cockatiel's maxAttempts counts retries.
    retryPolicy = retry(
      handleWhen((error) => transient(error) && !lastTries.has(error)),
      { maxAttempts: retries.maxAttempts - 1, backoff },
    );
    retryPolicy.onRetry((event) => hooks.onRetry?.(event.attempt, event.delay));
  }

  return {
    async execute(attempt, signal, options = {}) {
      const { client, deadlineAt } = options;
      // One try: the per-try timeout around the call, its outcome reported.
      const once = async (outer: AbortSignal) => {
        // cockatiel's retry sleeps through an abort and then tries again: a caller who gave up gets no further try.
        if (outer.aborted) throw new TierError(tier.name, 'aborted', `${tier.name}: aborted before the try`, { cause: outer.reason });
        const started = performance.now();
        try {
          const result = await perAttempt.execute(({ signal: inner }) => attempt(inner), outer);
          hooks.onAttempt?.('success', performance.now() - started);
          return result;
        } catch (error) {
          const failure = ended(error, tier.name, outer, client);
          hooks.onAttempt?.(reasonOf(failure), performance.now() - started);
          throw failure;
        }
      };
      // A slot of the bulkhead, then the try.
      const held = async (outer: AbortSignal) => {
        if (!bulkhead) return once(outer);
        let release: () => void;
        try {
          release = await bulkhead.acquire(outer);
        } catch (error) {
          const failure = ended(error, tier.name, outer, client);
          hooks.onAttempt?.(reasonOf(failure), 0);
          throw failure;
        }
        try {
          return await once(outer);
        } finally {
          release();
        }
      };
      // Through the breaker: refused at once when it is open, or half-open with its probe out.
      const guarded = async (outer: AbortSignal) => {
        if (!breaker) return held(outer);
        try {
          if (breaker.state === CircuitState.HalfOpen) throw new BrokenCircuitError();
          return await breaker.execute(({ signal: inner }) => held(inner), outer);
        } catch (error) {
          if (error instanceof BrokenCircuitError) hooks.onAttempt?.('breaker-open', 0);
          throw error;
        }
      };
      if (!retryPolicy) return guarded(signal);
      return retryPolicy.execute(async ({ signal: outer }) => {
        try {
          return await guarded(outer);
        } catch (error) {
          // A Retry-After that ends past the deadline: this try was the last.
          if (
            error instanceof TierError &&
            error.retryAfterMs !== undefined &&
            deadlineAt !== undefined &&
            Date.now() + error.retryAfterMs >= deadlineAt
          )
            lastTries.add(error);
          throw error;
        }
      }, signal);
    },
    breakerState: () => (breaker ? STATE_NAMES[breaker.state] : undefined),
  };
}
