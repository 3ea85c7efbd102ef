/**
 * shipshape's own analysis for `rollouts: service-switch` (Argo Rollouts does it for `argo`):
 * the same queries and the same rules as the AnalysisTemplate, run against Prometheus' HTTP API.
 * Every `intervalSeconds`, each query is measured; an empty or NaN result is inconclusive, never a
 * pass. More failures than failureLimit fail the analysis, more inconclusive measurements than
 * inconclusiveLimit make it inconclusive, and `count` measurements without either pass it.
 */
import { ExternalError } from '../../../errors.js';
import type { AnalysisQuery } from './analysis.js';

export type Measurement = 'pass' | 'fail' | 'inconclusive';

/** How one result reads against a threshold: what the AnalysisTemplate's conditions say, in code. */
export function judge(threshold: AnalysisQuery['threshold'], values: readonly number[]): Measurement {
  const value = values[0];
  if (value === undefined || Number.isNaN(value)) return 'inconclusive';
  if (threshold.min !== undefined && value < threshold.min) return 'fail';
  if (threshold.max !== undefined && value > threshold.max) return 'fail';
  return 'pass';
}

/** The values of an instant query's vector (`/api/v1/query`); [] for an empty vector. */
export async function queryPrometheus(address: string, query: string, options: { signal?: AbortSignal } = {}): Promise<number[]> {
  const url = new URL('/api/v1/query', address);
  url.searchParams.set('query', query);
  let response: Response;
  try {
    response = await fetch(url, { ...(options.signal ? { signal: options.signal } : {}), headers: { accept: 'application/json' } });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ExternalError(`query ${url.origin}`, `Prometheus is unreachable: ${(error as Error).message}`, { cause: error });
  }
  const text = await response.text();
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch (error) {
    throw new ExternalError(`query ${url.origin}`, `HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`, { cause: error });
  }
  if (!response.ok || body.status !== 'success') {
    throw new ExternalError(`query ${url.origin}`, `HTTP ${response.status}: ${body.error ?? text.slice(0, 200)}`);
  }
  const { resultType, result } = body.data ?? {};
  if (resultType === 'scalar' && Array.isArray(result)) return [Number(result[1])];
  if (resultType !== 'vector' || !Array.isArray(result))
    throw new ExternalError(`query ${url.origin}`, `not a vector: ${text.slice(0, 200)}`);
  return result.map((sample) => Number((sample as { value?: [number, string] }).value?.[1]));
}

export interface AnalysisSettings {
  address: string;
  intervalSeconds: number;
  count: number;
  failureLimit: number;
  inconclusiveLimit: number;
  signal?: AbortSignal;
  /** Waits between measurements (tests pass a fake). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onMeasurement?: (query: AnalysisQuery, values: number[], measurement: Measurement) => void;
}

export interface AnalysisResult {
  verdict: Measurement;
  reason?: string;
  /** Per query: measurements that passed, failed, were inconclusive. */
  tally: Record<string, Record<Measurement, number>>;
}

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/** Measures every query `count` times, `intervalSeconds` apart, and gives the verdict of the run. */
export async function runAnalysis(queries: readonly AnalysisQuery[], settings: AnalysisSettings): Promise<AnalysisResult> {
  const sleep = settings.sleep ?? pause;
  const tally: AnalysisResult['tally'] = Object.fromEntries(queries.map((q) => [q.name, { pass: 0, fail: 0, inconclusive: 0 }]));
  for (let round = 0; round < settings.count; round++) {
    if (round > 0) await sleep(settings.intervalSeconds * 1000, settings.signal);
    if (settings.signal?.aborted) return { verdict: 'inconclusive', reason: 'interrupted', tally };
    for (const query of queries) {
      const values = await queryPrometheus(settings.address, query.query, settings.signal ? { signal: settings.signal } : {});
      const measurement = judge(query.threshold, values);
      tally[query.name]![measurement]++;
      settings.onMeasurement?.(query, values, measurement);
      const counts = tally[query.name]!;
      if (counts.fail > settings.failureLimit) {
        return { verdict: 'fail', reason: `${query.name} failed ${counts.fail} times (failureLimit ${settings.failureLimit})`, tally };
      }
      if (counts.inconclusive > settings.inconclusiveLimit) {
        return {
          verdict: 'inconclusive',
          reason: `${query.name} had no data ${counts.inconclusive} times (inconclusiveLimit ${settings.inconclusiveLimit}): too little traffic on the new version`,
          tally,
        };
      }
    }
  }
  return { verdict: 'pass', tally };
}
