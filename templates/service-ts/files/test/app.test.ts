// The HTTP service in process with fake tiers, over real HTTP: the prediction and feedback
// contracts, the errors, what operators read (metrics, health, readiness, version) and the
// graceful shutdown.
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../src/app.js';
import type { Config, ResilienceConfig } from '../src/config/index.js';
import { generatedBy } from '../src/config/spec.js';
import { createMetrics } from '../src/monitoring/metrics.js';
import { TierError, type ModelTier, type Prediction } from '../src/serving/tier.js';
import { triageConfig, triageSpec } from './support/triage.js';

/** A response body: a prediction, a feedback receipt, or an error. */
type Body = { error: { code: string; message: string; details?: unknown; reason?: string } } & Record<string, unknown>;
type Behaviour = (text: string, signal: AbortSignal) => Prediction | Promise<Prediction>;
type FakeTier = ModelTier & { behave: Behaviour; calls: number };

function fakeTier(name: string, kind: 'local' | 'http', behave: Behaviour): FakeTier {
  const tier: FakeTier = {
    name,
    kind,
    model: `${name}-model`,
    costPerRequestUsd: kind === 'http' ? 0.004 : 0,
    behave,
    calls: 0,
    async predict(text, signal) {
      tier.calls++;
      return tier.behave(text, signal);
    },
  };
  return tier;
}

const says =
  (label: string, confidence: number, delayMs = 0): Behaviour =>
  async () => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return { label, confidence, reply: null };
  };
const fails: Behaviour = () => {
  throw new TierError('any', 'status', 'injected 503', { status: 503 });
};

/** The reference example (tiers fast and strong) with roomy per-try timeouts and no retry wait. */
function appConfig(resilience: Partial<ResilienceConfig> = {}): Config {
  const base = triageConfig();
  return {
    ...base,
    tiers: base.tiers.map((tier) => ({ ...tier, timeoutMs: 1000 })),
    resilience: { ...base.resilience, retry: { maxAttempts: 2, backoff: 'fixed', initialDelayMs: 1, maxDelayMs: 1 }, ...resilience },
    predictionLogSampleRate: 0,
  };
}

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close(0)));
});

async function start(options: { fast?: Behaviour; strong?: Behaviour; config?: Config } = {}) {
  const config = options.config ?? appConfig();
  const fast = fakeTier('fast', 'local', options.fast ?? says('billing', 0.9));
  const strong = fakeTier('strong', 'http', options.strong ?? says('technical', 0.95));
  const app = createApp({ config, tiers: [fast, strong], metrics: createMetrics(config, { defaultMetrics: false }) });
  apps.push(app);
  const { port } = await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${base}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const json = async (response: Response) => (await response.json()) as Body;
  const metricsText = async () => (await fetch(`${base}/metrics`)).text();
  return { app, port, base, fast, strong, post, json, metricsText };
}

/** The value of a metric line whose labels include `labels`, from the text exposition format. */
function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

const ticket = { text: 'My invoice shows a double charge for March, please refund it.' };

