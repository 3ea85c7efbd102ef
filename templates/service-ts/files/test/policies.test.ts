// tierPolicy: the per-try timeout, retries with capped backoff (http tiers only), the circuit
// breaker and the bulkhead of one tier, driven with a fake try function and small numbers.
import { BrokenCircuitError, BulkheadRejectedError, CircuitState, TaskCancelledError } from 'cockatiel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ResilienceConfig, TierConfig } from '../src/config/index.js';
import type { BreakerStateName } from '../src/monitoring/metrics.js';
import { WindowBreaker, reasonOf, tierPolicy, type FailureReason, type TierPolicy } from '../src/orchestration/policies.js';
import { TierError, type TierFailure } from '../src/serving/tier.js';

const httpTier: TierConfig = { name: 'strong', kind: 'http', model: 'm', timeoutMs: 1000, costPerRequestUsd: 0.01 };
const localTier: TierConfig = { name: 'fast', kind: 'local', model: 'k', timeoutMs: 1000, costPerRequestUsd: 0 };
const retry = (maxAttempts: number, initialDelayMs = 1, maxDelayMs = 5, backoff: 'exponential' | 'fixed' = 'exponential') => ({
  requestTimeoutMs: 10_000,
  retry: { maxAttempts, backoff, initialDelayMs, maxDelayMs },
});
const breaker = { failureRateThreshold: 0.5, minimumRequests: 4, windowSeconds: 1, halfOpenAfterSeconds: 0.2 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const never = new AbortController().signal;

/** A try function that fails with `failure` (or answers 'ok' once `failures` tries have failed), counting and timing its tries. */
function tries(failures = Infinity, failure: TierFailure = 'status') {
  const started: number[] = [];
  const ended: number[] = [];
  const attempt = async (_signal: AbortSignal): Promise<string> => {
    started.push(performance.now());
    await Promise.resolve();
    ended.push(performance.now());
    if (started.length <= failures) throw new TierError('strong', failure, `try ${started.length} failed`);
    return 'ok';
  };
  return {
    attempt,
    started,
    ended,
    get calls() {
      return started.length;
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** What the policy answers a call it must refuse without running (an open breaker, a full bulkhead). */
async function refusedUnrun(policy: TierPolicy): Promise<unknown> {
  let called = false;
  const error = await failure(
    policy.execute(async () => {
      called = true;
      return 'ok';
    }, never),
  );
  expect(called).toBe(false);
  return error;
}

describe('tierPolicy: retries', () => {
  it('tries an http tier exactly maxAttempts times in all, the first try included', async () => {
    for (const maxAttempts of [1, 2, 4]) {
      const outcomes: string[] = [];
      const t = tries();
      const policy = tierPolicy(httpTier, retry(maxAttempts), { onAttempt: (outcome) => outcomes.push(outcome) });
      const error = await failure(policy.execute(t.attempt, never));
      expect(error).toBeInstanceOf(TierError);
      expect(t.calls).toBe(maxAttempts);
      expect(outcomes).toEqual(Array(maxAttempts).fill('status'));
    }
  });

  it('stops retrying at the first success', async () => {
    const outcomes: string[] = [];
    const t = tries(2);
    const policy = tierPolicy(httpTier, retry(5), { onAttempt: (outcome) => outcomes.push(outcome) });
    await expect(policy.execute(t.attempt, never)).resolves.toBe('ok');
    expect(t.calls).toBe(3);
    expect(outcomes).toEqual(['status', 'status', 'success']);
  });

  it('does not retry a local tier', async () => {
    const t = tries();
    const policy = tierPolicy(localTier, retry(4));
    await expect(policy.execute(t.attempt, never)).rejects.toBeInstanceOf(TierError);
    expect(t.calls).toBe(1);
  });

  it('retries transient failures only: a reset, a 5xx, 408 and 429; not 400, 401, a malformed answer nor a refusal', async () => {
    const cases: [TierFailure, number | undefined, number][] = [
      ['network', undefined, 2],
      ['status', 500, 2],
      ['status', 503, 2],
      ['status', 408, 2],
      ['status', 429, 2],
      ['status', 400, 1],
      ['status', 401, 1],
      ['invalid-output', undefined, 1],
      ['refusal', undefined, 1],
    ];
    for (const [kind, status, calls] of cases) {
      let made = 0;
      const attempt = async (): Promise<string> => {
        made++;
        throw new TierError('strong', kind, `${kind} ${status}`, status === undefined ? {} : { status });
      };
      await expect(tierPolicy(httpTier, retry(2)).execute(attempt, never)).rejects.toMatchObject({ failure: kind });
      expect(made, `${kind} ${status}`).toBe(calls);
    }
  });

  it('waits the Retry-After of a 429 before the next try, and makes no try whose wait ends past the deadline', async () => {
    const delays: number[] = [];
    let made = 0;
    const attempt = async (): Promise<string> => {
      made++;
      if (made === 1) throw new TierError('strong', 'status', 'HTTP 429', { status: 429, retryAfterMs: 50 });
      return 'ok';
    };
    const policy = tierPolicy(httpTier, retry(2, 1, 5), { onRetry: (_attempt, delayMs) => delays.push(delayMs) });
    await expect(policy.execute(attempt, never, { deadlineAt: Date.now() + 10_000 })).resolves.toBe('ok');
    // Above maxDelayMs (5): the upstream's word wins.
    expect(delays).toEqual([50]);

    made = 0;
    const late = async (): Promise<string> => {
      made++;
      throw new TierError('strong', 'status', 'HTTP 429', { status: 429, retryAfterMs: 5000 });
    };
    await expect(tierPolicy(httpTier, retry(3)).execute(late, never, { deadlineAt: Date.now() + 1000 })).rejects.toMatchObject({
      status: 429,
    });
    expect(made).toBe(1);
  });

  it('waits between tries no longer than maxDelayMs, even when initialDelayMs is larger', async () => {
    const delays: number[] = [];
    const t = tries();
    // Uncapped, an initial delay of 1 s would wait seconds between these tries.
    const policy = tierPolicy(httpTier, retry(4, 1000, 40), { onRetry: (_attempt, delayMs) => delays.push(delayMs) });
    await expect(policy.execute(t.attempt, never)).rejects.toBeInstanceOf(TierError);
    expect(t.calls).toBe(4);
    expect(delays).toHaveLength(3);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(40);
    }
    // It really waited what the backoff chose (a timer never fires early; how late it fires is the machine's business).
    for (let i = 1; i < t.calls; i++) expect(t.started[i]! - t.ended[i - 1]!).toBeGreaterThanOrEqual(delays[i - 1]! - 2);
  });

  it('waits initialDelayMs between tries with a fixed backoff', async () => {
    const t = tries();
    const delays: number[] = [];
    const policy = tierPolicy(httpTier, retry(3, 30, 400, 'fixed'), { onRetry: (_attempt, delayMs) => delays.push(delayMs) });
    await expect(policy.execute(t.attempt, never)).rejects.toBeInstanceOf(TierError);
    expect(delays).toEqual([30, 30]);
    // A timer never fires early; how late it fires is the machine's business.
    for (let i = 1; i < t.calls; i++) expect(t.started[i]! - t.ended[i - 1]!).toBeGreaterThanOrEqual(28);
  });

  it('does not retry a try the caller aborted (TierError aborted)', async () => {
    const t = tries(Infinity, 'aborted');
    const error = await failure(tierPolicy(httpTier, retry(3)).execute(t.attempt, never));
    expect(error).toMatchObject({ failure: 'aborted' });
    expect(t.calls).toBe(1);
  });

  it('does not retry once the caller has aborted during a try', async () => {
    const caller = new AbortController();
    let calls = 0;
    const attempt = (signal: AbortSignal) =>
      new Promise<string>((_resolve, reject) => {
        calls++;
        signal.addEventListener('abort', () => reject(new TierError('strong', 'aborted', 'aborted')));
      });
    setTimeout(() => caller.abort(), 20);
    await expect(tierPolicy(httpTier, retry(3)).execute(attempt, caller.signal)).rejects.toBeDefined();
    expect(calls).toBe(1);
  });

  it('makes no further try when the caller aborts during the wait before a retry', async () => {
    const caller = new AbortController();
    const t = tries();
    setTimeout(() => caller.abort(), 20);
    // The first try fails at once; the caller gives up during the 100 ms wait.
    const outcomes: string[] = [];
    const policy = tierPolicy(httpTier, retry(3, 100, 100, 'fixed'), { onAttempt: (o) => outcomes.push(o) });
    const error = await failure(policy.execute(t.attempt, caller.signal));
    expect(reasonOf(error)).toBe('aborted');
    expect(t.calls).toBe(1);
    expect(outcomes).toEqual(['status']);
  });
});

describe('tierPolicy: the per-try timeout', () => {
  it('turns a slow try into a timeout even when the tier ignores its signal', async () => {
    const outcomes: FailureReason[] = [];
    const policy = tierPolicy(
      { ...localTier, timeoutMs: 40 },
      { requestTimeoutMs: 10_000 },
      { onAttempt: (o) => outcomes.push(o as FailureReason) },
    );
    let seen: AbortSignal | undefined;
    const started = performance.now();
    const error = await failure(
      policy.execute(async (signal) => {
        seen = signal;
        await sleep(5000); // deaf to the signal
        return 'late';
      }, never),
    );
    // Long before the deaf try ends (bounds a busy machine cannot reach).
    expect(performance.now() - started).toBeLessThan(2500);
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect(reasonOf(error)).toBe('timeout');
    expect(outcomes).toEqual(['timeout']);
    // The try's signal tells a tier that listens to stop.
    expect(seen?.aborted).toBe(true);
  });

  it('bounds each try of an http tier, and retries a timed-out try', async () => {
    const outcomes: string[] = [];
    let calls = 0;
    const policy = tierPolicy({ ...httpTier, timeoutMs: 30 }, retry(2), { onAttempt: (o) => outcomes.push(o) });
    const started = performance.now();
    const error = await failure(
      policy.execute(async () => {
        calls++;
        await sleep(3000);
        return 'late';
      }, never),
    );
    expect(reasonOf(error)).toBe('timeout');
    expect(calls).toBe(2);
    expect(outcomes).toEqual(['timeout', 'timeout']);
    // Two tries cut at 30 ms, not two of 3 s.
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('lets a try that answers in time through, and reports its duration', async () => {
    const durations: number[] = [];
    const policy = tierPolicy(
      // Roomy, so that a busy machine does not time the 30 ms try out.
      { ...localTier, timeoutMs: 5000 },
      { requestTimeoutMs: 10_000 },
      { onAttempt: (o, ms) => o === 'success' && durations.push(ms) },
    );
    await expect(
      policy.execute(async () => {
        await sleep(30);
        return 'in time';
      }, never),
    ).resolves.toBe('in time');
    expect(durations).toHaveLength(1);
    expect(durations[0]).toBeGreaterThanOrEqual(25);
    expect(durations[0]).toBeLessThan(5000);
  });
});

describe('tierPolicy: the circuit breaker', () => {
  const failing = async (): Promise<string> => {
    throw new TierError('strong', 'status', 'HTTP 503');
  };
  const answering = async (): Promise<string> => 'ok';

  it('opens after minimumRequests failing calls, then refuses at once without calling the tier', async () => {
    const states: BreakerStateName[] = [];
    const outcomes: string[] = [];
    const policy = tierPolicy(
      httpTier,
      { requestTimeoutMs: 10_000, circuitBreaker: breaker },
      {
        onBreakerState: (state) => states.push(state),
        onAttempt: (outcome, ms) => outcomes.push(`${outcome}:${ms}`),
      },
    );
    expect(policy.breakerState()).toBe('closed');
    for (let i = 0; i < breaker.minimumRequests - 1; i++) await expect(policy.execute(failing, never)).rejects.toBeInstanceOf(TierError);
    // Too few calls yet for the failure rate to count.
    expect(policy.breakerState()).toBe('closed');
    await expect(policy.execute(failing, never)).rejects.toBeInstanceOf(TierError);
    expect(policy.breakerState()).toBe('open');
    expect(states).toEqual(['open']);

    const error = await refusedUnrun(policy);
    expect(error).toBeInstanceOf(BrokenCircuitError);
    expect(reasonOf(error)).toBe('breaker-open');
    expect(outcomes.at(-1)).toBe('breaker-open:0');
  });

  it('opens only above the failure-rate threshold', async () => {
    const policy = tierPolicy(httpTier, { requestTimeoutMs: 10_000, circuitBreaker: breaker });
    await policy.execute(answering, never);
    await policy.execute(answering, never);
    await expect(policy.execute(failing, never)).rejects.toBeInstanceOf(TierError);
    await expect(policy.execute(failing, never)).rejects.toBeInstanceOf(TierError);
    // 2 of 4 failed: at the threshold of 0.5, not above it.
    expect(policy.breakerState()).toBe('closed');
    await expect(policy.execute(failing, never)).rejects.toBeInstanceOf(TierError);
    // 3 of 5.
    expect(policy.breakerState()).toBe('open');
  });

  it('does not count calls the caller aborted (TierError aborted)', async () => {
    const policy = tierPolicy(httpTier, { requestTimeoutMs: 10_000, circuitBreaker: breaker });
    for (let i = 0; i < 10; i++) {
      await expect(
        policy.execute(async () => {
          throw new TierError('strong', 'aborted', 'the caller left');
        }, never),
      ).rejects.toBeInstanceOf(TierError);
    }
    expect(policy.breakerState()).toBe('closed');
  });

  /** A policy whose breaker has just opened, and the states it went through. */
  async function openedBreaker() {
    const states: BreakerStateName[] = [];
    const policy = tierPolicy(
      httpTier,
      { requestTimeoutMs: 10_000, circuitBreaker: breaker },
      { onBreakerState: (state) => states.push(state) },
    );
    for (let i = 0; i < breaker.minimumRequests; i++) await expect(policy.execute(failing, never)).rejects.toBeInstanceOf(TierError);
    return { policy, states };
  }

  // The breaker's clock is Date (cockatiel's and the window's): moved by the tests, to the millisecond, rather than
  // slept through (a busy machine could sleep past the moment a test means to look at).
  it('half-opens after halfOpenAfterSeconds and closes again on a success', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { policy, states } = await openedBreaker();
      expect(policy.breakerState()).toBe('open');
      vi.setSystemTime(Date.now() + breaker.halfOpenAfterSeconds * 1000 - 1);
      await expect(policy.execute(answering, never)).rejects.toBeInstanceOf(BrokenCircuitError);
      vi.setSystemTime(Date.now() + 1);
      // The trial call goes through to the tier.
      await expect(policy.execute(answering, never)).resolves.toBe('ok');
      expect(states).toEqual(['open', 'half-open', 'closed']);
      expect(policy.breakerState()).toBe('closed');
    } finally {
      vi.useRealTimers();
    }
  });

  it('opens again when the half-open trial call fails', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { policy, states } = await openedBreaker();
      vi.setSystemTime(Date.now() + breaker.halfOpenAfterSeconds * 1000);
      await expect(policy.execute(failing, never)).rejects.toBeInstanceOf(TierError);
      expect(states).toEqual(['open', 'half-open', 'open']);
      expect(policy.breakerState()).toBe('open');
    } finally {
      vi.useRealTimers();
    }
  });

  it('is not retried into: an open breaker refuses once, without waiting', async () => {
    const outcomes: string[] = [];
    const policy = tierPolicy(httpTier, { ...retry(3, 50, 50, 'fixed'), circuitBreaker: breaker }, { onAttempt: (o) => outcomes.push(o) });
    // Every try counts in the breaker's window: the three of the first call and the first of the second open it.
    const t = tries();
    await expect(policy.execute(t.attempt, never)).rejects.toBeDefined();
    await expect(policy.execute(t.attempt, never)).rejects.toBeDefined();
    expect(policy.breakerState()).toBe('open');
    const calls = t.calls;
    outcomes.length = 0;
    await expect(policy.execute(t.attempt, never)).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(t.calls).toBe(calls);
    expect(outcomes).toEqual(['breaker-open']);
  });

  it('has no breaker state without a breaker', () => {
    expect(tierPolicy(httpTier, { requestTimeoutMs: 10_000 }).breakerState()).toBeUndefined();
  });
});

describe('WindowBreaker: a window that moves with time, and a run of failures', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const options = { threshold: 0.5, windowMs: 10_000, minimumRequests: 20 };
  const record = (breaker: WindowBreaker, pattern: string) => {
    let open = false;
    for (const outcome of pattern) {
      if (outcome === 'S') breaker.success(CircuitState.Closed);
      else open = breaker.failure(CircuitState.Closed) || open;
    }
    return open;
  };

  it('forgets the outcomes older than the window, though none was recorded meanwhile', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const breaker = new WindowBreaker(options);
    record(breaker, 'S'.repeat(100));
    // Two failures in three, never 20 in a row: with the 100 successes still counted, 14 of 121 failed.
    expect(record(breaker, 'SFF'.repeat(7))).toBe(false);
    vi.advanceTimersByTime(options.windowMs + 1000);
    expect(breaker.counts()).toEqual({ failures: 0, successes: 0, consecutiveFailures: 0 });
    expect(record(breaker, 'SFF'.repeat(6))).toBe(false); // 18 outcomes: fewer than minimumRequests
    expect(record(breaker, 'SFF')).toBe(true); // 14 of 21 failed
  });

  it('keeps the outcomes within the window', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const breaker = new WindowBreaker(options);
    record(breaker, 'S'.repeat(100));
    vi.advanceTimersByTime(options.windowMs / 2);
    expect(breaker.counts().successes).toBe(100);
    expect(record(breaker, 'SFF'.repeat(7))).toBe(false);
  });

  it('opens on minimumRequests failures in a row, however many successes the window holds', () => {
    const breaker = new WindowBreaker(options);
    record(breaker, 'S'.repeat(1000));
    expect(record(breaker, 'F'.repeat(19))).toBe(false);
    expect(record(breaker, 'F')).toBe(true);
  });

  it('opens at a threshold of 1 only when every call in the window failed', () => {
    const breaker = new WindowBreaker({ ...options, threshold: 1, minimumRequests: 4 });
    expect(record(breaker, 'SFF')).toBe(false);
    expect(record(breaker, 'F')).toBe(false);
    const all = new WindowBreaker({ ...options, threshold: 1, minimumRequests: 4 });
    expect(record(all, 'FFFF')).toBe(true);
  });
});

