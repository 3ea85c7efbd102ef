/**
 * Each fault type of the proxy against a real local upstream (the mock model), over real sockets: what the caller
 * sees, and what the upstream saw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FAULTS } from '../../src/validate/faults/index.js';
import { startMockModel, type MockModel } from '../../src/validate/mock-model.js';
import { startFaultProxy, type FaultProxy } from '../../src/validate/proxy.js';
import type { Fault } from '../../src/validate/faults/index.js';

const CHAT = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Answer in JSON.\nLabels: ["billing", "bug"]' },
    { role: 'user', content: 'My billing is wrong' },
  ],
};

let mock: MockModel | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await mock?.close();
  proxy = mock = undefined;
});

async function proxied(fault: Fault | null): Promise<FaultProxy> {
  mock = await startMockModel();
  proxy = await startFaultProxy({ upstream: mock.url });
  proxy.setFault(fault);
  return proxy;
}

const post = (url: string, signal?: AbortSignal) =>
  fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(CHAT),
    ...(signal ? { signal } : {}),
  });

const fault = (type: Fault['type'], extra: Partial<Fault> = {}): Fault => ({ target: 'strong', type, rate: 1, ...extra });

describe('the fault proxy', () => {
  it('registers a handler for every fault type of the spec', async () => {
    const { FAULT_TYPES } = await import('../../src/spec/schema.js');
    expect(Object.keys(FAULTS).sort()).toEqual([...FAULT_TYPES].sort());
  });

  it('without a fault, passes requests on and answers back untouched, keeping the upstream path', async () => {
    const p = await proxied(null);
    expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const response = await post(p.url);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(JSON.parse(body.choices[0]!.message.content)).toMatchObject({ label: 'billing' });
    expect(p.stats).toEqual({ requests: 1, faulted: 0 });
    expect(mock!.requests).toBe(1);
  });

  it('error: answers the status at once, and the upstream never sees the request', async () => {
    const p = await proxied(fault('error', { status: 502 }));
    const response = await post(p.url);
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('server_error');
    expect(mock!.requests).toBe(0);
    expect(p.stats.faulted).toBe(1);
  });

  it('latency: answers correctly, no sooner than delayMs', async () => {
    const p = await proxied(fault('latency', { delayMs: 300 }));
    const started = performance.now();
    const response = await post(p.url);
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
  });

  it('latency with jitter: each delay is drawn within delayMs ± jitterMs', async () => {
    const p = await proxied(fault('latency', { delayMs: 200, jitterMs: 150 }));
    const took: number[] = [];
    for (let i = 0; i < 4; i++) {
      const started = performance.now();
      await (await post(p.url)).arrayBuffer();
      took.push(performance.now() - started);
    }
    for (const ms of took) expect(ms).toBeGreaterThanOrEqual(45);
    // Four draws from a 300 ms wide range are not all the same.
    expect(new Set(took.map((ms) => Math.round(ms / 10))).size).toBeGreaterThan(1);
  });

  it('timeout: never answers; the caller gives up', async () => {
    const p = await proxied(fault('timeout'));
    await expect(post(p.url, AbortSignal.timeout(300))).rejects.toThrow();
    expect(mock!.requests).toBe(0);
  });

  it('reset: drops the connection without an answer', async () => {
    const p = await proxied(fault('reset'));
    await expect(post(p.url)).rejects.toThrow(/fetch failed/);
  });

  it('malformed: a 200 whose content is, in turn, the wrong JSON shape, prose and cut JSON', async () => {
    const p = await proxied(fault('malformed'));
    const contents: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await post(p.url);
      expect(response.status).toBe(200);
      contents.push(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content);
    }
    const parses = contents.map((content) => {
      try {
        return JSON.parse(content) as unknown;
      } catch {
        return 'invalid';
      }
    });
    expect(parses.filter((parsed) => parsed === 'invalid')).toHaveLength(2);
    expect(parses.find((parsed) => parsed !== 'invalid')).not.toHaveProperty('label');
  });

  it('malformed on a body that is not a chat completion: invalid JSON, then valid JSON of the wrong shape', async () => {
    const p = await proxied(fault('malformed'));
    const first = await (await fetch(`${p.url}/models`)).text();
    const second = await (await fetch(`${p.url}/models`)).text();
    const bodies = [first, second];
    expect(bodies.some((body) => body === '{"unexpected":true}')).toBe(true);
    expect(
      bodies.some(
        (body) =>
          !body.startsWith('{"unexpected"') &&
          (() => {
            try {
              JSON.parse(body);
              return false;
            } catch {
              return true;
            }
          })(),
      ),
    ).toBe(true);
  });

  it('slow-body: the headers at once, the body at bytesPerSecond', async () => {
    const p = await proxied(fault('slow-body', { bytesPerSecond: 2000 }));
    const started = performance.now();
    const response = await post(p.url);
    const headersAfter = performance.now() - started;
    const text = await response.text();
    const bodyAfter = performance.now() - started;
    expect(response.status).toBe(200);
    expect(JSON.parse(text)).toHaveProperty('choices');
    // A body of several hundred bytes at 2000 bytes/s takes well over 100 ms more than its headers.
    expect(text.length).toBeGreaterThan(300);
    expect(bodyAfter - headersAfter).toBeGreaterThanOrEqual(100);
  });

  it('rate: faults the seeded share of requests, and the same seed faults the same ones', async () => {
    const pattern = async () => {
      const p = await proxied(fault('error', { rate: 0.5 }));
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await post(p.url)).status);
      await p.close();
      await mock!.close();
      return statuses;
    };
    const first = await pattern();
    const second = await pattern();
    expect(first).toEqual(second);
    expect(first.filter((status) => status === 503).length).toBeGreaterThan(3);
    expect(first.filter((status) => status === 200).length).toBeGreaterThan(3);
  });

  it('after and for: the fault holds only within its window', async () => {
    const p = await proxied(null);
    const start = performance.now();
    p.setFault(fault('error', { after: 0.3, for: 0.3 }), { startedAt: start });
    expect((await post(p.url)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + 350 - performance.now())));
    expect((await post(p.url)).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + 650 - performance.now())));
    expect((await post(p.url)).status).toBe(200);
  });

  it('close drops a held request and its connection, and can be called twice', async () => {
    const p = await proxied(fault('timeout'));
    const pending = post(p.url);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([p.close(), p.close()]);
    await expect(pending).rejects.toThrow();
  });
});
