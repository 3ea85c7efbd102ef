// The business side of monitoring: the real outcomes of predictions, reported to
// POST /v1/feedback, become the business metrics the spec names (business.metric and
// successCriteria[].metric), so that rollout analysis and the 30-day review read business
// numbers, not only latency and errors.
import type { Metrics } from './metrics.js';

/** How a business metric summarises its latest observations, from its name. */
export type Aggregate = 'fraction' | 'median' | 'p90' | 'p95' | 'p99' | 'mean';

/**
 * `*accuracy` and `*precision` metrics are the fraction of right labels (fed by the true label
 * or `correct`); `median_*`, `p90_*`, `p95_*`, `p99_*` metrics are that percentile of the values
 * reported; any other metric is their mean.
 */
export function aggregateOf(metric: string): Aggregate {
  if (/(accuracy|precision)$/.test(metric)) return 'fraction';
  const percentile = /^(median|p90|p95|p99)_/.exec(metric)?.[1];
  return (percentile as Aggregate | undefined) ?? 'mean';
}

const QUANTILE: Record<string, number> = { median: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

function summarise(values: readonly number[], aggregate: Aggregate): number {
  if (aggregate === 'fraction' || aggregate === 'mean') return values.reduce((sum, v) => sum + v, 0) / values.length;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least q of the observations at or below it.
  return sorted[Math.max(0, Math.ceil(QUANTILE[aggregate]! * sorted.length) - 1)]!;
}

export class UnknownMetricError extends Error {
  override name = 'UnknownMetricError';
}

/** The latest `window` observations of each business metric, kept in memory. */
export class BusinessMetrics {
  private readonly observations = new Map<string, number[]>();

  constructor(
    private readonly metrics: Metrics,
    readonly names: readonly string[],
    private readonly window = 1000,
  ) {
    // ai_business_metric{metric} has no sample for a metric until its first observation: a fresh
    // release has no data, which is not a value of 0.
    for (const name of names) this.observations.set(name, []);
  }

  /** The metrics a right or wrong label feeds. */
  get correctnessMetrics(): string[] {
    return this.names.filter((name) => aggregateOf(name) === 'fraction');
  }

  /** A prediction turned out right or wrong. */
  recordCorrect(correct: boolean, tier: string): void {
    this.metrics.feedback.inc({ tier, correct: String(correct) });
    for (const name of this.correctnessMetrics) this.observe(name, correct ? 1 : 0);
  }

  /** A value of a business metric (minutes to first response, a rating). Throws UnknownMetricError for a name the spec does not have. */
  observe(name: string, value: number): void {
    const values = this.observations.get(name);
    if (!values) throw new UnknownMetricError(`${name} is not a business metric of the spec (${this.names.join(', ')})`);
    values.push(value);
    if (values.length > this.window) values.shift();
    this.metrics.businessObservations.inc({ metric: name });
    this.metrics.business.set({ metric: name }, summarise(values, aggregateOf(name)));
  }

  /** The current value of each metric that has observations. */
  snapshot(): Record<string, number> {
    const result: Record<string, number> = {};
    for (const [name, values] of this.observations) if (values.length > 0) result[name] = summarise(values, aggregateOf(name));
    return result;
  }
}
