// The service under pressure, in process over real HTTP with fake tiers: admission control (load
// shedding), the drain on close, the limits on bodies and connections, the metrics that tell good
// answers from degraded ones, and the breaker against the dev fake upstream.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import type { Config } from '../src/config/index.js';
import { startFakeLlm, type FakeLlm, type FakeLlmOptions } from '../src/dev/fake-llm.js';
import { createMetrics } from '../src/monitoring/metrics.js';
import { Admission } from '../src/serving/admission.js';
import { TierError, type ModelTier, type Prediction } from '../src/serving/tier.js';
import { triageConfig, triageTiers } from './support/triage.js';

type Behaviour = (text: string, signal: AbortSignal) => Promise<Prediction>;

function tier(name: string, kind: 'local' | 'http', behave: Behaviour): ModelTier & { calls: number } {
  const fake = {
    name,
    kind,
    model: `${name}-model`,
    costPerRequestUsd: kind === 'http' ? 0.004 : 0,
    calls: 0,
    predict(text: string, signal: AbortSignal) {
      fake.calls++;
      return behave(text, signal);
    },
  };
  return fake;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const answers =
  (label: string, confidence: number, delayMs = 0): Behaviour =>
  async () => {
    if (delayMs > 0) await sleep(delayMs);
    return { label, confidence, reply: null };
  };
const fails: Behaviour = async () => {
  throw new TierError('strong', 'status', 'HTTP 503', { status: 503 });
};

const apps: App[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(apps.splice(0).map((app) => app.close(0)));
});

