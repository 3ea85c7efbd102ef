// The router with fake tiers: the cascade and its escalations, single routing, every fallback,
// the whole-request deadline, and the metrics each decision moves.
import { describe, expect, it, vi } from 'vitest';
import type { Config, ResilienceConfig } from '../src/config/index.js';
import { createMetrics, type Metrics } from '../src/monitoring/metrics.js';
import { NoAnswerError, Router } from '../src/orchestration/router.js';
import { TierError, type ModelTier, type Prediction, type TierFailure } from '../src/serving/tier.js';
import { triageConfig } from './support/triage.js';

const base = triageConfig();
const staticAnswer = { label: 'general', reply: null, fields: { queue: 'general', reply: null } };

/** The reference example's configuration (tiers fast and strong, cascading below 0.75 or above 4000 chars), retrying without a real wait. */
function configWith(
  changes: { routing?: Partial<Config['routing']>; resilience?: Partial<ResilienceConfig>; timeoutsMs?: number } = {},
): Config {
  const resilience: ResilienceConfig = {
    ...base.resilience,
    retry: { maxAttempts: 2, backoff: 'fixed', initialDelayMs: 1, maxDelayMs: 1 },
    ...changes.resilience,
  };
  const tiers = changes.timeoutsMs === undefined ? base.tiers : base.tiers.map((tier) => ({ ...tier, timeoutMs: changes.timeoutsMs! }));
  return { ...base, tiers, routing: { ...base.routing, ...changes.routing }, resilience };
}

type Behaviour = (text: string, signal: AbortSignal) => Prediction | Promise<Prediction>;

interface FakeTier extends ModelTier {
  behave: Behaviour;
  calls: string[];
}

function fakeTier(name: string, kind: 'local' | 'http', costPerRequestUsd: number, behave: Behaviour): FakeTier {
  const tier: FakeTier = {
    name,
    kind,
    model: `${name}-model`,
    costPerRequestUsd,
    behave,
    calls: [],
    async predict(text, signal) {
      tier.calls.push(text);
      return tier.behave(text, signal);
    },
  };
  return tier;
}

const says =
  (label: string, confidence: number): Behaviour =>
  () => ({ label, confidence, reply: null });
const fails =
  (failure: TierFailure = 'status'): Behaviour =>
  () => {
    throw new TierError('any', failure, `injected ${failure}`);
  };
/** Never answers, and ignores its signal. */
const hangs: Behaviour = () => new Promise<Prediction>(() => {});

function setup(fast: Behaviour, strong: Behaviour, config = configWith()) {
  const tiers = { fast: fakeTier('fast', 'local', 0.001, fast), strong: fakeTier('strong', 'http', 0.01, strong) };
  const metrics = createMetrics(config, { defaultMetrics: false });
  const router = new Router([tiers.fast, tiers.strong], config, metrics);
  return { ...tiers, metrics, router };
}

/** The sum of a counter's values whose labels include `labels`. */
async function count(metrics: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected))
    .reduce((sum, value) => sum + value.value, 0);
}

const ticket = 'My invoice shows a double charge for March.';

