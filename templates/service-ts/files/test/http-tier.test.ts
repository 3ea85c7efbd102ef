// The http tier against the dev fake over real HTTP: every fault of the spec's scenarios must end as the TierError
// failure the orchestration layer routes on, and the fake must be as deterministic as the scenarios need.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { startFakeLlm, type FakeLlm, type FakeLlmOptions } from '../src/dev/fake-llm.js';
import { buildSystemPrompt, createHttpTier, retryAfter, type HttpTierOptions } from '../src/serving/http.js';
import { TierError, type ModelTier, type TierFailure } from '../src/serving/tier.js';

const LABELS = ['billing', 'shipping', 'late-delivery', 'other'];
const API_KEY = 'sk-test-0123456789abcdef';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function fake(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const started = await startFakeLlm(options);
  cleanups.push(() => started.close());
  return started;
}

interface Captured {
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** A server of the test's own, for answers the fake does not give; it records what it received. */
async function stub(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; received: Captured[] }> {
  const received: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) });
      handle(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, received };
}

/** A stub answering a chat.completion with this content (and these message fields). */
function completionWith(content: string | null, extra: { refusal?: string | null; finishReason?: string } = {}) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'chatcmpl-stub',
        object: 'chat.completion',
        created: 1,
        model: 'stub',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: extra.refusal ?? null },
            finish_reason: extra.finishReason ?? 'stop',
          },
        ],
      }),
    );
  };
}

function tier(baseUrl: string, options: Partial<HttpTierOptions> = {}): ModelTier {
  return createHttpTier({ name: 'remote', model: 'gpt-test', costPerRequestUsd: 0.002, baseUrl, labels: LABELS, ...options });
}

function never(): AbortSignal {
  return new AbortController().signal;
}

