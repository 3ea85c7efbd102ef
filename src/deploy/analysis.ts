/**
 * One analysis of the new version against the spec's `deploy.analysis.metrics`: pure, so the
 * controller's tests and the drill share it. Too few requests, or a metric with no data, is
 * inconclusive: never a silent pass.
 */
import type { AnalysisCheck, Verdict, VersionMetrics } from '../state/deployments.js';
import type { DeploySpec } from './driver.js';

export type AnalysisSpec = NonNullable<DeploySpec['analysis']>;
export type AnalysisMetric = AnalysisSpec['metrics'][number];

/** The fewest requests an analysis needs when the spec does not say (deploy.analysis.minRequests). */
export const DEFAULT_MIN_REQUESTS = 20;

/** What an analysis runs when the spec has no `deploy.analysis`: errors and latency, every 10 s. */
export const DEFAULT_ANALYSIS: AnalysisSpec = {
  intervalSeconds: 10,
  failureLimit: 1,
  metrics: [{ name: 'error-rate-percent', max: 1 }],
};

const round = (value: number): number => Math.round(value * 1000) / 1000;

/** The value of one metric in a window, or undefined with why there is none. */
function valueOf(metric: AnalysisMetric, window: VersionMetrics): { value?: number; missing?: string } {
  const errorRate = window.requests > 0 ? (window.errors / window.requests) * 100 : undefined;
  switch (metric.name) {
    case 'error-rate-percent':
      return errorRate === undefined ? { missing: 'no request' } : { value: errorRate };
    case 'availability':
      return errorRate === undefined ? { missing: 'no request' } : { value: 100 - errorRate };
    case 'p95-latency-ms':
      return window.p95LatencyMs === undefined ? { missing: 'no latency measured' } : { value: window.p95LatencyMs };
    case 'p99-latency-ms':
      return window.p99LatencyMs === undefined ? { missing: 'no latency measured' } : { value: window.p99LatencyMs };
    case 'business': {
      const name = metric.metric;
      if (!name) return { missing: 'names no business metric (metric:)' };
      const value = window.business?.[name];
      return value === undefined || Number.isNaN(value) ? { missing: `no ${name} gauge in /metrics` } : { value };
    }
  }
}

/** The analysis of one window of the new version's figures. */
export function analyze(window: VersionMetrics, spec: AnalysisSpec): { verdict: Verdict; checks: AnalysisCheck[] } {
  const minRequests = spec.minRequests ?? DEFAULT_MIN_REQUESTS;
  const tooFew = window.requests < minRequests;
  const checks = spec.metrics.map((metric): AnalysisCheck => {
    const label = metric.name === 'business' && metric.metric ? `business ${metric.metric}` : metric.name;
    const bounds = { ...(metric.min === undefined ? {} : { min: metric.min }), ...(metric.max === undefined ? {} : { max: metric.max }) };
    if (tooFew)
      return {
        metric: label,
        ...bounds,
        verdict: 'inconclusive',
        detail: `${window.requests} requests, fewer than the ${minRequests} an analysis needs`,
      };
    const { value, missing } = valueOf(metric, window);
    if (value === undefined) return { metric: label, ...bounds, verdict: 'inconclusive', detail: missing };
    const low = metric.min !== undefined && value < metric.min;
    const high = metric.max !== undefined && value > metric.max;
    const detail = low
      ? `${round(value)} is under the minimum ${metric.min}`
      : high
        ? `${round(value)} is over the maximum ${metric.max}`
        : undefined;
    return { metric: label, value: round(value), ...bounds, verdict: low || high ? 'fail' : 'pass', ...(detail ? { detail } : {}) };
  });
  const verdict: Verdict = checks.some((c) => c.verdict === 'fail')
    ? 'fail'
    : checks.some((c) => c.verdict === 'inconclusive')
      ? 'inconclusive'
      : 'pass';
  return { verdict, checks };
}

/** The p-th percentile (0..100) of unsorted samples, nearest rank; undefined for none. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}