describe('Router: cascade', () => {
  it('keeps a confident first answer and never asks the second tier', async () => {
    const { router, strong, fast, metrics } = setup(says('billing', 0.9), says('technical', 0.99));
    const answer = await router.route(ticket);
    expect(answer).toEqual({
      prediction: { label: 'billing', confidence: 0.9, reply: null },
      tier: 'fast',
      fallback: 'none',
      fallbackReason: undefined,
      tiers: ['fast'],
      costUsd: 0.001,
    });
    expect(fast.calls).toEqual([ticket]);
    expect(strong.calls).toEqual([]);
    expect(await count(metrics, 'ai_escalations_total')).toBe(0);
    expect(await count(metrics, 'ai_tier_calls_total', { tier: 'fast', outcome: 'success' })).toBe(1);
    expect(await count(metrics, 'ai_tier_calls_total', { tier: 'strong' })).toBe(0);
    expect(await count(metrics, 'ai_cost_usd_total', { tier: 'fast' })).toBeCloseTo(0.001);
    expect(await count(metrics, 'ai_cost_usd_total', { tier: 'strong' })).toBe(0);
  });

  it('escalates an answer below confidenceBelow, and keeps one at it', async () => {
    const { router, strong, metrics } = setup(says('billing', 0.5), says('technical', 0.95));
    const answer = await router.route(ticket);
    expect(answer).toMatchObject({
      tier: 'strong',
      fallback: 'none',
      tiers: ['fast', 'strong'],
      prediction: { label: 'technical', confidence: 0.95 },
    });
    expect(answer.costUsd).toBeCloseTo(0.011);
    expect(strong.calls).toEqual([ticket]);
    expect(await count(metrics, 'ai_escalations_total', { from: 'fast', to: 'strong', reason: 'confidence' })).toBe(1);
    expect(await count(metrics, 'ai_cost_usd_total', { tier: 'strong' })).toBeCloseTo(0.01);

    const atThreshold = setup(says('billing', 0.75), says('technical', 0.95));
    expect((await atThreshold.router.route(ticket)).tier).toBe('fast');
    expect(atThreshold.strong.calls).toEqual([]);
  });

  it('escalates an input longer than inputCharsAbove, however confident the first tier', async () => {
    const { router, strong, fast, metrics } = setup(says('billing', 0.99), says('technical', 0.95));
    const long = 'x'.repeat(4001);
    expect((await router.route(long)).tier).toBe('strong');
    expect(fast.calls).toHaveLength(1);
    expect(strong.calls).toEqual([long]);
    expect(await count(metrics, 'ai_escalations_total', { reason: 'input-length' })).toBe(1);
    expect((await router.route('x'.repeat(4000))).tier).toBe('fast');
    expect(strong.calls).toHaveLength(1);
  });

  it('escalates when the first tier fails', async () => {
    const { router, metrics } = setup(fails('invalid-output'), says('technical', 0.95));
    const answer = await router.route(ticket);
    expect(answer).toMatchObject({ tier: 'strong', fallback: 'none', fallbackReason: undefined, tiers: ['fast', 'strong'] });
    expect(answer.costUsd).toBeCloseTo(0.01);
    expect(await count(metrics, 'ai_escalations_total', { from: 'fast', to: 'strong', reason: 'failure' })).toBe(1);
    expect(await count(metrics, 'ai_tier_calls_total', { tier: 'fast', outcome: 'invalid-output' })).toBe(1);
    expect(await count(metrics, 'ai_fallbacks_total')).toBe(0);
  });

  it('needs tiers, each in the configuration', () => {
    const config = configWith();
    const metrics = createMetrics(config, { defaultMetrics: false });
    expect(() => new Router([], config, metrics)).toThrow(/at least one tier/);
    expect(() => new Router([fakeTier('other', 'local', 0, says('a', 1))], config, metrics)).toThrow(/other/);
  });

  it('reports each tier breaker as closed to start with', async () => {
    const { router, metrics } = setup(says('billing', 0.9), says('technical', 0.9));
    expect(router.breakerStates()).toEqual({ fast: 'closed', strong: 'closed' });
    expect(await count(metrics, 'ai_breaker_state')).toBe(0);
  });
});