async function start(options: { fast?: Behaviour; strong?: Behaviour; config?: Partial<Config> } = {}) {
  const base = triageConfig();
  const config: Config = {
    ...base,
    tiers: base.tiers.map((t) => ({ ...t, timeoutMs: 5000 })),
    resilience: {
      ...base.resilience,
      requestTimeoutMs: 10_000,
      retry: { maxAttempts: 1, backoff: 'fixed', initialDelayMs: 1, maxDelayMs: 1 },
    },
    predictionLogSampleRate: 0,
    ...options.config,
  };
  const fast = tier('fast', 'local', options.fast ?? answers('billing', 0.9));
  const strong = tier('strong', 'http', options.strong ?? answers('technical', 0.95));
  const app = createApp({ config, tiers: [fast, strong], metrics: createMetrics(config, { defaultMetrics: false }) });
  apps.push(app);
  const { port } = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const predict = (body: unknown = { text: 'My invoice shows a double charge.' }) =>
    fetch(`${url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
    }
    return undefined;
  };
  return { app, port, url, fast, strong, predict, metric };
}

/** A raw connection, and what it received. */
function raw(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    socket,
    closed,
    get received() {
      return received;
    },
  };
}

describe('admission control', () => {
  const limits = (maxInFlight: number, maxQueue: number, maxQueueWaitMs = 5000) => ({
    config: { admission: { maxInFlight, maxQueue, maxQueueWaitMs, maxEventLoopLagMs: Number.POSITIVE_INFINITY } },
  });

  it('refuses a request beyond the in-flight limit and its queue at once: 503, Retry-After, counted as shed', async () => {
    const { predict, metric, fast } = await start({ fast: answers('billing', 0.9, 400), ...limits(1, 0) });
    const first = predict();
    await expect.poll(() => fast.calls).toBe(1);
    const refused = await predict();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ error: { code: 'overloaded', reason: 'queue-full' } });
    // Refused before any tier was asked.
    expect(fast.calls).toBe(1);
    expect((await first).status).toBe(200);
    expect(await metric('ai_requests_shed_total', { reason: 'queue-full' })).toBe(1);
    expect(await metric('ai_requests_total', { outcome: 'error' })).toBe(1);
    // The slot is free again.
    expect((await predict()).status).toBe(200);
  });

  it('lets a request wait its turn in the queue, and sheds it once it has waited maxQueueWaitMs', async () => {
    const queued = await start({ fast: answers('billing', 0.9, 200), ...limits(1, 1) });
    const results = await Promise.all([queued.predict(), queued.predict()]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);

    // The first request holds the only slot until the test lets it go: the second waits in the queue past 50 ms.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const timedOut = await start({
      fast: async () => {
        await held;
        return { label: 'billing', confidence: 0.9, reply: null };
      },
      ...limits(1, 1, 50),
    });
    const first = timedOut.predict();
    await expect.poll(() => timedOut.fast.calls).toBe(1);
    const waited = await timedOut.predict();
    expect(waited.status).toBe(503);
    expect(await waited.json()).toMatchObject({ error: { reason: 'queue-timeout' } });
    expect(timedOut.fast.calls).toBe(1);
    release();
    expect((await first).status).toBe(200);
  });

  it('sheds while its event loop lags past the limit (maxQueueWaitMs unless maxEventLoopLagMs says otherwise)', async () => {
    const lagging = new Admission({ maxInFlight: 4, maxQueue: 4, maxQueueWaitMs: 50 });
    const deaf = new Admission({ maxInFlight: 4, maxQueue: 4, maxQueueWaitMs: 50, maxEventLoopLagMs: Number.POSITIVE_INFINITY });
    try {
      await new Promise((resolve) => setTimeout(resolve, 150));
      // The loop held for 400 ms: the lag sampled next is at least 300 ms, however busy the machine (only more).
      const until = performance.now() + 400;
      while (performance.now() < until);
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(lagging.lag).toBeGreaterThan(50);
      await expect(lagging.admit(new AbortController().signal)).rejects.toMatchObject({ reason: 'event-loop-lag' });
      const release = await deaf.admit(new AbortController().signal);
      expect(deaf.inFlight).toBe(1);
      release();
    } finally {
      lagging.close();
      deaf.close();
    }
  });

  it('moves ai_requests_in_flight while a request is answered', async () => {
    const { predict, metric, fast } = await start({ fast: answers('billing', 0.9, 300) });
    expect(await metric('ai_requests_in_flight')).toBe(0);
    const pending = predict();
    await expect.poll(() => fast.calls).toBe(1);
    expect(await metric('ai_requests_in_flight')).toBe(1);
    await pending;
    expect(await metric('ai_requests_in_flight')).toBe(0);
  });
});

describe('good and degraded answers', () => {
  it('counts the answers of a tier apart from those of a fallback, both in availability', async () => {
    let failing = false;
    const { predict, metric } = await start({
      fast: answers('billing', 0.5),
      strong: (text, signal) => (failing ? fails(text, signal) : answers('technical', 0.95)(text, signal)),
    });
    expect((await predict()).headers.get('x-fallback')).toBe('none');
    failing = true;
    const degraded = await predict();
    expect(degraded.status).toBe(200);
    expect(degraded.headers.get('x-fallback')).toBe('lower-tier');
    expect(await metric('ai_answers_total', { quality: 'good' })).toBe(1);
    expect(await metric('ai_answers_total', { quality: 'degraded' })).toBe(1);
    expect(await metric('ai_requests_total', { outcome: 'success' })).toBe(1);
  });

  it('has no sample of a business metric before any feedback: no data is not 0', async () => {
    const { url, metric } = await start();
    expect(await metric('ai_business_metric', { metric: 'routing_accuracy' })).toBeUndefined();
    expect(await metric('ai_business_metric', { metric: 'median_first_response_minutes' })).toBeUndefined();
    await fetch(`${url}/v1/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ predictionId: 'x', correct: false }),
    });
    expect(await metric('ai_business_metric', { metric: 'routing_accuracy' })).toBe(0);
    expect(await metric('ai_business_metric', { metric: 'median_first_response_minutes' })).toBeUndefined();
  });
});

