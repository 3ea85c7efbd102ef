/**
 * Actuals from a Prometheus HTTP API (`review --prometheus URL`): one instant query
 * (GET /api/v1/query) per value, each with its own timeout. An answer with no series means "not
 * measured"; an unreachable server, an error answer or a malformed one is a UserError (exit 2).
 */
import { BugError, InterruptedError, UserError } from '../../../errors.js';
import { setActual, type Actuals, type MetricQuery } from '../../actuals.js';
import type { MetricSource } from '../types.js';

export const DEFAULT_TIMEOUT_MS = 10_000;

interface Endpoint {
  /** The base URL without credentials, as shown. */
  display: string;
  base: URL;
  headers: Record<string, string>;
}

/** Parses the URL; credentials in it become a Basic authorization header and never appear in output. */
export function prometheusEndpoint(url: string): Endpoint {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new UserError(`--prometheus ${JSON.stringify(url)} is not a URL`, {
      hint: 'Pass the base URL of Prometheus, e.g. http://localhost:9090.',
    });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new UserError(`--prometheus must be an http or https URL, not ${base.protocol}`, {
      hint: 'Pass the base URL of Prometheus, e.g. http://localhost:9090.',
    });
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (base.username || base.password) {
    const user = decodeURIComponent(base.username);
    const password = decodeURIComponent(base.password);
    headers['authorization'] = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    base.username = '';
    base.password = '';
  }
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return { display: base.href.replace(/\/$/, ''), base, headers };
}

/** A sample value as Prometheus writes it ("0.93", "NaN", "+Inf"): a finite number or undefined. */
function sampleValue(sample: unknown): number | undefined {
  if (!Array.isArray(sample) || sample.length !== 2 || typeof sample[1] !== 'string') throw new Error('a sample is not [time, "value"]');
  const value = Number(sample[1]);
  return Number.isFinite(value) ? value : undefined;
}

/** The one number of an instant query's answer (its `data`), or undefined when it holds no series. */
export function instantValue(data: unknown): number | undefined {
  const { resultType, result } = (data ?? {}) as { resultType?: unknown; result?: unknown };
  if (resultType === 'scalar') return sampleValue(result);
  if (resultType !== 'vector') throw new Error(`the result type is ${JSON.stringify(resultType)}, not vector or scalar`);
  if (!Array.isArray(result)) throw new Error('the vector result is not a list');
  if (result.length === 0) return undefined;
  if (result.length > 1) throw new Error(`the query returned ${result.length} series; the review expects one`);
  return sampleValue((result[0] as { value?: unknown }).value);
}

async function runQuery(
  endpoint: Endpoint,
  query: MetricQuery,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<number | undefined> {
  const url = new URL('api/v1/query', endpoint.base);
  url.searchParams.set('query', query.promql);
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { headers: endpoint.headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    text = await response.text();
  } catch (error) {
    if (signal?.aborted) throw new InterruptedError();
    if (timeout.aborted) {
      throw new UserError(`Prometheus at ${endpoint.display} did not answer within ${timeoutMs / 1000} s (querying ${query.label})`, {
        hint: 'Check that Prometheus is up and reachable from here, or pass a snapshot with --metrics.',
      });
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new UserError(`cannot reach Prometheus at ${endpoint.display} (${cause?.code ?? cause?.message ?? (error as Error).message})`, {
      hint: 'Check the URL given to --prometheus and that Prometheus is running, or pass a snapshot with --metrics.',
    });
  }
  let body: { status?: unknown; data?: unknown; errorType?: unknown; error?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new UserError(`Prometheus at ${endpoint.display} answered HTTP ${response.status} without JSON (querying ${query.label})`, {
      hint: 'Check that --prometheus is the base URL of the Prometheus HTTP API (the path before /api/v1).',
    });
  }
  if (body.status === 'error' || !response.ok) {
    const reason = typeof body.error === 'string' ? `${String(body.errorType ?? 'error')}: ${body.error}` : `HTTP ${response.status}`;
    throw new UserError(`Prometheus at ${endpoint.display} refused the query for ${query.label} (${reason})`, {
      hint: `The query was: ${query.promql}`,
    });
  }
  try {
    if (body.status !== 'success') throw new Error(`its status is ${JSON.stringify(body.status)}`);
    return instantValue(body.data);
  } catch (error) {
    throw new UserError(`Prometheus at ${endpoint.display} gave a malformed answer for ${query.label}: ${(error as Error).message}`, {
      hint: `The query was: ${query.promql}`,
    });
  }
}

export const prometheusSource: MetricSource = {
  kind: 'prometheus',
  describe: ({ url }) => `Prometheus at ${url ? prometheusEndpoint(url).display : '?'}`,
  async read({ url, queries, timeoutMs = DEFAULT_TIMEOUT_MS, signal }) {
    if (!url) throw new BugError('the Prometheus metric source needs a URL');
    const endpoint = prometheusEndpoint(url);
    // The first failure ends the other queries rather than leaving them to their timeouts.
    const stop = new AbortController();
    const each = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    const values = await Promise.all(
      queries.map((query) =>
        runQuery(endpoint, query, timeoutMs, each).catch((error: unknown) => {
          stop.abort();
          throw error;
        }),
      ),
    );
    const actuals: Actuals = {};
    queries.forEach((query, i) => setActual(actuals, query.path, values[i]));
    return actuals;
  },
};
