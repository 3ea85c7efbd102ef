/**
 * What the review measures, as one shape whatever the source: the snapshot file is this shape
 * written down, the Prometheus source fills it by query, the interactive one by asking. Every
 * field is optional: what no source could measure is reported as not measured.
 */
import * as z from 'zod';
import type { Spec } from '../spec/schema.js';
import {
  AGGREGATIONS,
  availabilityQuery,
  businessQuery,
  costPerRequestQuery,
  driftQuery,
  latencyQuery,
  monthlyCostQuery,
  type AggregationSpec,
} from './metrics.js';

const value = () => z.number({ error: 'must be a number' }).refine(Number.isFinite, { error: 'must be a finite number' });

/** The snapshot file (`review --metrics FILE`), YAML or JSON. */
export const actualsSchema = z
  .strictObject({
    metrics: z
      .record(z.string(), value())
      .optional()
      .describe('Business metrics by name: business.metric.name and each successCriteria[].metric, as aggregated over the window.'),
    slo: z
      .strictObject({
        availability: value()
          .min(0, { error: 'must be a percentage, 0 to 100' })
          .max(100, { error: 'must be a percentage, 0 to 100' })
          .optional()
          .describe('Percent of requests answered without error over the window.'),
        p95Ms: value().optional().describe('Latency p95 over the window, in milliseconds.'),
        p99Ms: value().optional().describe('Latency p99 over the window, in milliseconds.'),
      })
      .optional(),
    cost: z
      .strictObject({
        perRequestUsd: value().optional().describe('Model spend per request, in USD.'),
        monthlyUsd: value().optional().describe('Model spend over a 30-day month, in USD.'),
      })
      .optional(),
    drift: z.record(z.string(), value()).optional().describe('Drift per feature (monitoring.drift.features), e.g. PSI.'),
  })
  .describe('The actuals of a 30-day review.');

export type Actuals = z.infer<typeof actualsSchema>;

/** Where a measured value goes in Actuals. */
export type ActualsPath =
  | readonly ['metrics', string]
  | readonly ['slo', 'availability' | 'p95Ms' | 'p99Ms']
  | readonly ['cost', 'perRequestUsd' | 'monthlyUsd']
  | readonly ['drift', string];

/** One value to measure: where it goes, what to call it, and the PromQL that measures it. */
export interface MetricQuery {
  path: ActualsPath;
  label: string;
  promql: string;
}

/**
 * business.metric.aggregation, read from the raw spec data: the field is an addition the schema
 * may not have yet. Default: the mean over the window.
 */
export function aggregationOf(data: unknown): AggregationSpec {
  const business = (data as { business?: { metric?: { aggregation?: unknown; quantile?: unknown } } } | undefined)?.business;
  const raw = business?.metric?.aggregation;
  const quantile = business?.metric?.quantile;
  const aggregation = (AGGREGATIONS as readonly unknown[]).includes(raw) ? (raw as AggregationSpec['aggregation']) : 'mean';
  return typeof quantile === 'number' && quantile > 0 && quantile < 1 ? { aggregation, quantile } : { aggregation };
}

/** Every value the review measures for this spec, in the order the interactive source asks. */
export function metricQueries(spec: Spec, data: unknown): MetricQuery[] {
  const days = spec.slo.windowDays ?? 30;
  const how = aggregationOf(data);
  const business = spec.business.metric.name;
  const queries: MetricQuery[] = [
    {
      path: ['metrics', business],
      label: `${business} (the business metric, ${how.aggregation})`,
      promql: businessQuery(business, how, days),
    },
  ];
  for (const criterion of spec.business.successCriteria ?? []) {
    if (queries.some((q) => q.path[0] === 'metrics' && q.path[1] === criterion.metric)) continue;
    queries.push({
      path: ['metrics', criterion.metric],
      label: `${criterion.metric} (success criterion ${criterion.id}, mean)`,
      promql: businessQuery(criterion.metric, { aggregation: 'mean' }, days),
    });
  }
  queries.push(
    { path: ['slo', 'availability'], label: `availability over ${days} days (%)`, promql: availabilityQuery(days) },
    { path: ['slo', 'p95Ms'], label: `latency p95 over ${days} days (ms)`, promql: latencyQuery(0.95, days) },
    { path: ['slo', 'p99Ms'], label: `latency p99 over ${days} days (ms)`, promql: latencyQuery(0.99, days) },
    { path: ['cost', 'perRequestUsd'], label: 'cost per request (USD)', promql: costPerRequestQuery(days) },
    { path: ['cost', 'monthlyUsd'], label: 'cost per 30-day month (USD)', promql: monthlyCostQuery(days) },
  );
  for (const feature of spec.monitoring?.drift?.features ?? []) {
    queries.push({
      path: ['drift', feature],
      label: `drift of ${feature} (${spec.monitoring?.drift?.method ?? 'psi'})`,
      promql: driftQuery(feature),
    });
  }
  return queries;
}

/** Sets one measured value in Actuals (undefined leaves it unmeasured). */
export function setActual(actuals: Actuals, path: ActualsPath, measured: number | undefined): void {
  if (measured === undefined) return;
  const [section, key] = path;
  const target = (actuals[section] ??= {}) as Record<string, number>;
  target[key] = measured;
}
