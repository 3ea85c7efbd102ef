/**
 * Load at a fixed rate with autocannon, recording every request: when it was sent, how long it took, its status, and
 * the service's `x-model-tier` and `x-fallback` headers.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  /** The URL to POST to, e.g. http://127.0.0.1:8080/v1/predict. */
  url: string;
  rps: number;
  durationSeconds: number;
  /** Request bodies (JSON text), sent in turn. */
  bodies: readonly string[];
  /** A request without an answer after this long counts as failed (10 s by default). */
  timeoutSeconds?: number;
  /** Connections to spread the rate over; by default enough to keep the rate with every request at the timeout. */
  connections?: number;
  signal?: AbortSignal;
}

/** One request. */
export interface Sample {
  /** ms from the start of the load to the answer (or the give-up). */
  at: number;
  /** ms the request took; undefined when the connection failed before an answer. */
  ms: number | undefined;
  /** The HTTP status; 0 when there was no answer (a dropped connection, a timeout). */
  status: number;
  tier?: string;
  fallback?: string;
}

export interface LoadResult {
  samples: Sample[];
  /** performance.now() when the load began: the zero of every sample's `at`. */
  startedAt: number;
  durationMs: number;
}

function header(raw: readonly unknown[] | undefined, name: string): string | undefined {
  if (!raw) return undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) if (String(raw[i]).toLowerCase() === name) return String(raw[i + 1]);
  return undefined;
}

/** Sends `rps * durationSeconds` requests at `rps` and resolves once every one is answered or given up on. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.bodies.length === 0) throw new TypeError('runLoad needs at least one request body');
  const timeoutSeconds = options.timeoutSeconds ?? 10;
  const amount = Math.max(1, Math.round(options.rps * options.durationSeconds));
  const connections = options.connections ?? Math.min(1000, Math.max(10, Math.ceil(options.rps * Math.min(timeoutSeconds, 5))));
  const samples: Sample[] = [];
  let next = 0;
  const startedAt = performance.now();
  const instance = autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    amount,
    overallRate: options.rps,
    connections: Math.min(connections, amount),
    timeout: timeoutSeconds,
    requests: [{ setupRequest: (request) => ({ ...request, body: options.bodies[next++ % options.bodies.length]! }) }],
    setupClient(typed) {
      // The typings know three of the client's events; it emits more (lib/httpClient.js).
      const client = typed as unknown as NodeJS.EventEmitter;
      let raw: readonly unknown[] | undefined;
      client.on('headers', (info: { headers?: readonly unknown[] }) => (raw = info.headers));
      client.on('response', (status: number, _bytes: number, ms: number) => {
        const tier = header(raw, 'x-model-tier');
        const fallback = header(raw, 'x-fallback');
        samples.push({ at: performance.now() - startedAt, ms, status, ...(tier ? { tier } : {}), ...(fallback ? { fallback } : {}) });
        raw = undefined;
      });
      client.on('timeout', () => samples.push({ at: performance.now() - startedAt, ms: timeoutSeconds * 1000, status: 0 }));
      client.on('connError', () => samples.push({ at: performance.now() - startedAt, ms: undefined, status: 0 }));
    },
  });
  // Without a callback autocannon returns its instance, made thenable (lib/init.js); the typings see only the promise.
  const abort = () => (instance as unknown as { stop(): void }).stop();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    await instance;
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  return { samples, startedAt, durationMs: performance.now() - startedAt };
}
