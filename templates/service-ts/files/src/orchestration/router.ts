// The tiered router: which tier answers a request, under which policies, and what answers when
// the tiers cannot.
//
// cascade (models.routing.strategy): the tiers in the spec's order, cheapest first. A tier's
// answer stands unless its confidence is below escalateWhen.confidenceBelow, the input is longer
// than escalateWhen.inputCharsAbove, or the tier failed (an invalid answer or a refusal
// included): then the next tier is asked. single: the first tier answers; with a lower-tier
// fallback, the second tier stands in for it.
//
// The whole request, every tier and retry included, has resilience.timeoutMs. When no tier
// answers in time, the fallback does (resilience.fallback.strategy): lower-tier, the answer of
// the last tier that gave one; static, the spec's static answer; cache, the latest good answer
// for the same input. When the strategy has nothing to give (no lower tier answered, a cache
// miss), a cache falls back on the lower tier's answer, and lower-tier and cache on the static
// answer when the spec has one. Only then does the request fail.
import { TaskCancelledError, TimeoutStrategy, timeout, type TimeoutPolicy } from 'cockatiel';
import type { Config } from '../config/index.js';
import type { Logger } from '../monitoring/logger.js';
import { BREAKER_STATE, type BreakerStateName, type FallbackKind, type Metrics } from '../monitoring/metrics.js';
import { TierError, type ModelTier, type Prediction } from '../serving/tier.js';
import { AnswerCache } from './cache.js';
import { reasonOf, tierPolicy, type FailureReason, type TierPolicy } from './policies.js';

export interface Answer {
  prediction: Prediction;
  /** The tier that answered; `static` or `cache` for those fallbacks. */
  tier: string;
  /** 'none' when the routed tier answered, else the fallback that did. */
  fallback: FallbackKind;
  /** Why the tiers could not answer, when a fallback did. */
  fallbackReason: FailureReason | undefined;
  /** The tiers asked, in order. */
  tiers: string[];
  /** Model spend of this request, in USD. */
  costUsd: number;
  /** The static answer's fields, when it answered. */
  fields?: Record<string, unknown>;
}

/** No tier and no fallback could answer. */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
  constructor(readonly reason: FailureReason) {
    super(`no tier could answer (${reason}) and no fallback had an answer`);
  }
}

type Escalation = 'confidence' | 'input-length' | 'failure';

/** At most one log line per fallback strategy and reason in this many milliseconds. */
export const FALLBACK_LOG_INTERVAL_MS = 1000;

/** A call the upstream refused as ours to fix (a 4xx other than 408 and 429): not billed. */
function refusedCall(error: unknown): boolean {
  return (
    error instanceof TierError &&
    error.failure === 'status' &&
    error.status !== undefined &&
    error.status >= 400 &&
    error.status < 500 &&
    error.status !== 408 &&
    error.status !== 429
  );
}

interface Attempted {
  /** The client's signal: its abort means the caller left. */
  client: AbortSignal | undefined;
  /** Date.now() at the request's deadline. */
  deadlineAt: number;
  prediction?: Prediction;
  tier?: string;
  failure?: FailureReason;
  tiers: string[];
  costUsd: number;
}

