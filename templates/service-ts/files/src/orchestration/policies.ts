// The resilience policies of one model tier, built with cockatiel from resilience.* of the spec:
// a timeout per attempt, retries with exponential backoff, jitter and an attempt cap (http tiers:
// an in-process tier gains nothing from a retry), a circuit breaker, and a bulkhead that caps the
// calls in flight to an http tier. cockatiel's own defaults would retry forever without delay:
// every number here is explicit.
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConstantBackoff,
  ExponentialBackoff,
  SamplingBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import type { ResilienceConfig, TierConfig } from '../config/index.js';
import type { BreakerStateName } from '../monitoring/metrics.js';
import { TierError, type TierFailure } from '../serving/tier.js';

/** Why a tier gave no answer: a TierFailure, or what a policy decided. */
export type FailureReason = Exclude<TierFailure, 'aborted'> | 'timeout' | 'breaker-open' | 'bulkhead-full' | 'aborted' | 'error';

export function reasonOf(error: unknown): FailureReason {
  if (error instanceof TaskCancelledError) return 'timeout';
  if (error instanceof BrokenCircuitError) return 'breaker-open';
  if (error instanceof BulkheadRejectedError) return 'bulkhead-full';
  if (error instanceof TierError) return error.failure;
  return 'error';
}

/** A failure that says something about the tier (not the caller giving up): retried, and counted by the breaker. */
const tierFault = (error: Error): boolean =>
  error instanceof TaskCancelledError || (error instanceof TierError && error.failure !== 'aborted');

const STATE_NAMES: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  // Isolated is a manual hold-open: for traffic, open.
  [CircuitState.Isolated]: 'open',
};

export interface TierPolicy {
  /** Runs one tier call (`attempt`, once per try) under the tier's policies; `signal` is the request's. */
  execute<T>(attempt: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T>;
  /** The breaker's state; undefined without a breaker. */
  breakerState(): BreakerStateName | undefined;
}

export interface PolicyHooks {
  /** Each try's outcome: success, or the reason it failed. */
  onAttempt?(outcome: 'success' | FailureReason, durationMs: number): void;
  onBreakerState?(state: BreakerStateName): void;
  onRetry?(attempt: number, delayMs: number): void;
}

/** The policies of `tier` from the resilience config. */
export function tierPolicy(tier: TierConfig, resilience: ResilienceConfig, hooks: PolicyHooks = {}): TierPolicy {
  // models.tiers[].timeoutMs bounds each try; aggressive, so a tier that ignores its signal cannot hold a request.
  const perAttempt = timeout(tier.timeoutMs, TimeoutStrategy.Aggressive);
  const layers: IPolicy[] = [];

  const limits = resilience.bulkhead;
  if (limits && tier.kind === 'http') layers.push(bulkhead(limits.maxConcurrent, limits.maxQueue));

  const retries = resilience.retry;
  if (retries && tier.kind === 'http' && retries.maxAttempts > 1) {
    const backoff =
      retries.backoff === 'exponential'
        ? // Decorrelated jitter (cockatiel's default generator) between initialDelayMs and maxDelayMs.
          new ExponentialBackoff({ initialDelay: retries.initialDelayMs, maxDelay: retries.maxDelayMs })
        : new ConstantBackoff(retries.initialDelayMs);
    // resilience.retry.maxAttempts counts the first try; cockatiel's maxAttempts counts retries.
    const policy = retry(handleWhen(tierFault), { maxAttempts: retries.maxAttempts - 1, backoff });
    policy.onRetry((event) => hooks.onRetry?.(event.attempt, event.delay));
    layers.push(policy);
  }

  let breaker: CircuitBreakerPolicy | undefined;
  const settings = resilience.circuitBreaker;
  if (settings) {
    breaker = circuitBreaker(handleWhen(tierFault), {
      halfOpenAfter: settings.halfOpenAfterSeconds * 1000,
      breaker: new SamplingBreaker({
        // cockatiel opens strictly above a threshold in (0, 1).
        threshold: Math.min(settings.failureRateThreshold, 0.999),
        duration: settings.windowSeconds * 1000,
        // At least minimumRequests calls in the window before the rate counts.
        minimumRps: settings.minimumRequests / settings.windowSeconds,
      }),
    });
    breaker.onStateChange((state) => hooks.onBreakerState?.(STATE_NAMES[state]));
    layers.push(breaker);
  }

  const policy = layers.length > 0 ? wrap(...layers) : undefined;
  return {
    async execute(attempt, signal) {
      const once = async ({ signal: outer }: { signal: AbortSignal }) => {
        // cockatiel's retry sleeps through an abort and then tries again: a caller who gave up gets no further try.
        if (outer.aborted) throw new TierError(tier.name, 'aborted', `${tier.name}: aborted before the try`, { cause: outer.reason });
        const started = performance.now();
        try {
          const result = await perAttempt.execute(({ signal: inner }) => attempt(inner), outer);
          hooks.onAttempt?.('success', performance.now() - started);
          return result;
        } catch (error) {
          // The request's deadline or its client ended the try, not the tier: the breaker must not count it.
          const failure =
            outer.aborted && error instanceof TaskCancelledError
              ? new TierError(tier.name, 'aborted', `${tier.name}: the request ended during the try`, { cause: error })
              : error;
          hooks.onAttempt?.(reasonOf(failure), performance.now() - started);
          throw failure;
        }
      };
      if (!policy) return once({ signal });
      try {
        return await policy.execute(once, signal);
      } catch (error) {
        // Refused before a try was made: the try hook never saw it.
        if (error instanceof BrokenCircuitError || error instanceof BulkheadRejectedError) hooks.onAttempt?.(reasonOf(error), 0);
        throw error;
      }
    },
    breakerState: () => (breaker ? STATE_NAMES[breaker.state] : undefined),
  };
}
