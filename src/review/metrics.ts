/**
 * Every metric name and PromQL query the review reads, in one module, so they can be re-pointed
 * at one catalogue when `runbook`'s recording rules name them. The names are those the generated
 * service exports (templates/service-ts/files/src/monitoring/metrics.ts); a test reads them there.
 */

/** Metric names of the generated service. */
export const SERVICE_METRICS = {
  /** Counter, labels outcome (success | error), tier, fallback. */
  requests: 'ai_requests_total',
  /** Histogram in seconds, label outcome. */
  requestDuration: 'ai_request_duration_seconds',
  /** Counter in USD, label tier. */
  cost: 'ai_cost_usd_total',
  /** Gauge, label metric: each business metric of the spec, by name in the label. */
  business: 'ai_business_metric',
  /** Counter, label metric: feedback observations of each business metric. */
  businessObservations: 'ai_business_observations_total',
  /**
   * Gauge, label feature: the population stability index of a drift feature against its
   * baseline. The service does not export it yet (drift monitoring computes it); when absent,
   * drift is reported as not measured.
   */
  driftPsi: 'ai_drift_psi',
} as const;

/** How the business metric is aggregated over the review window (business.metric.aggregation). */
export const AGGREGATIONS = ['mean', 'rate', 'percentile', 'last'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export interface AggregationSpec {
  aggregation: Aggregation;
  /** For percentile: 0 < quantile < 1. */
  quantile?: number;
}

/** A PromQL range selector for a window of whole days. */
const range = (days: number): string => `${days}d`;

/** The business metric (ai_business_metric with its spec name in the metric label), aggregated over the window. */
export function businessQuery(metric: string, how: AggregationSpec, days: number): string {
  const name = `${SERVICE_METRICS.business}{metric="${metric}"}`;
  switch (how.aggregation) {
    case 'last':
      return `avg(${name})`;
    case 'rate':
      // A rate is of events: the feedback observations of the metric, per second.
      return `sum(rate(${SERVICE_METRICS.businessObservations}{metric="${metric}"}[${range(days)}]))`;
    case 'percentile':
      return `avg(quantile_over_time(${how.quantile ?? 0.5}, ${name}[${range(days)}]))`;
    case 'mean':
      return `avg(avg_over_time(${name}[${range(days)}]))`;
  }
}

/** Percent of requests answered without error over the window. */
export function availabilityQuery(days: number): string {
  const { requests } = SERVICE_METRICS;
  return `100 * (1 - sum(increase(${requests}{outcome="error"}[${range(days)}])) / sum(increase(${requests}[${range(days)}])))`;
}

/** A latency percentile over the window, in milliseconds. */
export function latencyQuery(quantile: number, days: number): string {
  return `1000 * histogram_quantile(${quantile}, sum by (le) (rate(${SERVICE_METRICS.requestDuration}_bucket[${range(days)}])))`;
}

/** Model spend per request over the window, in USD. */
export function costPerRequestQuery(days: number): string {
  const { cost, requests } = SERVICE_METRICS;
  return `sum(increase(${cost}[${range(days)}])) / sum(increase(${requests}[${range(days)}]))`;
}

/** Model spend over the window scaled to a 30-day month, in USD. */
export function monthlyCostQuery(days: number): string {
  const spend = `sum(increase(${SERVICE_METRICS.cost}[${range(days)}]))`;
  return days === 30 ? spend : `${spend} * 30 / ${days}`;
}

/** The drift of one feature (PSI), the worst across instances. */
export function driftQuery(feature: string): string {
  return `max(${SERVICE_METRICS.driftPsi}{feature=${JSON.stringify(feature)}})`;
}
