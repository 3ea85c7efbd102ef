/**
 * The PromQL of stage 7, derived from the spec: the selectors of the service, its SLIs over each
 * window, the error budgets, and the value of the business metric as its declared aggregation
 * says. The rules, the dashboard and the runbook read these; `deploy`'s analysis and `review` can
 * read the same (businessValue in particular) rather than writing their own.
 */
import type { Spec } from '../spec/schema.js';
import { metricName, SERVICE_LABEL } from './service-metrics.js';

export type Aggregation = NonNullable<Spec['business']['metric']['aggregation']>;

/** The windows of the SRE workbook's multi-window, multi-burn-rate alerts. */
export const BURN_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type BurnWindow = (typeof BURN_WINDOWS)[number];

/** Page: 2% of a 30-day budget in an hour, 5% in six; ticket: 10% in a day, 10% in three days. */
export const BURN_RATES = [
  { severity: 'page', long: '1h', short: '5m', factor: 14.4 },
  { severity: 'page', long: '6h', short: '30m', factor: 6 },
  { severity: 'ticket', long: '1d', short: '2h', factor: 3 },
  { severity: 'ticket', long: '3d', short: '6h', factor: 1 },
] as const satisfies readonly { severity: 'page' | 'ticket'; long: BurnWindow; short: BurnWindow; factor: number }[];

/** A number as PromQL and YAML write it: no floating-point noise (0.0144, not 0.014400000000000001). */
export const num = (value: number): string => String(Number(value.toPrecision(12)));

/** The label selector of the service's series, with extra matchers. */
export function selector(spec: Spec, extra: Record<string, string> = {}): string {
  const matchers = { [SERVICE_LABEL]: spec.metadata.name, ...extra };
  return `{${Object.entries(matchers)
    .map(([label, value]) => `${label}=${JSON.stringify(value)}`)
    .join(',')}}`;
}

/** The latency the latency SLO is about: p95 of slo.latency, in seconds as the histogram's `le` label writes it. */
export const latencyThresholdLe = (spec: Spec): string => String(spec.slo.latency.p95Ms / 1000);

/** The error budgets: the share of requests allowed to fail, and to be slower than slo.latency.p95Ms. */
export function budgets(spec: Spec): { availability: number; latency: number } {
  return { availability: Number(((100 - spec.slo.availability) / 100).toPrecision(12)), latency: 0.05 };
}

/** Recording rule names, after the level:metric:operations convention. */
export const RECORDED = {
  errorRatio: (window: BurnWindow) => `service:ai_request_errors:ratio_rate${window}`,
  slowRatio: (window: BurnWindow) => `service:ai_request_slow:ratio_rate${window}`,
  categoryShare: 'service:ai_input_category:share_rate1h',
  categoryShareBaseline: 'service:ai_input_category:share_rate7d_offset1h',
  featureCdf: 'service:ai_input_feature:cdf_rate1h',
  featureCdfBaseline: 'service:ai_input_feature:cdf_rate7d_offset1h',
  drift: 'service:ai_input_drift:score',
} as const;

/** The share of requests that failed over `window` (0 when none failed). */
export function errorRatioExpr(spec: Spec, window: string): string {
  const requests = metricName('requests');
  return `(sum(rate(${requests}${selector(spec, { outcome: 'error' })}[${window}])) or vector(0)) / sum(rate(${requests}${selector(spec)}[${window}]))`;
}

/** The share of requests slower than slo.latency.p95Ms over `window`. */
export function slowRatioExpr(spec: Spec, window: string): string {
  const histogram = metricName('requestDuration');
  return `1 - sum(rate(${histogram}_bucket${selector(spec, { le: latencyThresholdLe(spec) })}[${window}])) / sum(rate(${histogram}_count${selector(spec)}[${window}]))`;
}

/** The aggregation of the business metric: declared, or mean. */
export function aggregationOf(spec: Spec): { aggregation: Aggregation; quantile?: number; declared: boolean } {
  const metric = spec.business.metric;
  return {
    aggregation: metric.aggregation ?? 'mean',
    ...(metric.quantile === undefined ? {} : { quantile: metric.quantile }),
    declared: metric.aggregation !== undefined,
  };
}