/** The TierError the call rejects with; fails the test when it answers or rejects with something else. */
async function failureOf(call: Promise<unknown>, failure: TierFailure): Promise<TierError> {
  const error = await call.then(
    (answer) => {
      throw new Error(`expected a ${failure} failure, got an answer: ${JSON.stringify(answer)}`);
    },
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(TierError);
  const tierError = error as TierError;
  expect({ failure: tierError.failure, message: tierError.message }).toMatchObject({ failure });
  expect(tierError.tier).toBe('remote');
  return tierError;
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('http tier: answers', () => {
  it('classifies through the fake: the label named in the text, its confidence and a reply', async () => {
    const llm = await fake();
    const remote = tier(`${llm.url}/`);
    expect(remote).toMatchObject({ name: 'remote', kind: 'http', model: 'gpt-test', costPerRequestUsd: 0.002 });

    const prediction = await remote.predict('Where is my SHIPPING label?', never());
    expect(prediction.label).toBe('shipping');
    expect(prediction.confidence).toBe(0.9);
    expect(prediction.reply).toEqual(expect.stringContaining('shipping'));
    // Whole words only ("rebilling" is not "billing"); hyphenated labels match spaced words.
    await expect(tier(llm.url, { labels: ['other', 'billing'] }).predict('rebilling happened', never())).resolves.toMatchObject({
      label: 'other',
    });
    await expect(remote.predict('a very late delivery', never())).resolves.toMatchObject({ label: 'late-delivery' });
    await expect(remote.predict('my invoice is wrong', never())).resolves.toMatchObject({ label: 'billing' });
    expect(llm.requests).toBe(4);
    expect(llm.faulted).toBe(0);
  });

  it('sends the request the chat completions API expects, with the labels on a Labels line', async () => {
    const upstream = await stub(completionWith('{"label": "other", "confidence": 0.4, "reply": null}'));
    await expect(tier(upstream.url).predict('hello there', never())).resolves.toEqual({ label: 'other', confidence: 0.4, reply: null });

    expect(upstream.received).toHaveLength(1);
    const body = upstream.received[0]?.body as { messages: { role: string; content: string }[] };
    expect(body).toMatchObject({ model: 'gpt-test', temperature: 0, response_format: { type: 'json_object' } });
    expect(body.messages).toEqual([
      { role: 'system', content: buildSystemPrompt(LABELS) },
      { role: 'user', content: 'hello there' },
    ]);
    expect(buildSystemPrompt(LABELS)).toContain(`\nLabels: ["billing","shipping","late-delivery","other"]\n`);
    expect(buildSystemPrompt(LABELS)).toMatch(/JSON/);
  });

  it('accepts an answer in a ```json fence', async () => {
    const upstream = await stub(completionWith('```json\n{"label": "billing", "confidence": 0.75, "reply": "We will refund you."}\n```'));
    await expect(tier(upstream.url).predict('charged twice', never())).resolves.toEqual({
      label: 'billing',
      confidence: 0.75,
      reply: 'We will refund you.',
    });
  });

  it('answers a custom answer of the fake', async () => {
    const llm = await fake({ answer: (text, labels) => ({ label: labels[2] ?? '', confidence: 0.31, reply: `echo: ${text}` }) });
    await expect(tier(llm.url).predict('anything', never())).resolves.toEqual({
      label: 'late-delivery',
      confidence: 0.31,
      reply: 'echo: anything',
    });
  });
});

describe('http tier: the API key', () => {
  it('sends it as a bearer token, and the fake refuses a request without it', async () => {
    const llm = await fake({ apiKey: API_KEY });
    await expect(tier(llm.url, { apiKey: API_KEY }).predict('billing', never())).resolves.toMatchObject({ label: 'billing' });
    const error = await failureOf(tier(llm.url).predict('billing', never()), 'status');
    expect(error.status).toBe(401);

    const upstream = await stub(completionWith('{"label": "other", "confidence": 1, "reply": null}'));
    await tier(upstream.url, { apiKey: `${API_KEY}\n` }).predict('x', never());
    expect(upstream.received[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('never puts it in an error, even when the upstream echoes it', async () => {
    const upstream = await stub((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${req.headers.authorization ?? ''}` } }));
    });
    const error = await failureOf(tier(upstream.url, { apiKey: API_KEY }).predict('x', never()), 'status');
    expect(error.status).toBe(401);
    expect(error.message).toContain('Incorrect API key provided');
    expect(error.message).not.toContain(API_KEY);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(API_KEY);
  });

  it('refuses a key that cannot be a header, without quoting it', () => {
    expect(() => tier('http://127.0.0.1:1/v1', { apiKey: 'sk-abc def' })).toThrow(/API key/);
    expect(() => tier('http://127.0.0.1:1/v1', { apiKey: 'sk-abc def' })).not.toThrow(/sk-abc/);
  });
});

describe('http tier: faults of the fake', () => {
  it('error: a status failure with the status and the start of the body', async () => {
    const llm = await fake({ fault: { type: 'error', rate: 1 } });
    const error = await failureOf(tier(llm.url).predict('billing', never()), 'status');
    expect(error.status).toBe(503);
    expect(error.message).toContain('overloaded');

    llm.setFault({ type: 'error', rate: 1, status: 429 });
    const limited = await failureOf(tier(llm.url).predict('billing', never()), 'status');
    expect(limited.status).toBe(429);
    // The fake's Retry-After: 1, for the retry policy to honour.
    expect(limited.retryAfterMs).toBe(1000);
    expect(error.retryAfterMs).toBeUndefined();
    expect(llm.faulted).toBe(2);
  });

  it('reads Retry-After in seconds or as an HTTP date, and ignores what it cannot read', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(retryAfter('2', now)).toBe(2000);
    expect(retryAfter('0.5', now)).toBe(500);
    expect(retryAfter('Tue, 01 Dec 2026 10:00:03 GMT', now)).toBe(3000);
    expect(retryAfter('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfter('soon', now)).toBeUndefined();
    expect(retryAfter(null, now)).toBeUndefined();
  });

  it('malformed: invalid-output, and not the same malformation every time', async () => {
    const llm = await fake({ fault: { type: 'malformed', rate: 1 } });
    const messages: string[] = [];
    for (let i = 0; i < 3; i++) messages.push((await failureOf(tier(llm.url).predict('billing', never()), 'invalid-output')).message);
    expect(new Set(messages).size).toBe(3);
    expect(messages.join('\n')).toMatch(/not JSON/);
    expect(messages.join('\n')).toMatch(/not one of/);
  });

  it('reset: a network failure', async () => {
    const llm = await fake({ fault: { type: 'reset', rate: 1 } });
    await failureOf(tier(llm.url).predict('billing', never()), 'network');
    expect(llm.faulted).toBe(1);
  });

  it('timeout: aborted by the caller’s signal after ~200 ms', async () => {
    const llm = await fake({ fault: { type: 'timeout', rate: 1 } });
    const started = Date.now();
    await failureOf(tier(llm.url).predict('billing', AbortSignal.timeout(200)), 'aborted');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(20_000); // held forever otherwise (a generous bound, for a busy machine)
  });

  it('latency: aborted after ~200 ms when the delay is longer, answered when it is shorter', async () => {
    const llm = await fake({ fault: { type: 'latency', rate: 1 } });
    const started = Date.now();
    await failureOf(tier(llm.url).predict('billing', AbortSignal.timeout(200)), 'aborted');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(20_000); // held forever otherwise (a generous bound, for a busy machine)

    llm.setFault({ type: 'latency', rate: 1, delayMs: 100 });
    const before = Date.now();
    await expect(tier(llm.url).predict('billing', AbortSignal.timeout(2000))).resolves.toMatchObject({ label: 'billing' });
    expect(Date.now() - before).toBeGreaterThanOrEqual(90);
  });

  it('rate: a seeded share of the requests, the same ones again with the same seed', async () => {
    // Sequential requests: which ones are hit depends on the order they arrive in.
    const count = 40;
    const hits = async (seed: number): Promise<number[]> => {
      const llm = await fake({ seed, fault: { type: 'error', rate: 0.5 } });
      const remote = tier(llm.url);
      const failed: number[] = [];
      for (let i = 0; i < count; i++) {
        const outcome = await remote.predict('billing', never()).then(
          () => 'ok',
          (error: unknown) => (error instanceof TierError ? error.failure : 'other'),
        );
        if (outcome === 'status') failed.push(i);
        else expect(outcome).toBe('ok');
      }
      expect(llm.requests).toBe(count);
      expect(llm.faulted).toBe(failed.length);
      return failed;
    };
    const first = await hits(42);
    // About half: between 30% and 70%.
    expect(first.length).toBeGreaterThanOrEqual(count * 0.3);
    expect(first.length).toBeLessThanOrEqual(count * 0.7);
    expect(await hits(42)).toEqual(first);
    expect(await hits(7)).not.toEqual(first);
  });

  it('close() returns promptly with a request held by a timeout or a latency fault', async () => {
    const llm = await startFakeLlm({ fault: { type: 'timeout', rate: 1 } });
    // Observed from the start: they reject while close() runs.
    const held = failureOf(tier(llm.url).predict('billing', never()), 'network');
    await until(() => llm.requests === 1);
    llm.setFault({ type: 'latency', rate: 1, delayMs: 60_000 });
    const delayed = failureOf(tier(llm.url).predict('billing', never()), 'network');
    await until(() => llm.requests === 2);

    // Raced, so that a close() that hangs fails here and not at the test timeout: the held requests would take a minute,
    // or forever.
    const closed = await Promise.race([
      llm.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(resolve, 10_000, 'still open')),
    ]);
    expect(closed).toBe('closed');
    await held;
    await delayed;
  });
});

describe('http tier: what the upstream gets wrong', () => {
  it('a label that is not offered: invalid-output naming it', async () => {
    const llm = await fake({ answer: () => ({ label: 'refund', confidence: 0.9, reply: null }) });
    const error = await failureOf(tier(llm.url).predict('billing', never()), 'invalid-output');
    expect(error.message).toContain('"refund"');
  });

  it('a refusal or a content filter stop: refusal', async () => {
    const refused = await stub(completionWith(null, { refusal: "I'm sorry, I can't help with that." }));
    expect((await failureOf(tier(refused.url).predict('x', never()), 'refusal')).message).toContain("can't help");
    const filtered = await stub(completionWith('', { finishReason: 'content_filter' }));
    await failureOf(tier(filtered.url).predict('x', never()), 'refusal');
  });

  it('a confidence out of range, or a body that is not a chat completion: invalid-output', async () => {
    const outOfRange = await stub(completionWith('{"label": "billing", "confidence": 7, "reply": null}'));
    expect((await failureOf(tier(outOfRange.url).predict('x', never()), 'invalid-output')).message).toContain('confidence');
    const notCompletion = await stub((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"result": "billing"}');
    });
    expect((await failureOf(tier(notCompletion.url).predict('x', never()), 'invalid-output')).message).toContain('choices');
    const html = await stub((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>gateway login</html>');
    });
    expect((await failureOf(tier(html.url).predict('x', never()), 'invalid-output')).message).toContain('<html>');
  });

  it('cuts long content to 200 characters in the message', async () => {
    const prose = `Well, ${'this is a long story. '.repeat(100)}THE-END`;
    const upstream = await stub(completionWith(prose));
    const error = await failureOf(tier(upstream.url).predict('x', never()), 'invalid-output');
    expect(error.message).toContain(prose.slice(0, 200));
    expect(error.message).not.toContain('THE-END');
    expect(error.message.length).toBeLessThan(400);
  });

  it('an abort while the body is arriving: aborted, not network', async () => {
    const upstream = await stub((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id": "chatcmpl-slow", "choices": [');
    });
    const started = Date.now();
    await failureOf(tier(upstream.url).predict('x', AbortSignal.timeout(200)), 'aborted');
    // The body never ends: a generous bound, for a busy machine.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('an already aborted signal: aborted, without a request', async () => {
    const llm = await fake();
    await failureOf(tier(llm.url).predict('billing', AbortSignal.abort()), 'aborted');
    expect(llm.requests).toBe(0);
  });

  it('nothing listening: network', async () => {
    const llm = await startFakeLlm();
    await llm.close();
    const error = await failureOf(tier(llm.url).predict('billing', never()), 'network');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });
});

describe('fake LLM: the rest of the API', () => {
  it('lists models, refuses a request without a model or messages, and 404s an unknown path', async () => {
    const llm = await fake();
    const models = await fetch(`${llm.url}/models`);
    expect(models.status).toBe(200);
    expect(await models.json()).toMatchObject({ object: 'list', data: [{ object: 'model' }] });

    const post = (body: unknown) =>
      fetch(`${llm.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const noModel = await post({ messages: [{ role: 'user', content: 'hi' }] });
    expect(noModel.status).toBe(400);
    expect(await noModel.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('model') } });
    expect((await post({ model: 'm' })).status).toBe(400);
    expect((await post({ model: 'm', messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_object' } })).status).toBe(
      400,
    );

    const answered = await post({
      model: 'm',
      messages: [
        { role: 'system', content: 'Labels: a, b' },
        { role: 'user', content: 'about B' },
      ],
    });
    expect(answered.status).toBe(200);
    const completion = (await answered.json()) as { choices: { message: { content: string } }[] };
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toMatchObject({ label: 'b', confidence: 0.9 });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'm',
      choices: [{ message: { role: 'assistant', refusal: null }, finish_reason: 'stop' }],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    });

    expect((await fetch(`${llm.url}/embeddings`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${llm.url.replace(/\/v1$/, '')}/`)).status).toBe(404);
  });

  it('refuses a fault it does not know', async () => {
    const llm = await fake();
    expect(() => llm.setFault({ type: 'error', rate: 1.5 })).toThrow(RangeError);
    expect(() => llm.setFault({ type: 'boom' as 'error', rate: 1 })).toThrow(RangeError);
  });
});
