// The business metrics fed by POST /v1/feedback: how each is summarised (the spec's
// business.metric.aggregation, else a default from its name), and the window, median,
// percentiles, fractions, last values and rates over the latest observations.
import { describe, expect, it } from 'vitest';
import { aggregationFromName, BusinessMetrics, fedByCorrectness, UnknownMetricError } from '../src/monitoring/business.js';
import { createMetrics, type Metrics } from '../src/monitoring/metrics.js';
import { triageConfig } from './support/triage.js';

const MEDIAN = 'median_first_response_minutes';
const ACCURACY = 'routing_accuracy';

async function gauge(metrics: Metrics, name: string): Promise<number | undefined> {
  const { values } = await metrics.business.get();
  return values.find((value) => value.labels['metric'] === name)?.value;
}

async function counter(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const { values } = await metrics.registry.getSingleMetric(name)!.get();
  return values.find((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected))?.value ?? 0;
}

/** The reference example's business metrics (a median and an accuracy), with a window of `window`. */
function setup(window?: number, names: string[] = [MEDIAN, ACCURACY]) {
  const metrics = createMetrics(triageConfig(), { defaultMetrics: false });
  return { metrics, business: new BusinessMetrics(metrics, names, window) };
}

describe('aggregationFromName (the default when the spec declares no business.metric.aggregation)', () => {
  it('takes median_, p90_, p95_ and p99_ metrics for that percentile', () => {
    expect(aggregationFromName('median_first_response_minutes')).toEqual({ kind: 'percentile', quantile: 0.5 });
    expect(aggregationFromName('p90_handle_minutes')).toEqual({ kind: 'percentile', quantile: 0.9 });
    expect(aggregationFromName('p95_handle_minutes')).toEqual({ kind: 'percentile', quantile: 0.95 });
    expect(aggregationFromName('p99_handle_minutes')).toEqual({ kind: 'percentile', quantile: 0.99 });
  });

  it('takes any other metric, a fraction of right labels included, for the mean', () => {
    for (const name of [
      'routing_accuracy',
      'label_precision',
      'self_service_rate',
      'csat',
      'median',
      'minutes_median',
      'p50_minutes',
      'Median_minutes',
      'precision_at_5',
    ])
      expect(aggregationFromName(name), name).toEqual({ kind: 'mean' });
  });

  it('feeds *accuracy and *precision metrics with right and wrong labels', () => {
    for (const name of ['routing_accuracy', 'accuracy', 'label_precision', 'precision', 'median_accuracy'])
      expect(fedByCorrectness(name), name).toBe(true);
    for (const name of ['accuracy_rate', 'precision_at_5', 'csat']) expect(fedByCorrectness(name), name).toBe(false);
  });
});

describe('BusinessMetrics with a declared aggregation (business.metric.aggregation)', () => {
  it('takes the declared aggregation over the name: a median_ metric declared mean is the mean', () => {
    const { metrics } = setup();
    const business = new BusinessMetrics(metrics, { [MEDIAN]: { kind: 'mean' } });
    for (const value of [10, 20, 90]) business.observe(MEDIAN, value);
    expect(business.snapshot()).toEqual({ [MEDIAN]: 40 });
    expect(business.aggregationOf(MEDIAN)).toEqual({ kind: 'mean' });
  });

  it('summarises a percentile at its declared quantile, by nearest rank', () => {
    const { metrics } = setup();
    const business = new BusinessMetrics(metrics, { csat: { kind: 'percentile', quantile: 0.25 } });
    for (const value of [5, 1, 4, 2, 3, 8, 7, 6]) business.observe('csat', value);
    expect(business.snapshot()).toEqual({ csat: 2 });
  });

  it('keeps the latest value with last', async () => {
    const { metrics } = setup();
    const business = new BusinessMetrics(metrics, { backlog_tickets: { kind: 'last' } });
    for (const value of [40, 12, 31]) business.observe('backlog_tickets', value);
    expect(await gauge(metrics, 'backlog_tickets')).toBe(31);
  });

  it('counts a rate as observations per second: since the start within the first hour, then over the last hour', async () => {
    const { metrics } = setup();
    let now = 0;
    const business = new BusinessMetrics(metrics, { tickets_deflected: { kind: 'rate' } }, 1000, () => now);
    // 30 observations in the first 10 seconds: 3 per second.
    for (let i = 0; i < 30; i++) {
      now = i * 300;
      business.observe('tickets_deflected', 1);
    }
    now = 10_000;
    expect(business.snapshot()['tickets_deflected']).toBeCloseTo(3);
    // Nothing more for 50 s: the rate falls, and /metrics shows it once refreshed.
    now = 60_000;
    business.refresh();
    expect(await gauge(metrics, 'tickets_deflected')).toBeCloseTo(0.5);
    // Two hours on, the first observations are out of the window: one new one in the last hour.
    now = 2 * 3_600_000;
    business.observe('tickets_deflected', 1);
    expect(business.snapshot()['tickets_deflected']).toBeCloseTo(1 / 3600);
  });

  it('reads its aggregations from the config, as the app does', () => {
    const config = triageConfig();
    const { metrics } = setup();
    const business = new BusinessMetrics(metrics, config.businessAggregations);
    expect(business.names).toEqual(config.businessMetrics);
    expect(business.aggregationOf(MEDIAN)).toEqual({ kind: 'percentile', quantile: 0.5 });
  });
});