export class Router {
  private readonly policies = new Map<string, TierPolicy>();
  private readonly cache: AnswerCache | undefined;
  /** resilience.timeoutMs, for everything the tiers do; aggressive, so a pending backoff cannot outlast it. One policy serves every request. */
  private readonly deadline: TimeoutPolicy;
  /** When each fallback strategy and reason was last logged, and how many were not logged since. */
  private readonly fallbackLogs = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly tiers: readonly ModelTier[],
    private readonly config: Config,
    private readonly metrics: Metrics,
    private readonly logger?: Logger,
  ) {
    if (tiers.length === 0) throw new Error('the router needs at least one tier (models.tiers)');
    const settings = new Map(config.tiers.map((tier) => [tier.name, tier]));
    for (const tier of tiers) {
      const tierConfig = settings.get(tier.name);
      if (!tierConfig) throw new Error(`tier ${tier.name} is not in the configuration`);
      this.policies.set(
        tier.name,
        tierPolicy(tierConfig, config.resilience, {
          onAttempt: (outcome, ms) => {
            metrics.tierCalls.inc({ tier: tier.name, outcome });
            if (outcome !== 'breaker-open' && outcome !== 'bulkhead-full') metrics.tierDuration.observe({ tier: tier.name }, ms / 1000);
          },
          onBreakerState: (state) => {
            metrics.breakerState.set({ tier: tier.name }, BREAKER_STATE[state]);
            metrics.breakerTransitions.inc({ tier: tier.name, state });
            this.logger?.warn({ tier: tier.name, state }, `circuit breaker of ${tier.name} is ${state}`);
          },
          onRetry: (attempt, delayMs) => this.logger?.debug({ tier: tier.name, attempt, delayMs }, 'retrying'),
        }),
      );
      if (config.resilience.circuitBreaker) metrics.breakerState.set({ tier: tier.name }, BREAKER_STATE.closed);
    }
    const fallback = config.resilience.fallback;
    if (fallback?.strategy === 'cache') this.cache = new AnswerCache(fallback.cacheTtlSeconds * 1000);
    this.deadline = timeout(config.resilience.requestTimeoutMs, TimeoutStrategy.Aggressive);
  }

  /** The circuit breaker state of each tier that has one. */
  breakerStates(): Record<string, BreakerStateName> {
    const states: Record<string, BreakerStateName> = {};
    for (const [name, policy] of this.policies) {
      const state = policy.breakerState();
      if (state) states[name] = state;
    }
    return states;
  }

  /** Answers normalised `text`. Rejects with NoAnswerError when neither a tier nor a fallback can. */
  async route(text: string, signal?: AbortSignal): Promise<Answer> {
    const attempted: Attempted = {
      client: signal,
      deadlineAt: Date.now() + this.config.resilience.requestTimeoutMs,
      tiers: [],
      costUsd: 0,
    };
    let reason: FailureReason;
    try {
      await this.deadline.execute(({ signal: inner }) => this.ask(text, attempted, inner), signal);
      const answered = attempted.tier!;
      this.cache?.set(text, attempted.prediction!, answered);
      return {
        prediction: attempted.prediction!,
        tier: answered,
        fallback: 'none',
        fallbackReason: undefined,
        tiers: attempted.tiers,
        costUsd: attempted.costUsd,
      };
    } catch (error) {
      if (signal?.aborted) throw error;
      reason = error instanceof TaskCancelledError ? 'timeout' : (attempted.failure ?? reasonOf(error));
    }
    return this.fallBack(text, attempted, reason);
  }

  /** Asks the tiers as the strategy says; resolves when one answer stands, rejects when none can. */
  private async ask(text: string, attempted: Attempted, signal: AbortSignal): Promise<void> {
    const { strategy } = this.config.routing;
    const order = strategy === 'cascade' ? this.tiers : this.tiers.slice(0, 1);
    for (const [index, tier] of order.entries()) {
      const next = order[index + 1];
      try {
        const prediction = await this.call(tier, text, attempted, signal);
        // The lower tier's answer: what a lower-tier fallback gives when a stronger tier fails.
        attempted.prediction = prediction;
        attempted.tier = tier.name;
        attempted.failure = undefined;
        const escalation = next ? this.escalation(prediction, text) : undefined;
        if (!escalation) return;
        this.metrics.escalations.inc({ from: tier.name, to: next!.name, reason: escalation });
      } catch (error) {
        attempted.failure = reasonOf(error);
        const toFallback = error instanceof TierError && error.toFallback;
        if (!signal.aborted && next && !toFallback) {
          this.metrics.escalations.inc({ from: tier.name, to: next.name, reason: 'failure' satisfies Escalation });
          continue;
        }
        if (!signal.aborted && strategy === 'single' && !toFallback) await this.standIn(text, attempted, signal);
        throw error;
      }
    }
  }

  /** single routing with a lower-tier fallback: the second tier answers for the first, within the request's time. */
  private async standIn(text: string, attempted: Attempted, signal: AbortSignal): Promise<void> {
    const second = this.tiers[1];
    if (this.config.resilience.fallback?.strategy !== 'lower-tier' || !second) return;
    try {
      attempted.prediction = await this.call(second, text, attempted, signal);
      attempted.tier = second.name;
    } catch {
      // Nothing from the stand-in either: the static answer, if any, is next.
    }
  }

  private escalation(prediction: Prediction, text: string): Escalation | undefined {
    const { confidenceBelow, inputCharsAbove } = this.config.routing;
    if (inputCharsAbove !== undefined && text.length > inputCharsAbove) return 'input-length';
    if (confidenceBelow !== undefined && prediction.confidence < confidenceBelow) return 'confidence';
    return undefined;
  }

  private async call(tier: ModelTier, text: string, attempted: Attempted, signal: AbortSignal): Promise<Prediction> {
    attempted.tiers.push(tier.name);
    const charge = () => {
      attempted.costUsd += tier.costPerRequestUsd;
      this.metrics.cost.inc({ tier: tier.name }, tier.costPerRequestUsd);
    };
    const prediction = await this.policies.get(tier.name)!.execute(
      async (inner) => {
        // A paid call costs whether or not its answer arrives: a timed-out or failed call was made
        // (and is billed for the tokens it used), so it is charged when it ends, or when it is cut
        // off (a tier deaf to its signal may never end). Only a refusal of the call itself (4xx but
        // 408 and 429: a bad request or key) is not.
        let charged = false;
        const chargeOnce = () => {
          if (charged) return;
          charged = true;
          charge();
        };
        inner.addEventListener('abort', chargeOnce, { once: true });
        try {
          const answer = await tier.predict(text, inner);
          chargeOnce();
          return answer;
        } catch (error) {
          if (!refusedCall(error)) chargeOnce();
          throw error;
        } finally {
          inner.removeEventListener('abort', chargeOnce);
        }
      },
      signal,
      { ...(attempted.client ? { client: attempted.client } : {}), deadlineAt: attempted.deadlineAt },
    );
    return prediction;
  }

  /**
   * One info line per fallback strategy and reason per FALLBACK_LOG_INTERVAL_MS, with the count
   * of those not logged since: an outage answers every request by the fallback, and a line each
   * would flood the logs. The metric counts every one.
   */
  private logFallback(kind: FallbackKind, reason: FailureReason, tiers: string[]): void {
    if (!this.logger) return;
    const key = `${kind}/${reason}`;
    const now = Date.now();
    const last = this.fallbackLogs.get(key);
    if (last && now - last.at < FALLBACK_LOG_INTERVAL_MS) {
      last.suppressed++;
      return;
    }
    this.fallbackLogs.set(key, { at: now, suppressed: 0 });
    this.logger.info({ fallback: kind, reason, tiers, notLogged: last?.suppressed ?? 0 }, 'answered by the fallback');
  }

  private fallBack(text: string, attempted: Attempted, reason: FailureReason): Answer {
    const fallback = this.config.resilience.fallback;
    const base = { fallbackReason: reason, tiers: attempted.tiers, costUsd: attempted.costUsd };
    const chain: FallbackKind[] = !fallback
      ? []
      : fallback.strategy === 'cache'
        ? ['cache', 'lower-tier', 'static']
        : fallback.strategy === 'lower-tier'
          ? ['lower-tier', 'static']
          : ['static'];
    for (const kind of chain) {
      const answer = this.fallbackAnswer(kind, text, attempted);
      if (!answer) continue;
      this.metrics.fallbacks.inc({ strategy: kind, reason });
      this.logFallback(kind, reason, attempted.tiers);
      return { ...answer, ...base, fallback: kind };
    }
    throw new NoAnswerError(reason);
  }

  private fallbackAnswer(
    kind: FallbackKind,
    text: string,
    attempted: Attempted,
  ): Pick<Answer, 'prediction' | 'tier' | 'fields'> | undefined {
    const settings = this.config.resilience.fallback!;
    if (kind === 'static') {
      const answer = settings.static;
      // rag and extract: the static fields are the task's answer (src/task/ marks a rag one degraded).
      const output = this.config.task.kind === 'classify' ? {} : { output: answer?.fields };
      return (
        answer && {
          prediction: { label: answer.label, confidence: 0, reply: answer.reply, ...output },
          tier: 'static',
          fields: answer.fields,
        }
      );
    }
    if (kind === 'cache') {
      const hit = this.cache?.get(text);
      return hit && { prediction: hit.prediction, tier: 'cache' };
    }
    // lower-tier: the last answer a tier gave (the stand-in's, with single routing); a guess of
    // confidence 0 (the tier knew nothing) gives way to the static answer when there is one.
    if (!attempted.prediction || (attempted.prediction.confidence <= 0 && settings.static)) return undefined;
    return { prediction: attempted.prediction, tier: attempted.tier! };
  }
}