describe('tierPolicy: what the breaker counts', () => {
  const settings = { failureRateThreshold: 0.5, minimumRequests: 4, windowSeconds: 30, halfOpenAfterSeconds: 0.2 };
  const thrower = (error: Error) => async (): Promise<string> => {
    throw error;
  };

  it('counts a try the request deadline cut as a timeout of the upstream, and opens', async () => {
    const outcomes: string[] = [];
    const policy = tierPolicy(
      httpTier,
      { requestTimeoutMs: 10_000, circuitBreaker: settings },
      { onAttempt: (outcome) => outcomes.push(outcome) },
    );
    const client = new AbortController();
    for (let i = 0; i < settings.minimumRequests; i++) {
      const deadline = new AbortController();
      const hung = policy.execute(
        (signal) =>
          new Promise<string>((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(new TierError('strong', 'aborted', 'cut'))),
          ),
        deadline.signal,
        { client: client.signal },
      );
      deadline.abort();
      expect(reasonOf(await failure(hung))).toBe('timeout');
    }
    expect(outcomes).toEqual(Array(settings.minimumRequests).fill('timeout'));
    expect(policy.breakerState()).toBe('open');
  });

  it('does not count a try the client left', async () => {
    const policy = tierPolicy(httpTier, { requestTimeoutMs: 10_000, circuitBreaker: settings });
    for (let i = 0; i < 10; i++) {
      const client = new AbortController();
      const hung = policy.execute(
        (signal) =>
          new Promise<string>((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(new TierError('strong', 'aborted', 'cut'))),
          ),
        client.signal,
        { client: client.signal },
      );
      client.abort();
      expect(reasonOf(await failure(hung))).toBe('aborted');
    }
    expect(policy.breakerState()).toBe('closed');
  });

  it('counts the calls the bulkhead refuses, and those its queue held past the deadline', async () => {
    const outcomes: string[] = [];
    const policy = tierPolicy(
      httpTier,
      { requestTimeoutMs: 10_000, circuitBreaker: settings, bulkhead: { maxConcurrent: 1, maxQueue: 1 } },
      { onAttempt: (outcome) => outcomes.push(outcome) },
    );
    const holder = new AbortController();
    const held = policy.execute(
      (signal) => new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('x')))),
      holder.signal,
    );
    const deadline = new AbortController();
    const queued = policy.execute(async () => 'never', deadline.signal);
    const refused = [];
    for (let i = 0; i < 2; i++) refused.push(await failure(policy.execute(async () => 'never', never)));
    expect(refused.map(reasonOf)).toEqual(['bulkhead-full', 'bulkhead-full']);
    deadline.abort();
    expect(reasonOf(await failure(queued))).toBe('timeout');
    holder.abort();
    await failure(held);
    expect(outcomes).toEqual(['bulkhead-full', 'bulkhead-full', 'timeout', 'timeout']);
    expect(policy.breakerState()).toBe('open');
  });

  it('counts neither a 400, a 401 nor a malformed answer: the upstream is up', async () => {
    const policy = tierPolicy(httpTier, { requestTimeoutMs: 10_000, circuitBreaker: settings });
    for (let i = 0; i < 10; i++) {
      await failure(policy.execute(thrower(new TierError('strong', 'status', 'HTTP 400', { status: 400 })), never));
      await failure(policy.execute(thrower(new TierError('strong', 'status', 'HTTP 401', { status: 401 })), never));
      await failure(policy.execute(thrower(new TierError('strong', 'invalid-output', 'prose')), never));
    }
    expect(policy.breakerState()).toBe('closed');
    for (let i = 0; i < settings.minimumRequests; i++)
      await failure(policy.execute(thrower(new TierError('strong', 'status', 'HTTP 502', { status: 502 })), never));
    expect(policy.breakerState()).toBe('open');
  });

  it('half-open: refuses every other call at once while the probe is out, and opens again when the client abandons the probe', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const states: BreakerStateName[] = [];
      const policy = tierPolicy(
        httpTier,
        { requestTimeoutMs: 10_000, circuitBreaker: settings },
        { onBreakerState: (s) => states.push(s) },
      );
      for (let i = 0; i < settings.minimumRequests; i++)
        await failure(policy.execute(thrower(new TierError('strong', 'status', 'HTTP 503', { status: 503 })), never));
      vi.setSystemTime(Date.now() + settings.halfOpenAfterSeconds * 1000);
      const client = new AbortController();
      const probe = policy.execute(
        (signal) =>
          new Promise<string>((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(new TierError('strong', 'aborted', 'left'))),
          ),
        client.signal,
        { client: client.signal },
      );
      expect(policy.breakerState()).toBe('half-open');
      expect(await refusedUnrun(policy)).toBeInstanceOf(BrokenCircuitError);
      client.abort();
      expect(reasonOf(await failure(probe))).toBe('aborted');
      // Not a success: the upstream has not shown it is back.
      expect(policy.breakerState()).toBe('open');
      expect(states).toEqual(['open', 'half-open', 'open']);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('tierPolicy: the bulkhead', () => {
  const limits: ResilienceConfig = { requestTimeoutMs: 10_000, bulkhead: { maxConcurrent: 1, maxQueue: 0 } };
  const slow = async () => {
    await sleep(60);
    return 'slow';
  };

  it('refuses a second concurrent call to an http tier with bulkhead-full, without calling the tier', async () => {
    const outcomes: string[] = [];
    const policy = tierPolicy(httpTier, limits, { onAttempt: (o) => outcomes.push(o) });
    const first = policy.execute(slow, never);
    const error = await refusedUnrun(policy);
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect(reasonOf(error)).toBe('bulkhead-full');
    await expect(first).resolves.toBe('slow');
    expect(outcomes).toEqual(['bulkhead-full', 'success']);
    // The slot is free again.
    await expect(policy.execute(async () => 'third', never)).resolves.toBe('third');
  });

  it('queues up to maxQueue calls', async () => {
    const policy = tierPolicy(httpTier, { requestTimeoutMs: 10_000, bulkhead: { maxConcurrent: 1, maxQueue: 1 } });
    const results = await Promise.allSettled([policy.execute(slow, never), policy.execute(slow, never), policy.execute(slow, never)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
  });

  it('does not limit a local tier', async () => {
    const policy = tierPolicy(localTier, limits);
    await expect(Promise.all([policy.execute(slow, never), policy.execute(slow, never)])).resolves.toEqual(['slow', 'slow']);
  });
});

describe('reasonOf', () => {
  it('names each failure', () => {
    expect(reasonOf(new TaskCancelledError('t'))).toBe('timeout');
    expect(reasonOf(new BrokenCircuitError())).toBe('breaker-open');
    expect(reasonOf(new BulkheadRejectedError(1, 0))).toBe('bulkhead-full');
    expect(reasonOf(new TierError('x', 'invalid-output', 'bad'))).toBe('invalid-output');
    expect(reasonOf(new TierError('x', 'aborted', 'gone'))).toBe('aborted');
    expect(reasonOf(new Error('boom'))).toBe('error');
  });
});