describe('bodies the service will not spend on', () => {
  it('refuses text of invisible characters only with 400, before any tier', async () => {
    const { predict, fast, strong } = await start();
    const response = await predict({ text: '\u200B\u200C\u200D\u2060\uFEFF \u200B' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { details: [{ path: 'text', message: 'has no visible characters' }] } });
    expect(fast.calls + strong.calls).toBe(0);
  });

  it('answers a body of 20,000 unknown keys with a short error', async () => {
    const { predict, url } = await start();
    const keys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 1]));
    for (const response of [
      await predict({ text: 'hello', ...keys }),
      await fetch(`${url}/v1/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ predictionId: 'x', correct: true, ...keys }),
      }),
    ]) {
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(text.length).toBeLessThan(4096);
      const details = (JSON.parse(text) as { error: { details: { path: string; message: string }[] } }).error.details;
      expect(details).toHaveLength(21);
      expect(details.at(-1)).toEqual({ path: '(more)', message: expect.stringMatching(/^and \d+ more$/) });
    }
  });

  it('cuts off a client that sends its body too slowly', async () => {
    const { port } = await start({ config: { requestReadTimeoutMs: 1000 } });
    const slow = raw(port);
    slow.socket.write('POST /v1/predict HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"te');
    // Node checks each second: cut within a few, not the 300 s of its default.
    await slow.closed;
    expect(slow.received).toMatch(/^HTTP\/1\.1 408 /);
  }, 15_000);

  it('holds at most maxConnections connections', async () => {
    const { port } = await start({ config: { maxConnections: 2 } });
    const held = [raw(port), raw(port)];
    for (const connection of held) connection.socket.write('GET /healthz HTTP/1.1\r\nhost: t\r\n\r\n');
    await expect.poll(() => held.every((c) => c.received.includes('200 OK'))).toBe(true);
    const third = raw(port);
    third.socket.write('GET /healthz HTTP/1.1\r\nhost: t\r\n\r\n');
    await third.closed;
    expect(third.received).toBe('');
  });
});

describe('drain', () => {
  it('finishes a request in flight, and tells its kept-alive connection to close', async () => {
    // A short linger: the connection is told to close, and the drain need not wait a second for another request on it.
    const { app, port, fast } = await start({ fast: answers('billing', 0.9, 300), config: { shutdownLingerMs: 50 } });
    const client = raw(port);
    const body = JSON.stringify({ text: 'My invoice shows a double charge.' });
    client.socket.write(
      `POST /v1/predict HTTP/1.1\r\nhost: t\r\nconnection: keep-alive\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await expect.poll(() => fast.calls).toBe(1);
    const closing = app.close(5000);
    await closing;
    await client.closed;
    expect(client.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(client.received).toMatch(/\r\nconnection: close\r\n/i);
  });
});

describe('the breaker against a real upstream (the dev fake)', () => {
  const fakes: FakeLlm[] = [];
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((fake) => fake.close()));
  });

  /** The reference example's service with its http tier on a fake, a small breaker and no retry. */
  async function service(fakeOptions: FakeLlmOptions) {
    const fake = await startFakeLlm(fakeOptions);
    fakes.push(fake);
    const loaded = triageConfig({ TRIAGE_LLM_URL: fake.url });
    const config: Config = {
      ...loaded,
      logLevel: 'silent',
      predictionLogSampleRate: 0,
      resilience: {
        ...loaded.resilience,
        retry: { maxAttempts: 2, backoff: 'fixed', initialDelayMs: 1, maxDelayMs: 1 },
        circuitBreaker: { failureRateThreshold: 0.5, minimumRequests: 4, windowSeconds: 30, halfOpenAfterSeconds: 0.3 },
      },
    };
    const app = createApp({
      config,
      tiers: triageTiers(config),
      metrics: createMetrics(config, { defaultMetrics: false }),
    });
    apps.push(app);
    const { port } = await app.listen(0, '127.0.0.1');
    // Unlike every example: the local tier is unsure, and the cascade escalates.
    const escalate = (signal?: AbortSignal) =>
      fetch(`http://127.0.0.1:${port}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'zxq vlorp quandle mirth blenk snood fimble' }),
        ...(signal ? { signal } : {}),
      });
    return { app, fake, escalate };
  }

  it('neither retries nor counts a 401: our key is wrong, the upstream is up', async () => {
    const { app, fake, escalate } = await service({ apiKey: 'the-right-key' });
    for (let i = 0; i < 12; i++) expect((await escalate()).headers.get('x-fallback')).not.toBe('none');
    expect(fake.requests).toBe(12);
    expect(app.router.breakerStates()['strong']).toBe('closed');
  });

  it('opens on a hung upstream, and a probe its client abandoned does not close it', async () => {
    const { app, fake, escalate } = await service({ fault: { type: 'timeout', rate: 1 } });
    // Short tries: the example's 900 ms per try, with a deadline of 2 s.
    await Promise.all(Array.from({ length: 4 }, () => escalate()));
    expect(app.router.breakerStates()['strong']).toBe('open');
    await sleep(350);
    const before = fake.requests;
    const client = new AbortController();
    const probe = escalate(client.signal).catch(() => 'abandoned');
    await expect.poll(() => fake.requests).toBe(before + 1);
    expect(app.router.breakerStates()['strong']).toBe('half-open');
    client.abort();
    expect(await probe).toBe('abandoned');
    await expect.poll(() => app.router.breakerStates()['strong']).toBe('open');
    // Recovered: the next probe closes it.
    fake.setFault(null);
    await sleep(350);
    const answer = await escalate();
    expect(answer.headers.get('x-model-tier')).toBe('strong');
    expect(app.router.breakerStates()['strong']).toBe('closed');
  }, 20_000);
});
