/**
 * Load for the drill, the tests and the bench: requests at a steady rate from a bounded pool of
 * keep-alive connections, each result kept with its time. Small on purpose (validate has its own
 * load generator; the two are to be merged).
 */
import { Agent, request } from 'node:http';

export interface LoadOptions {
  /** The service's base URL (loopback only). */
  url: string;
  rps: number;
  /** Stops the load; it runs until then (or for durationMs). */
  signal?: AbortSignal;
  durationMs?: number;
  method?: string;
  path?: string;
  body?: string;
  /** Requests in flight at most; past it, a tick's request is counted as skipped, not queued. */
  maxInFlight?: number;
  timeoutMs?: number;
}

export interface RequestResult {
  /** ms since the epoch, when the request was sent. */
  at: number;
  latencyMs: number;
  /** 0 when there was no answer. */
  status: number;
  ok: boolean;
}

export interface LoadResult {
  results: RequestResult[];
  sent: number;
  failed: number;
  skipped: number;
}

/** The request the generated service answers: POST /v1/predict with a short text. */
export const DEFAULT_REQUEST = {
  method: 'POST',
  path: '/v1/predict',
  body: JSON.stringify({ text: 'My invoice was charged twice this month.' }),
};

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error(`load goes to loopback only, not ${target.hostname}`);
  const maxInFlight = options.maxInFlight ?? 256;
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
  const method = options.method ?? DEFAULT_REQUEST.method;
  const path = options.path ?? DEFAULT_REQUEST.path;
  const body = options.body ?? (method === 'GET' ? undefined : DEFAULT_REQUEST.body);
  const results: RequestResult[] = [];
  const pending = new Set<Promise<void>>();
  let skipped = 0;

  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const at = Date.now();
      const started = performance.now();
      const done = (status: number) => {
        results.push({ at, latencyMs: performance.now() - started, status, ok: status > 0 && status < 500 });
        resolve();
      };
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method,
          path,
          agent,
          timeout: options.timeoutMs ?? 10_000,
          headers: body ? { 'content-type': 'application/json' } : {},
        },
        (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0));
          res.on('error', () => done(0));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => done(0));
      req.end(body);
    });

  const start = performance.now();
  const end = options.durationMs === undefined ? Infinity : start + options.durationMs;
  let sent = 0;
  // Sends what is due by the clock every millisecond or so: steady at hundreds per second, where
  // one timer per request would drift.
  while (!options.signal?.aborted && performance.now() < end) {
    const due = Math.floor(((performance.now() - start) / 1000) * options.rps);
    for (; sent < due; sent++) {
      if (pending.size >= maxInFlight) {
        skipped++;
        continue;
      }
      const p = one().finally(() => pending.delete(p));
      pending.add(p);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(20, 1000 / options.rps / 2))));
  }
  await Promise.all(pending);
  agent.destroy();
  return { results, sent: results.length, failed: results.filter((r) => !r.ok).length, skipped };
}