describe('BusinessMetrics', () => {
  it('sets the gauge of a median_ metric to the median of its values (the lower one of an even count)', async () => {
    const { metrics, business } = setup();
    business.observe(MEDIAN, 90);
    expect(await gauge(metrics, MEDIAN)).toBe(90);
    business.observe(MEDIAN, 30);
    expect(await gauge(metrics, MEDIAN)).toBe(30);
    business.observe(MEDIAN, 45);
    expect(await gauge(metrics, MEDIAN)).toBe(45);
    business.observe(MEDIAN, 120);
    expect(await gauge(metrics, MEDIAN)).toBe(45);
    expect(business.snapshot()).toEqual({ [MEDIAN]: 45 });
    expect(await counter(metrics, 'ai_business_observations_total', { metric: MEDIAN })).toBe(4);
  });

  it('summarises p90_, p95_ and p99_ metrics by nearest rank, and others by the mean', () => {
    const { business } = setup(undefined, ['p90_x', 'p95_x', 'p99_x', 'self_service_rate']);
    for (let value = 20; value >= 1; value--) for (const name of ['p90_x', 'p95_x', 'p99_x']) business.observe(name, value);
    business.observe('self_service_rate', 0.2);
    business.observe('self_service_rate', 0.5);
    const snapshot = business.snapshot();
    expect(snapshot['p90_x']).toBe(18);
    expect(snapshot['p95_x']).toBe(19);
    expect(snapshot['p99_x']).toBe(20);
    expect(snapshot['self_service_rate']).toBeCloseTo(0.35);
  });

  it('feeds every fraction metric with right and wrong labels, and counts the feedback by tier', async () => {
    const { metrics, business } = setup(undefined, [MEDIAN, ACCURACY, 'queue_precision']);
    expect(business.correctnessMetrics).toEqual([ACCURACY, 'queue_precision']);
    business.recordCorrect(true, 'fast');
    business.recordCorrect(true, 'fast');
    business.recordCorrect(true, 'strong');
    business.recordCorrect(false, 'strong');
    expect(business.snapshot()).toEqual({ [ACCURACY]: 0.75, queue_precision: 0.75 });
    expect(await gauge(metrics, ACCURACY)).toBe(0.75);
    expect(await counter(metrics, 'ai_feedback_total', { tier: 'fast', correct: 'true' })).toBe(2);
    expect(await counter(metrics, 'ai_feedback_total', { tier: 'strong', correct: 'false' })).toBe(1);
  });

  it('keeps only the latest `window` observations of each metric', async () => {
    const { metrics, business } = setup(3);
    for (const value of [1000, 1000, 10, 20, 30]) business.observe(MEDIAN, value);
    expect(await gauge(metrics, MEDIAN)).toBe(20);
    for (const correct of [true, true, true, false, false]) business.recordCorrect(correct, 'fast');
    expect(await gauge(metrics, ACCURACY)).toBeCloseTo(1 / 3);
    // The counters still count everything.
    expect(await counter(metrics, 'ai_business_observations_total', { metric: MEDIAN })).toBe(5);
  });

  it('keeps 1000 observations by default', () => {
    const { business } = setup();
    for (let i = 0; i < 1000; i++) business.recordCorrect(false, 'fast');
    business.recordCorrect(true, 'fast');
    expect(business.snapshot()[ACCURACY]).toBeCloseTo(1 / 1000);
  });

  it('refuses a metric the spec does not name, recording nothing', async () => {
    const { metrics, business } = setup();
    expect(() => business.observe('nps', 9)).toThrow(UnknownMetricError);
    expect(() => business.observe('nps', 9)).toThrow(/nps/);
    expect(business.snapshot()).toEqual({});
    expect(await counter(metrics, 'ai_business_observations_total', { metric: 'nps' })).toBe(0);
  });

  it('reports only metrics with observations', () => {
    const { business } = setup();
    expect(business.snapshot()).toEqual({});
    business.observe(MEDIAN, 12);
    expect(business.snapshot()).toEqual({ [MEDIAN]: 12 });
  });
});