describe('Router: fallbacks', () => {
  it('lower-tier: answers with the first tier answer when the second fails', async () => {
    const { router, strong, metrics } = setup(says('billing', 0.5), fails('status'));
    const answer = await router.route(ticket);
    expect(answer).toMatchObject({
      prediction: { label: 'billing', confidence: 0.5, reply: null },
      tier: 'fast',
      fallback: 'lower-tier',
      fallbackReason: 'status',
      tiers: ['fast', 'strong'],
    });
    // A failed paid call costs as much as one that answers: both tries of the http tier are counted.
    expect(answer.costUsd).toBeCloseTo(0.001 + 2 * 0.01);
    // The http tier is retried (maxAttempts 2) before the fallback answers.
    expect(strong.calls).toHaveLength(2);
    expect(await count(metrics, 'ai_tier_calls_total', { tier: 'strong', outcome: 'status' })).toBe(2);
    expect(await count(metrics, 'ai_fallbacks_total', { strategy: 'lower-tier', reason: 'status' })).toBe(1);
    expect(await count(metrics, 'ai_cost_usd_total', { tier: 'strong' })).toBeCloseTo(0.02);
  });

  it('lower-tier: falls back on the static answer when no tier answered', async () => {
    const { router, metrics } = setup(fails('network'), fails('refusal'));
    const answer = await router.route(ticket);
    expect(answer).toEqual({
      prediction: { label: 'general', confidence: 0, reply: null },
      tier: 'static',
      fallback: 'static',
      fallbackReason: 'refusal',
      tiers: ['fast', 'strong'],
      // Both calls were made, and cost, though neither answered.
      costUsd: 0.011,
      fields: { queue: 'general', reply: null },
    });
    expect(await count(metrics, 'ai_fallbacks_total', { strategy: 'static', reason: 'refusal' })).toBe(1);
    expect(await count(metrics, 'ai_fallbacks_total', { strategy: 'lower-tier' })).toBe(0);
  });

  it('lower-tier: gives the static answer rather than a guess of confidence 0', async () => {
    const { router, metrics } = setup(says('billing', 0), fails('status'));
    const answer = await router.route(ticket);
    expect(answer).toMatchObject({ prediction: { label: 'general', confidence: 0 }, tier: 'static', fallback: 'static' });
    expect(await count(metrics, 'ai_fallbacks_total', { strategy: 'lower-tier' })).toBe(0);
    // Without a static answer, the guess is still better than no answer.
    const bare = configWith({ resilience: { fallback: { strategy: 'lower-tier', cacheTtlSeconds: 3600 } } });
    const again = setup(says('billing', 0), fails('status'), bare);
    await expect(again.router.route(ticket)).resolves.toMatchObject({ tier: 'fast', fallback: 'lower-tier' });
  });

  it('counts the cost of a timed-out paid call, and not of one the upstream refused as ours (400, 401)', async () => {
    const timedOut = setup(says('billing', 0.5), hangs, configWith({ timeoutsMs: 30 }));
    await timedOut.router.route(ticket);
    expect(await count(timedOut.metrics, 'ai_cost_usd_total', { tier: 'strong' })).toBeCloseTo(0.02);
    for (const status of [400, 401]) {
      const refused = setup(says('billing', 0.5), () => {
        throw new TierError('strong', 'status', `HTTP ${status}`, { status });
      });
      const answer = await refused.router.route(ticket);
      expect(answer.costUsd).toBeCloseTo(0.001);
      expect(await count(refused.metrics, 'ai_cost_usd_total', { tier: 'strong' })).toBe(0);
      // Not retried either: another try would be refused the same way.
      expect(refused.strong.calls).toHaveLength(1);
    }
  });

  it('logs the fallback at most once a second per strategy and reason, with the count it did not log', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = { info: (fields: Record<string, unknown>) => lines.push(fields), warn() {}, debug() {}, error() {} };
    const config = configWith();
    const tiers = [fakeTier('fast', 'local', 0, says('billing', 0.5)), fakeTier('strong', 'http', 0.01, fails('status'))];
    const metrics = createMetrics(config, { defaultMetrics: false });
    const router = new Router(tiers, config, metrics, logger as unknown as ConstructorParameters<typeof Router>[3]);
    for (let i = 0; i < 50; i++) await router.route(ticket);
    // Every fallback is counted; a burst of them within a second is one line.
    expect(await count(metrics, 'ai_fallbacks_total')).toBe(50);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(lines[0]).toMatchObject({ fallback: 'lower-tier', reason: 'status', notLogged: 0 });
  });

  it('static: answers the static label, not the lower tier answer', async () => {
    const config = configWith({ resilience: { fallback: { strategy: 'static', static: staticAnswer, cacheTtlSeconds: 3600 } } });
    const { router, metrics } = setup(says('billing', 0.5), fails('status'), config);
    const answer = await router.route(ticket);
    expect(answer).toMatchObject({
      prediction: { label: 'general', confidence: 0, reply: null },
      tier: 'static',
      fallback: 'static',
      fallbackReason: 'status',
      fields: { queue: 'general', reply: null },
    });
    expect(await count(metrics, 'ai_fallbacks_total', { strategy: 'static', reason: 'status' })).toBe(1);
  });

  it('cache: answers a repeated input from the cache, else the lower tier, else the static answer', async () => {
    const config = configWith({ resilience: { fallback: { strategy: 'cache', static: staticAnswer, cacheTtlSeconds: 60 } } });
    const { router, strong, fast, metrics } = setup(says('billing', 0.5), says('technical', 0.95), config);
    expect((await router.route(ticket)).tier).toBe('strong');

    strong.behave = fails('status');
    expect(await router.route(ticket)).toMatchObject({
      prediction: { label: 'technical', confidence: 0.95 },
      tier: 'cache',
      fallback: 'cache',
      fallbackReason: 'status',
    });
    // A miss: the lower tier's answer.
    expect(await router.route('Another ticket entirely.')).toMatchObject({
      prediction: { label: 'billing' },
      tier: 'fast',
      fallback: 'lower-tier',
    });
    // A miss and no tier answer: the static one.
    fast.behave = fails('status');
    expect(await router.route('A third ticket.')).toMatchObject({ tier: 'static', fallback: 'static', prediction: { label: 'general' } });
    // The cached answer still stands for its input.
    expect(await router.route(ticket)).toMatchObject({ tier: 'cache', prediction: { label: 'technical' } });

    expect(await count(metrics, 'ai_fallbacks_total', { strategy: 'cache' })).toBe(2);
    expect(await count(metrics, 'ai_fallbacks_total', { strategy: 'lower-tier' })).toBe(1);
    expect(await count(metrics, 'ai_fallbacks_total', { strategy: 'static' })).toBe(1);
  });

  it('cache: an expired answer is a miss', async () => {
    // The cache's clock is Date: moved past the TTL by the test, not waited for (a busy machine could outwait it).
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const config = configWith({ resilience: { fallback: { strategy: 'cache', cacheTtlSeconds: 60 } } });
      const { router, strong, fast } = setup(says('billing', 0.9), says('technical', 0.95), config);
      await router.route(ticket);
      fast.behave = fails('status');
      strong.behave = fails('status');
      vi.setSystemTime(Date.now() + 59_000);
      expect((await router.route(ticket)).tier).toBe('cache');
      vi.setSystemTime(Date.now() + 1_000);
      await expect(router.route(ticket)).rejects.toBeInstanceOf(NoAnswerError);
    } finally {
      vi.useRealTimers();
    }
  });

  it('without a fallback, fails with NoAnswerError and the reason, even with a low-confidence answer', async () => {
    const config = configWith({ resilience: { fallback: undefined } });
    const { router, metrics } = setup(says('billing', 0.5), fails('invalid-output'), config);
    const error = await router.route(ticket).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoAnswerError);
    expect((error as NoAnswerError).reason).toBe('invalid-output');
    expect(await count(metrics, 'ai_fallbacks_total')).toBe(0);
  });

  it('fails with NoAnswerError when the fallback has nothing to give', async () => {
    const config = configWith({ resilience: { fallback: { strategy: 'lower-tier', cacheTtlSeconds: 3600 } } });
    const { router } = setup(fails('network'), fails('network'), config);
    await expect(router.route(ticket)).rejects.toMatchObject({ name: 'NoAnswerError', reason: 'network' });
  });
});

