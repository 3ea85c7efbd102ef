// The business side of monitoring: the real outcomes of predictions, reported to
// POST /v1/feedback, become the business metrics the spec names (business.metric and
// successCriteria[].metric), so that rollout analysis and the 30-day review read business
// numbers, not only latency and errors.
import type { Metrics } from './metrics.js';

/**
 * How a business metric's observations become its value: the spec's business.metric.aggregation
 * (with quantile for a percentile), the same field the alert rules, the rollout analysis and the
 * review read. mean: the mean of the latest observations (a fraction of right labels is the mean
 * of 1s and 0s); percentile: that quantile of them; rate: observations per second over the last
 * hour; last: the latest one.
 */
export interface Aggregation {
  kind: 'mean' | 'percentile' | 'rate' | 'last';
  /** With kind percentile: 0 < quantile < 1. */
  quantile?: number;
}

/**
 * The aggregation of a metric that declares none: business.metric without an aggregation, and
 * every successCriteria[].metric (the spec has no field for them). `median_*`, `p90_*`, `p95_*`
 * and `p99_*` metrics are that percentile; any other metric (a fraction of right labels
 * included) is the mean.
 */
export function aggregationFromName(metric: string): Aggregation {
  const percentile = /^(median|p90|p95|p99)_/.exec(metric)?.[1];
  if (percentile === undefined) return { kind: 'mean' };
  return { kind: 'percentile', quantile: percentile === 'median' ? 0.5 : Number(percentile.slice(1)) / 100 };
}

/** `*accuracy` and `*precision` metrics are fed by right and wrong labels (the true label, or `correct`). */
export function fedByCorrectness(metric: string): boolean {
  return /(accuracy|precision)$/.test(metric);
}

/**
 * A rate is over the last hour (as the alert rules' rate(...[1h])), or since the service started
 * when that is sooner, counted in minute buckets: memory and time per observation stay constant.
 */
const RATE_BUCKET_MS = 60_000;
const RATE_BUCKETS = 60;

interface Series {
  aggregation: Aggregation;
  values: number[];
  /** Rate only: observations per minute, by minute number modulo RATE_BUCKETS, and the minute each count is of. */
  counts: number[];
  minutes: number[];
}

export class UnknownMetricError extends Error {
  override name = 'UnknownMetricError';
}

/** The latest `window` observations of each business metric, kept in memory. */
export class BusinessMetrics {
  private readonly series = new Map<string, Series>();
  private readonly startedAt: number;

  /**
   * `aggregations`: each metric's aggregation by name (config.businessAggregations), or names
   * alone, each aggregated as aggregationFromName() says.
   */
  constructor(
    private readonly metrics: Metrics,
    aggregations: Readonly<Record<string, Aggregation>> | readonly string[],
    private readonly window = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
    const entries = Array.isArray(aggregations)
      ? (aggregations as readonly string[]).map((name) => [name, aggregationFromName(name)] as const)
      : Object.entries(aggregations as Readonly<Record<string, Aggregation>>);
    // ai_business_metric{metric} has no sample for a metric until its first observation: a fresh
    // release has no data, which is not a value of 0.
    for (const [name, aggregation] of entries) this.series.set(name, { aggregation, values: [], counts: [], minutes: [] });
  }

  get names(): string[] {
    return [...this.series.keys()];
  }

  /** How each metric is aggregated. */
  aggregationOf(name: string): Aggregation | undefined {
    return this.series.get(name)?.aggregation;
  }

  /** The metrics a right or wrong label feeds. */
  get correctnessMetrics(): string[] {
    return this.names.filter(fedByCorrectness);
  }

  /** A prediction turned out right or wrong. */
  recordCorrect(correct: boolean, tier: string): void {
    this.metrics.feedback.inc({ tier, correct: String(correct) });
    for (const name of this.correctnessMetrics) this.observe(name, correct ? 1 : 0);
  }

  /** A value of a business metric (minutes to first response, a rating). Throws UnknownMetricError for a name the spec does not have. */
  observe(name: string, value: number): void {
    const series = this.series.get(name);
    if (!series) throw new UnknownMetricError(`${name} is not a business metric of the spec (${this.names.join(', ')})`);
    series.values.push(value);
    if (series.values.length > this.window) series.values.shift();
    if (series.aggregation.kind === 'rate') {
      const minute = Math.floor(this.now() / RATE_BUCKET_MS);
      const slot = minute % RATE_BUCKETS;
      if (series.minutes[slot] !== minute) {
        series.minutes[slot] = minute;
        series.counts[slot] = 0;
      }
      series.counts[slot]!++;
    }
    this.metrics.businessObservations.inc({ metric: name });
    this.metrics.business.set({ metric: name }, this.summarise(series));
  }

  /** Brings the rates up to date (a rate falls while nothing is observed): called before each scrape of /metrics. */
  refresh(): void {
    for (const [name, series] of this.series)
      if (series.aggregation.kind === 'rate' && series.values.length > 0)
        this.metrics.business.set({ metric: name }, this.summarise(series));
  }

  /** The current value of each metric that has observations. */
  snapshot(): Record<string, number> {
    const result: Record<string, number> = {};
    for (const [name, series] of this.series) if (series.values.length > 0) result[name] = this.summarise(series);
    return result;
  }

  private summarise(series: Series): number {
    const { aggregation, values } = series;
    switch (aggregation.kind) {
      case 'mean':
        return values.reduce((sum, v) => sum + v, 0) / values.length;
      case 'last':
        return values[values.length - 1]!;
      case 'percentile': {
        const sorted = [...values].sort((a, b) => a - b);
        // Nearest rank: the smallest value with at least q of the observations at or below it.
        return sorted[Math.max(0, Math.ceil((aggregation.quantile ?? 0.5) * sorted.length) - 1)]!;
      }
      case 'rate': {
        const now = this.now();
        const minute = Math.floor(now / RATE_BUCKET_MS);
        let count = 0;
        for (let slot = 0; slot < RATE_BUCKETS; slot++)
          if (series.minutes[slot] !== undefined && series.minutes[slot]! > minute - RATE_BUCKETS) count += series.counts[slot]!;
        const seconds = Math.max(1000, Math.min(RATE_BUCKETS * RATE_BUCKET_MS, now - this.startedAt)) / 1000;
        return count / seconds;
      }
    }
  }
}
