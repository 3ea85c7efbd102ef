/**
 * The one load generator (deploy's drill, validate's scenarios, the tests and the benches): requests at a steady rate,
 * open-loop (sent when due by the clock, whatever the answers before them did, so an overloaded service sees the load
 * it was offered, not less), over a bounded pool of keep-alive connections (node:http's Agent, which honours
 * `Connection: close` as a proxy does); each result kept with its time, status and the response headers asked for.
 */
import { Agent, request } from 'node:http';

export interface LoadOptions {
  /** The service's base URL (loopback only, unless `remote`). */
  url: string;
  /** Allow a host other than this machine: the user named it (validate --url). */
  remote?: boolean;
  rps: number;
  /** Stops the load; it runs until then (or for durationMs). */
  signal?: AbortSignal;
  durationMs?: number;
  method?: string;
  /** The path requested; /v1/predict by default. */
  path?: string;
  body?: string;
  /** Bodies sent in turn (instead of `body`). */
  bodies?: readonly string[];
  /** Requests in flight at most; past it, a tick's request is counted as skipped, not queued. */
  maxInFlight?: number;
  /** A request without an answer after this long counts as failed (status 0); 10 s by default. */
  timeoutMs?: number;
  /** Response headers (lower case) kept in each result's `headers`. */
  keepHeaders?: readonly string[];
}

export interface RequestResult {
  /** ms since the epoch, when the request was sent. */
  at: number;
  /** ms from sending to the answer's end (or to the failure). */
  latencyMs: number;
  /** 0 when there was no answer. */
  status: number;
  ok: boolean;
  /** The headers of `keepHeaders` the answer had. */
  headers?: Record<string, string>;
  /** Without an answer: the error's code (ECONNRESET, ECONNREFUSED, TIMEOUT...). */
  error?: string;
}

export interface LoadResult {
  results: RequestResult[];
  sent: number;
  failed: number;
  skipped: number;
  /** ms the load ran, from its first request to its last answer. */
  durationMs: number;
}

/** The request the generated service answers: POST /v1/predict with a short text. */
export const DEFAULT_REQUEST = {
  method: 'POST',
  path: '/v1/predict',
  body: JSON.stringify({ text: 'My invoice was charged twice this month.' }),
};

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  if (!options.remote && !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname))
    throw new Error(`load goes to loopback only, not ${target.hostname}`);
  if (options.bodies?.length === 0) throw new TypeError('runLoad needs at least one request body');
  const maxInFlight = options.maxInFlight ?? 256;
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
  const method = options.method ?? DEFAULT_REQUEST.method;
  const path = options.path ?? DEFAULT_REQUEST.path;
  const bodies = options.bodies ?? [options.body ?? (method === 'GET' ? '' : DEFAULT_REQUEST.body)];
  const keep = options.keepHeaders ?? [];
  const timeoutMs = options.timeoutMs ?? 10_000;
  const results: RequestResult[] = [];
  const pending = new Set<Promise<void>>();
  let skipped = 0;

  const one = (body: string): Promise<void> =>
    new Promise((resolve) => {
      const at = Date.now();
      const started = performance.now();
      let settled = false;
      const done = (status: number, extra: Pick<RequestResult, 'headers' | 'error'> = {}) => {
        if (settled) return;
        settled = true;
        results.push({ at, latencyMs: performance.now() - started, status, ok: status > 0 && status < 500, ...extra });
        resolve();
      };
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method,
          path,
          agent,
          timeout: timeoutMs,
          headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const name of keep) {
              const value = res.headers[name];
              if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            done(res.statusCode ?? 0, keep.length > 0 ? { headers } : {});
          });
          res.on('error', (error: NodeJS.ErrnoException) => done(0, { error: error.code ?? error.message }));
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (error: NodeJS.ErrnoException) => done(0, { error: error.code ?? error.message }));
      req.end(body || undefined);
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
      const p = one(bodies[sent % bodies.length]!).finally(() => pending.delete(p));
      pending.add(p);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(20, 1000 / options.rps / 2))));
  }
  await Promise.all(pending);
  agent.destroy();
  return {
    results,
    sent: results.length,
    failed: results.filter((r) => !r.ok).length,
    skipped,
    durationMs: performance.now() - start,
  };
}