describe('Router: single routing', () => {
  const single = (fallback: ResilienceConfig['fallback']) => configWith({ routing: { strategy: 'single' }, resilience: { fallback } });

  it('asks only the first tier, however unsure it is', async () => {
    const { router, strong } = setup(says('billing', 0.1), says('technical', 0.95), single(undefined));
    expect(await router.route('x'.repeat(5000))).toMatchObject({
      tier: 'fast',
      fallback: 'none',
      tiers: ['fast'],
      prediction: { label: 'billing' },
    });
    expect(strong.calls).toEqual([]);
  });

  it('has the second tier stand in for a failing first one with a lower-tier fallback', async () => {
    const { router, strong, metrics } = setup(
      fails('status'),
      says('technical', 0.95),
      single({ strategy: 'lower-tier', cacheTtlSeconds: 3600 }),
    );
    const answer = await router.route(ticket);
    expect(answer).toMatchObject({
      prediction: { label: 'technical' },
      tier: 'strong',
      fallback: 'lower-tier',
      fallbackReason: 'status',
      tiers: ['fast', 'strong'],
    });
    expect(answer.costUsd).toBeCloseTo(0.01);
    expect(strong.calls).toHaveLength(1);
    expect(await count(metrics, 'ai_escalations_total')).toBe(0);
    expect(await count(metrics, 'ai_fallbacks_total', { strategy: 'lower-tier', reason: 'status' })).toBe(1);
  });

  it('answers the static answer when the stand-in fails too', async () => {
    const { router } = setup(
      fails('status'),
      fails('network'),
      single({ strategy: 'lower-tier', static: staticAnswer, cacheTtlSeconds: 3600 }),
    );
    expect(await router.route(ticket)).toMatchObject({ tier: 'static', fallback: 'static', fallbackReason: 'status' });
  });

  it('does not call the second tier with a static fallback, nor without a fallback', async () => {
    const withStatic = setup(
      fails('status'),
      says('technical', 0.95),
      single({ strategy: 'static', static: staticAnswer, cacheTtlSeconds: 3600 }),
    );
    expect(await withStatic.router.route(ticket)).toMatchObject({ tier: 'static', fallback: 'static' });
    expect(withStatic.strong.calls).toEqual([]);

    const without = setup(fails('status'), says('technical', 0.95), single(undefined));
    await expect(without.router.route(ticket)).rejects.toBeInstanceOf(NoAnswerError);
    expect(without.strong.calls).toEqual([]);
  });
});

