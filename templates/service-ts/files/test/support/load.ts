// The load of the scenario and soak tests, and what they watch while it runs. Requests go over node:http with
// kept-alive connections (fetch costs several times the CPU per request, and the load shares its process with the
// service), one at a time at a steady pace: a loop that lagged on a busy machine sends late, never in a burst to catch
// up. How long the load lasts is for the caller to say from what it has seen (a count, the breaker's state), never from
// the clock alone: on a busy machine a second holds fewer requests, but the same story.
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { Metrics } from '../../src/monitoring/metrics.js';

/** One request of the load: when it was sent, and its answer (status 0 when it got none). */
export interface Answer {
  sentAt: number;
  status: number;
  ms: number;
  headers: IncomingHttpHeaders;
  /** The client-side error of a request without an answer (ECONNRESET, ...). */
  error?: string;
}

/** A client of kept-alive connections that posts JSON; `close()` drops them. */
export function loadClient(): { post(url: string, body: string): Promise<Answer>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  return {
    post(url, body) {
      const sentAt = performance.now();
      return new Promise<Answer>((resolve) => {
        const done = (status: number, headers: IncomingHttpHeaders = {}, error?: string) =>
          resolve({ sentAt, status, ms: performance.now() - sentAt, headers, ...(error === undefined ? {} : { error }) });
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            // Generous: an answer that takes this long on a starved machine is still an answer.
            timeout: 120_000,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () => done(res.statusCode ?? 0, res.headers));
            res.on('error', (error: NodeJS.ErrnoException) => done(0, {}, error.code ?? error.message));
          },
        );
        req.on('timeout', () => req.destroy());
        req.on('error', (error: NodeJS.ErrnoException) => done(0, {}, error.code ?? error.message));
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

/**
 * Sends at `rps`, calling `send` for each request and `more` before each: the load stops when `more` says so. `more`
 * is awaited (it may read /metrics), and the pace is kept from the time each request was due, without bursts.
 */
export async function pace(rps: number, more: () => boolean | Promise<boolean>, send: () => void): Promise<void> {
  const interval = 1000 / rps;
  let due = performance.now();
  while (await more()) {
    send();
    due = Math.max(due + interval, performance.now());
    const wait = due - performance.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
  }
}

/**
 * The transitions of a tier's breaker, from the service's own counter (ai_breaker_transitions_total, which
 * `shipshape validate` reads from /metrics): a counter misses no state, however late it is read.
 */
export function breakerTransitions(metrics: Metrics, tier: string): () => Promise<{ open: number; halfOpen: number; closed: number }> {
  return async () => {
    const values = (await metrics.breakerTransitions.get()).values.filter((value) => value.labels['tier'] === tier);
    const of = (state: string) => values.find((value) => value.labels['state'] === state)?.value ?? 0;
    return { open: of('open'), halfOpen: of('half-open'), closed: of('closed') };
  };
}