/** A sentence: how the business metric is summarised. */
export function describeAggregation(spec: Spec): string {
  const { aggregation, quantile } = aggregationOf(spec);
  switch (aggregation) {
    case 'percentile':
      return quantile === 0.5
        ? 'the median of the latest observations'
        : `the ${num((quantile ?? 0.5) * 100)}th percentile of the latest observations`;
    case 'rate':
      return 'observations per second, over the last hour';
    case 'last':
      return 'the latest observed value';
    case 'mean':
      return 'the mean of the latest observations';
  }
}

/**
 * The business metric's current value, in PromQL. The service summarises its latest observations
 * into ai_business_metric{metric} as the spec's aggregation says; across replicas a mean is
 * averaged, a percentile or a last value takes the worst replica, and a rate counts observations.
 */
export function businessValue(spec: Spec, metric = spec.business.metric.name): string {
  const { aggregation } = aggregationOf(spec);
  const labels = { metric };
  if (aggregation === 'rate') return `sum(rate(${metricName('businessObservations')}${selector(spec, labels)}[1h]))`;
  const worst = spec.business.metric.direction === 'decrease' ? 'max' : 'min';
  const across = aggregation === 'mean' ? 'avg' : worst;
  return `${across}(${metricName('business')}${selector(spec, labels)})`;
}

/** The comparison that says a value is worse than `threshold`, in the metric's direction. */
export const worseThan = (spec: Spec, threshold: number): string =>
  `${spec.business.metric.direction === 'decrease' ? '>' : '<'} ${num(threshold)}`;

/** Mean model spend per request over `window`, in USD. */
export function costPerRequestExpr(spec: Spec, window = '1h'): string {
  const cost = metricName('requestCost');
  return `sum(rate(${cost}_sum${selector(spec)}[${window}])) / sum(rate(${cost}_count${selector(spec)}[${window}]))`;
}

/** Percent of requests answered by the fallback over `window`. */
export function fallbackPercentExpr(spec: Spec, window = '1h'): string {
  return `100 * (sum(rate(${metricName('fallbacks')}${selector(spec)}[${window}])) or vector(0)) / sum(rate(${metricName('requests')}${selector(spec)}[${window}]))`;
}

/** The p95 latency over `window`, in milliseconds. */
export function p95MsExpr(spec: Spec, window = '5m'): string {
  return `1000 * histogram_quantile(0.95, sum by (le) (rate(${metricName('requestDuration')}_bucket${selector(spec)}[${window}])))`;
}

/** The queries of one service, bound to its spec: the rules, the dashboard and the runbook take theirs from here. */
export interface ServiceQueries {
  /** The service's label selector, with extra matchers. */
  selector(extra?: Record<string, string>): string;
  /** The error budgets. */
  budget: { availability: number; latency: number };
  /** The business metric's current value (or that of `metric`). */
  businessValue(metric?: string): string;
  /** The comparison that says a value of the business metric is worse than `threshold`. */
  worseThan(threshold: number): string;
  errorRatio(window: string): string;
  slowRatio(window: string): string;
  costPerRequest(window?: string): string;
  fallbackPercent(window?: string): string;
  p95Ms(window?: string): string;
}

export function serviceQueries(spec: Spec): ServiceQueries {
  return {
    selector: (extra) => selector(spec, extra),
    budget: budgets(spec),
    businessValue: (metric) => businessValue(spec, metric),
    worseThan: (threshold) => worseThan(spec, threshold),
    errorRatio: (window) => errorRatioExpr(spec, window),
    slowRatio: (window) => slowRatioExpr(spec, window),
    costPerRequest: (window) => costPerRequestExpr(spec, window),
    fallbackPercent: (window) => fallbackPercentExpr(spec, window),
    p95Ms: (window) => p95MsExpr(spec, window),
  };
}