describe('Router: the whole-request deadline', () => {
  it('answers by the fallback within resilience.timeoutMs when a tier hangs', async () => {
    const config = configWith({ resilience: { requestTimeoutMs: 150 }, timeoutsMs: 5000 });
    const { router, metrics } = setup(says('billing', 0.5), hangs, config);
    const started = performance.now();
    const answer = await router.route(ticket);
    const elapsed = performance.now() - started;
    expect(answer).toMatchObject({ tier: 'fast', fallback: 'lower-tier', fallbackReason: 'timeout', prediction: { label: 'billing' } });
    expect(elapsed).toBeGreaterThanOrEqual(145);
    // Not the tier's 5 s timeout (bounds a busy machine cannot reach).
    expect(elapsed).toBeLessThan(2500);
    expect(await count(metrics, 'ai_fallbacks_total', { strategy: 'lower-tier', reason: 'timeout' })).toBe(1);
  });

  it('bounds the retries and their waits as well', async () => {
    const config = configWith({
      resilience: { requestTimeoutMs: 150, retry: { maxAttempts: 5, backoff: 'fixed', initialDelayMs: 1000, maxDelayMs: 1000 } },
      timeoutsMs: 5000,
    });
    const { router } = setup(says('billing', 0.5), fails('status'), config);
    const started = performance.now();
    expect(await router.route(ticket)).toMatchObject({ fallback: 'lower-tier', fallbackReason: 'timeout' });
    // Not the 4 s of waits the retries would take.
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('fails with NoAnswerError timeout when nothing can answer in time', async () => {
    const config = configWith({ resilience: { requestTimeoutMs: 100, fallback: undefined }, timeoutsMs: 5000 });
    const { router } = setup(hangs, hangs, config);
    const started = performance.now();
    await expect(router.route(ticket)).rejects.toMatchObject({ name: 'NoAnswerError', reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(2500); // not the tiers' 5 s
  });

  it('gives up without a fallback when the caller aborts', async () => {
    const config = configWith({ timeoutsMs: 5000 });
    const { router, metrics } = setup(says('billing', 0.5), hangs, config);
    const caller = new AbortController();
    setTimeout(() => caller.abort(), 30);
    const started = performance.now();
    await expect(router.route(ticket, caller.signal)).rejects.not.toBeInstanceOf(NoAnswerError);
    expect(performance.now() - started).toBeLessThan(2500); // not the tiers' 5 s
    expect(await count(metrics, 'ai_fallbacks_total')).toBe(0);
  });
});