describe('POST /v1/predict', () => {
  it('answers the label, confidence, tier and fallback fields, with the tier headers', async () => {
    const { post, json } = await start();
    const response = await post('/v1/predict', { ...ticket, id: 'ticket-1' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-model-tier')).toBe('fast');
    expect(response.headers.get('x-fallback')).toBe('none');
    const body = await json(response);
    expect(body).toMatchObject({
      predictionId: 'ticket-1',
      label: 'billing',
      confidence: 0.9,
      reply: null,
      tier: 'fast',
      fallback: false,
      fallbackStrategy: null,
      fallbackReason: null,
    });
    expect(body['latencyMs']).toEqual(expect.any(Number));
    expect(body).not.toHaveProperty('static');
  });

  it('gives each prediction an id when the request has none', async () => {
    const { post, json } = await start();
    const first = await json(await post('/v1/predict', ticket));
    const second = await json(await post('/v1/predict', ticket));
    expect(first['predictionId']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second['predictionId']).not.toBe(first['predictionId']);
  });

  it('says which fallback answered, and why, in the body and the headers', async () => {
    const { post, json } = await start({ fast: says('billing', 0.5), strong: fails });
    const response = await post('/v1/predict', ticket);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-model-tier')).toBe('fast');
    expect(response.headers.get('x-fallback')).toBe('lower-tier');
    expect(await json(response)).toMatchObject({
      label: 'billing',
      tier: 'fast',
      fallback: true,
      fallbackStrategy: 'lower-tier',
      fallbackReason: 'status',
    });
  });

  it('returns the static answer and its fields when no tier answers', async () => {
    const { post, json } = await start({ fast: fails, strong: fails });
    const response = await post('/v1/predict', ticket);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-model-tier')).toBe('static');
    expect(response.headers.get('x-fallback')).toBe('static');
    expect(await json(response)).toMatchObject({
      label: 'general',
      confidence: 0,
      tier: 'static',
      fallback: true,
      fallbackStrategy: 'static',
      static: { queue: 'general', reply: null },
    });
  });

  it('answers 400 with details for a body that does not match the schema, without asking a tier', async () => {
    const { post, json, fast } = await start();
    const empty = await post('/v1/predict', { text: '   ' });
    expect(empty.status).toBe(400);
    expect(await json(empty)).toEqual({
      error: { code: 'invalid-request', message: expect.any(String), details: [{ path: 'text', message: 'must not be empty' }] },
    });
    const unknown = await json(await post('/v1/predict', { ...ticket, colour: 'red' }));
    expect(unknown['error']['details']).toEqual([{ path: 'colour', message: 'is not a known field' }]);
    const missing = await json(await post('/v1/predict', {}));
    expect(missing['error']['details']).toEqual([{ path: 'text', message: 'is required' }]);
    const notJson = await post('/v1/predict', '{"text": ');
    expect(notJson.status).toBe(400);
    expect((await json(notJson))['error']['code']).toBe('invalid-json');
    expect(fast.calls).toBe(0);
  });

  it('answers 415 to a body that is not declared JSON', async () => {
    const { post, json, base } = await start();
    const textPlain = await post('/v1/predict', JSON.stringify(ticket), { 'content-type': 'text/plain' });
    expect(textPlain.status).toBe(415);
    expect((await json(textPlain))['error']['code']).toBe('unsupported-media-type');
    // Bytes: fetch adds no content-type of its own.
    const untyped = await fetch(`${base}/v1/predict`, { method: 'POST', body: new TextEncoder().encode(JSON.stringify(ticket)) });
    expect(untyped.status).toBe(415);
    expect((await post('/v1/predict', ticket, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('answers 413 to a body over 256 KiB', async () => {
    const { post, json, fast } = await start();
    const response = await post('/v1/predict', { text: 'x'.repeat(256 * 1024 + 1) });
    expect(response.status).toBe(413);
    expect((await json(response))['error']['code']).toBe('too-large');
    expect(fast.calls).toBe(0);
  });

  it('answers 503 with retry-after when neither a tier nor a fallback can', async () => {
    const { post, json, metricsText } = await start({ fast: fails, strong: fails, config: appConfig({ fallback: undefined }) });
    const response = await post('/v1/predict', ticket);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe(String(triageSpec.resilience.circuitBreaker!.halfOpenAfterSeconds));
    expect(await json(response)).toEqual({ error: { code: 'unavailable', message: expect.any(String), reason: 'status' } });
    expect(metricValue(await metricsText(), 'ai_requests_total', { outcome: 'error' })).toBe(1);
  });
});

describe('a client that hangs up', () => {
  it('stops the work it asked for, and does not count as an error of the service', async () => {
    let aborted = false;
    let asked = false;
    const { base, metricsText } = await start({
      fast: (_text, signal) =>
        new Promise<Prediction>((_resolve, reject) => {
          asked = true;
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new TierError('fast', 'aborted', 'aborted'));
          });
        }),
    });
    const client = new AbortController();
    const request = fetch(`${base}/v1/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello' }),
      signal: client.signal,
    });
    // Hung up once the work has begun (a fixed sleep is not enough on a busy machine: the request could be on its way).
    await expect.poll(() => asked).toBe(true);
    client.abort();
    await expect(request).rejects.toThrow();
    await expect.poll(() => aborted).toBe(true);
    const text = await metricsText();
    expect(metricValue(text, 'ai_requests_total', { outcome: 'error' })).toBeUndefined();
  });
});

describe('routes', () => {
  it('answers 404 to an unknown path and 405 with Allow to a wrong method', async () => {
    const { base, json } = await start();
    const missing = await fetch(`${base}/v1/nothing`);
    expect(missing.status).toBe(404);
    expect((await json(missing))['error']['code']).toBe('not-found');

    const getPredict = await fetch(`${base}/v1/predict`);
    expect(getPredict.status).toBe(405);
    expect(getPredict.headers.get('allow')).toBe('POST');
    expect((await json(getPredict))['error']['code']).toBe('method-not-allowed');

    const postMetrics = await fetch(`${base}/metrics`, { method: 'POST' });
    expect(postMetrics.status).toBe(405);
    expect(postMetrics.headers.get('allow')).toBe('GET');
  });

  it('ignores the query string when routing', async () => {
    const { base } = await start();
    expect((await fetch(`${base}/healthz?probe=1`)).status).toBe(200);
  });

  it('/healthz is 200, /readyz 200 with the breaker states once listening', async () => {
    const { base, json, app } = await start();
    expect(app.ready).toBe(true);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await json(health)).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await json(ready)).toEqual({ status: 'ready', breakers: { fast: 'closed', strong: 'closed' } });
  });

  it('is not ready before it listens', () => {
    const config = appConfig();
    const app = createApp({
      config,
      tiers: [fakeTier('fast', 'local', fails), fakeTier('strong', 'http', fails)],
      metrics: createMetrics(config, { defaultMetrics: false }),
    });
    expect(app.ready).toBe(false);
  });

  it('/version names the service and the pack that generated it', async () => {
    const { base, json } = await start();
    const body = await json(await fetch(`${base}/version`));
    expect(body).toMatchObject({
      service: triageSpec.metadata.name,
      version: '0.1.0',
      pack: 'service-ts',
      packVersion: generatedBy.packVersion,
    });
    expect(body['node']).toBe(process.version);
  });
});

describe('POST /v1/feedback', () => {
  it('scores a prediction against the true label, and the accuracy gauge follows', async () => {
    const { post, json, metricsText } = await start();
    const right = await json(await post('/v1/predict', { ...ticket, id: 'p-1' }));
    await post('/v1/predict', { ...ticket, id: 'p-2' });
    const first = await post('/v1/feedback', { predictionId: 'p-1', label: right['label'] });
    expect(first.status).toBe(202);
    expect(await json(first)).toEqual({ accepted: true, correct: true });
    expect(metricValue(await metricsText(), 'ai_business_metric', { metric: 'routing_accuracy' })).toBe(1);

    const second = await post('/v1/feedback', { predictionId: 'p-2', label: 'shipping' });
    expect(await json(second)).toEqual({ accepted: true, correct: false });
    const text = await metricsText();
    expect(metricValue(text, 'ai_business_metric', { metric: 'routing_accuracy' })).toBe(0.5);
    expect(metricValue(text, 'ai_feedback_total', { tier: 'fast', correct: 'true' })).toBe(1);
    expect(metricValue(text, 'ai_feedback_total', { tier: 'fast', correct: 'false' })).toBe(1);
  });

  it('takes `correct` when the true label is unknown, for any prediction id', async () => {
    const { post, json, metricsText } = await start();
    expect(await json(await post('/v1/feedback', { predictionId: 'from-elsewhere', correct: false }))).toEqual({
      accepted: true,
      correct: false,
    });
    expect(metricValue(await metricsText(), 'ai_business_metric', { metric: 'routing_accuracy' })).toBe(0);
  });

  it('summarises business metric values: the median of median_* metrics', async () => {
    const { post, metricsText } = await start();
    for (const minutes of [30, 90, 45]) {
      const response = await post('/v1/feedback', { predictionId: 'any', metrics: { median_first_response_minutes: minutes } });
      expect(response.status).toBe(202);
    }
    const text = await metricsText();
    expect(metricValue(text, 'ai_business_metric', { metric: 'median_first_response_minutes' })).toBe(45);
    expect(metricValue(text, 'ai_business_observations_total', { metric: 'median_first_response_minutes' })).toBe(3);
  });

  it('refuses an unknown metric with 400, recording nothing of that feedback', async () => {
    const { post, json, metricsText } = await start();
    await post('/v1/feedback', { predictionId: 'any', metrics: { median_first_response_minutes: 40 } });
    const response = await post('/v1/feedback', { predictionId: 'any', metrics: { median_first_response_minutes: 1000, nps: 9 } });
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body['error']['code']).toBe('unknown-metric');
    expect(body['error']['message']).toContain('nps');
    expect(metricValue(await metricsText(), 'ai_business_metric', { metric: 'median_first_response_minutes' })).toBe(40);
  });

  it('answers 404 to a true label for an unknown prediction id', async () => {
    const { post, json } = await start();
    const response = await post('/v1/feedback', { predictionId: 'never-made', label: 'billing' });
    expect(response.status).toBe(404);
    expect((await json(response))['error']['code']).toBe('unknown-prediction');
  });

  it('answers 400 to feedback that says nothing, or has unknown fields', async () => {
    const { post, json } = await start();
    for (const body of [{ predictionId: 'p' }, { predictionId: 'p', correct: true, rating: 5 }, { correct: true }]) {
      const response = await post('/v1/feedback', body);
      expect(response.status).toBe(400);
      expect((await json(response))['error']['code']).toBe('invalid-request');
    }
  });
});

describe('GET /metrics', () => {
  it('has a request-latency bucket at each SLO threshold, and the drift features of the inputs', async () => {
    const { post, base } = await start();
    await post('/v1/predict', ticket);
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const { p95Ms, p99Ms } = triageSpec.slo.latency;
    for (const ms of [p95Ms, p99Ms]) {
      // 1.2 and 2.5 seconds.
      expect(metricValue(text, 'ai_request_duration_seconds_bucket', { le: String(ms / 1000), outcome: 'success' })).toBe(1);
    }
    expect(metricValue(text, 'ai_input_feature_count', { feature: 'ticket_chars' })).toBe(1);
    expect(metricValue(text, 'ai_input_feature_sum', { feature: 'ticket_chars' })).toBe(ticket.text.length);
    expect(metricValue(text, 'ai_input_category_total', { feature: 'language', value: 'en' })).toBe(1);
    expect(metricValue(text, 'ai_requests_total', { outcome: 'success', tier: 'fast', fallback: 'none' })).toBe(1);
    expect(metricValue(text, 'ai_service_info', { service: triageSpec.metadata.name, version: '0.1.0' })).toBe(1);
  });
});

describe('close', () => {
  /** Sends raw HTTP/1.1 requests on one kept-alive connection and collects what comes back. */
  function rawConnection(port: number) {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {});
    return {
      send: (request: string) => socket.write(request),
      get received() {
        return received;
      },
      end: () => socket.destroy(),
    };
  }

  it('lets a request in flight finish on a connection told to close, says not ready meanwhile, and resolves after it', async () => {
    let answeredAt = Infinity;
    let asked = 0;
    // Both requests are held until the test lets them go, after the drain has begun.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow: Behaviour = async (text, signal) => {
      asked++;
      await held;
      const prediction = await says('billing', 0.9)(text, signal);
      answeredAt = performance.now();
      return prediction;
    };
    // A short linger (the drain's wait for a next request on an idle connection has a test of its own).
    const { app, post, port, base } = await start({ fast: slow, config: { ...appConfig(), shutdownLingerMs: 50 } });
    const inFlight = post('/v1/predict', ticket);
    // A probe on a connection that stays open while the server closes.
    const probe = rawConnection(port);
    const body = JSON.stringify(ticket);
    probe.send(
      `POST /v1/predict HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // Both requests in flight (a fixed sleep was not enough on a busy machine: the first could still be on its way).
    await expect.poll(() => asked).toBe(2);

    let closedAt = 0;
    const closing = app.close(5000).then(() => (closedAt = performance.now()));
    expect(app.ready).toBe(false);
    // Still draining while the requests are held, however long that is.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closedAt).toBe(0);
    release();
    await closing;
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { label: string }).label).toBe('billing');
    expect(closedAt).toBeGreaterThan(answeredAt);
    // Answered, and told to take its next request elsewhere: a kept-alive connection gets no more once draining begins.
    expect(probe.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(probe.received).toMatch(/\r\nconnection: close\r\n/i);
    probe.end();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('answers the next request of an idle kept-alive connection while it lingers, closing it, rather than resetting it', async () => {
    const { app, port } = await start({ config: { ...appConfig(), shutdownLingerMs: 300 } });
    const idle = rawConnection(port);
    const body = JSON.stringify(ticket);
    const request = `POST /v1/predict HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    idle.send(request);
    await vi.waitFor(() => expect(idle.received).toMatch(/^HTTP\/1\.1 200 /));
    expect(idle.received).not.toMatch(/connection: close/i);

    // The client sends its next request on the same connection just after the drain began, as a proxy would.
    const closing = app.close(5000);
    idle.send(request);
    await closing;
    await vi.waitFor(() => expect(idle.received.match(/HTTP\/1\.1 \d+ /g)).toEqual(['HTTP/1.1 200 ', 'HTTP/1.1 200 ']));
    expect(idle.received.split('HTTP/1.1 200 ')[2]).toMatch(/\r\nconnection: close\r\n/i);
    idle.end();
  });

  it('does not linger past the grace period', async () => {
    const { app } = await start({ config: { ...appConfig(), shutdownLingerMs: 60_000 } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      let closed = false;
      const closing = app.close(200).then(() => (closed = true));
      await vi.advanceTimersByTimeAsync(199);
      expect(closed).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await closing;
      expect(closed).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives up on requests in flight after the grace period', async () => {
    // A request that would never end: only the grace period ends the close.
    let asked = false;
    const { app, post } = await start({
      fast: (_text, signal) =>
        new Promise<Prediction>((_resolve, reject) => {
          asked = true;
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    });
    const inFlight = post('/v1/predict', ticket).then(
      (response) => response.status,
      () => 'dropped',
    );
    await expect.poll(() => asked).toBe(true);
    // Raced, so that a close() that waits for the request fails here, not at the test's timeout.
    const closed = await Promise.race([
      app.close(100).then(() => 'closed'),
      new Promise((resolve) => setTimeout(resolve, 10_000, 'still waiting')),
    ]);
    expect(closed).toBe('closed');
    expect(await inFlight).toBe('dropped');
  });
});
