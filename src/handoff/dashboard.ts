/**
 * monitoring/grafana-dashboard.json, built with Grafana's typed builders
 * (@grafana/grafana-foundation-sdk) rather than hand-written JSON: the business metric first,
 * then the SLO and its error budget, latency, errors, fallbacks, breakers, tier usage, cost and
 * drift, every query on a datasource variable. The queries are the ones of src/handoff/queries.ts.
 */
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import type { Spec } from '../spec/schema.js';
import { num, RECORDED, serviceQueries } from './queries.js';
import { metricName } from './service-metrics.js';

export const DASHBOARD_FILE = 'monitoring/grafana-dashboard.json';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

interface PanelSpec {
  kind: 'stat' | 'timeseries';
  title: string;
  description: string;
  unit: string;
  /** Query, legend. */
  queries: [string, string][];
  /** A red line (or colour) from this value; `below` when lower is worse. */
  threshold?: { value: number; below?: boolean };
}

interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

/** The rows of the dashboard, as data: also what the tests parse. */
export function dashboardRows(spec: Spec): RowSpec[] {
  const metric = spec.business.metric;
  const q = serviceQueries(spec);
  const sel = q.selector();
  const windowDays = spec.slo.windowDays ?? 30;
  const budget = q.budget;
  const decrease = metric.direction === 'decrease';
  const rows: RowSpec[] = [
    {
      title: 'Business',
      panels: [
        {
          kind: 'stat',
          title: metric.name,
          description: `${metric.description ?? metric.name} Baseline ${num(metric.baseline)}, target ${num(metric.target)} (${metric.direction}).`,
          unit: 'none',
          queries: [[q.businessValue(), metric.name]],
          threshold: { value: metric.target, below: !decrease },
        },
        {
          kind: 'timeseries',
          title: 'Business metrics',
          description:
            'Every business metric of the spec (business.metric and the success criteria), as the service summarises its feedback.',
          unit: 'none',
          queries: [[`${metricName('business')}${sel}`, '{{metric}}']],
        },
      ],
    },
    {
      title: 'SLO and error budget',
      panels: [
        {
          kind: 'stat',
          title: `Availability over ${windowDays} days`,
          description: `Objective ${spec.slo.availability}% (slo.availability).`,
          unit: 'percent',
          queries: [[`100 * (1 - (${q.errorRatio(`${windowDays}d`)}))`, 'availability']],
          threshold: { value: spec.slo.availability, below: true },
        },
        {
          kind: 'stat',
          title: 'Error budget remaining',
          description: `The share of the ${windowDays}-day error budget (${num(budget.availability * 100)}% of requests) not yet spent.`,
          unit: 'percentunit',
          queries: [[`1 - (${q.errorRatio(`${windowDays}d`)}) / ${num(budget.availability)}`, 'remaining']],
          threshold: { value: 0, below: true },
        },
        {
          kind: 'timeseries',
          title: 'Burn rate',
          description: 'How fast the availability budget burns (1 = exactly on budget); the fast page fires at 14.4 over 1h.',
          unit: 'none',
          queries: [
            [`${RECORDED.errorRatio('1h')}${sel} / ${num(budget.availability)}`, '1h'],
            [`${RECORDED.errorRatio('6h')}${sel} / ${num(budget.availability)}`, '6h'],
            [`${RECORDED.slowRatio('1h')}${sel} / ${num(budget.latency)}`, 'latency 1h'],
          ],
          threshold: { value: 14.4 },
        },
      ],
    },
    {
      title: 'Latency',
      panels: [
        {
          kind: 'timeseries',
          title: 'Request latency',
          description: `p95 objective ${spec.slo.latency.p95Ms} ms, p99 ${spec.slo.latency.p99Ms} ms (slo.latency).`,
          unit: 'ms',
          queries: [
            [q.p95Ms(), 'p95'],
            [`1000 * histogram_quantile(0.99, sum by (le) (rate(${metricName('requestDuration')}_bucket${sel}[5m])))`, 'p99'],
          ],
          threshold: { value: spec.slo.latency.p95Ms },
        },
        {
          kind: 'timeseries',
          title: 'Latency per tier (p95)',
          description: 'Each model tier, retries included.',
          unit: 'ms',
          queries: [
            [`1000 * histogram_quantile(0.95, sum by (tier, le) (rate(${metricName('tierDuration')}_bucket${sel}[5m])))`, '{{tier}}'],
          ],
        },
      ],
    },
    {
      title: 'Errors',
      panels: [
        {
          kind: 'timeseries',
          title: 'Requests by outcome',
          description: 'Requests per second answered, by outcome.',
          unit: 'reqps',
          queries: [[`sum by (outcome) (rate(${metricName('requests')}${sel}[5m]))`, '{{outcome}}']],
        },
        {
          kind: 'timeseries',
          title: 'Error rate',
          description: 'Percent of requests failed (monitoring.alerts.errorRatePercent).',
          unit: 'percent',
          queries: [[`100 * ${RECORDED.errorRatio('5m')}${sel}`, 'errors']],
          ...(spec.monitoring?.alerts?.errorRatePercent !== undefined
            ? { threshold: { value: spec.monitoring.alerts.errorRatePercent } }
            : {}),
        },
      ],
    },
    {
      title: 'Fallbacks',
      panels: [
        {
          kind: 'timeseries',
          title: 'Fallback share',
          description: 'Percent of requests answered by the fallback (resilience.fallback).',
          unit: 'percent',
          queries: [[q.fallbackPercent('5m'), 'fallback']],
        },
        {
          kind: 'timeseries',
          title: 'Fallbacks by reason',
          description: 'Why the tiers could not answer.',
          unit: 'reqps',
          queries: [[`sum by (strategy, reason) (rate(${metricName('fallbacks')}${sel}[5m]))`, '{{strategy}}: {{reason}}']],
        },
      ],
    },
    {
      title: 'Circuit breakers',
      panels: [
        {
          kind: 'timeseries',
          title: 'Breaker state',
          description: '0 closed, 1 open, 2 half-open, per tier.',
          unit: 'none',
          queries: [[`max by (tier) (${metricName('breakerState')}${sel})`, '{{tier}}']],
          threshold: { value: 1 },
        },
        {
          kind: 'timeseries',
          title: 'Breaker transitions',
          description: 'State changes per tier, by the state entered.',
          unit: 'none',
          queries: [[`sum by (tier, state) (increase(${metricName('breakerTransitions')}${sel}[15m]))`, '{{tier}} → {{state}}']],
        },
      ],
    },
    {
      title: 'Tier usage',
      panels: [
        {
          kind: 'timeseries',
          title: 'Calls per tier',
          description: 'Calls to each model tier by outcome, retries included.',
          unit: 'reqps',
          queries: [[`sum by (tier, outcome) (rate(${metricName('tierCalls')}${sel}[5m]))`, '{{tier}} {{outcome}}']],
        },
        {
          kind: 'timeseries',
          title: 'Escalations',
          description: `Requests passed to a stronger tier, by reason (expected rate ${spec.models?.routing?.expectedEscalationRate ?? 'not set'}).`,
          unit: 'reqps',
          queries: [[`sum by (reason) (rate(${metricName('escalations')}${sel}[5m]))`, '{{reason}}']],
        },
      ],
    },
    {
      title: 'Cost',
      panels: [
        {
          kind: 'timeseries',
          title: 'Cost per request',
          description: 'Model spend per request in USD (business.budget.costPerRequestUsd).',
          unit: 'currencyUSD',
          queries: [[q.costPerRequest(), 'per request']],
          ...(spec.business.budget?.costPerRequestUsd !== undefined
            ? { threshold: { value: spec.business.budget.costPerRequestUsd } }
            : {}),
        },
        {
          kind: 'timeseries',
          title: 'Spend per tier',
          description: 'USD per hour by tier.',
          unit: 'currencyUSD',
          queries: [[`3600 * sum by (tier) (rate(${metricName('cost')}${sel}[1h]))`, '{{tier}}']],
        },
      ],
    },
  ];
  const drift = spec.monitoring?.drift;
  rows.push({
    title: 'Drift',
    panels: [
      {
        kind: 'timeseries',
        title: 'Drift score',
        description: drift
          ? `Last hour against the seven days before, per feature (${drift.method}, threshold ${num(drift.threshold)}).`
          : 'No drift monitoring in the spec (monitoring.drift): no score is recorded.',
        unit: 'none',
        queries: [[`${RECORDED.drift}${sel}`, '{{feature}}']],
        ...(drift ? { threshold: { value: drift.threshold } } : {}),
      },
      {
        kind: 'timeseries',
        title: 'Categorical inputs',
        description: 'Share of each value of each categorical drift feature, last hour.',
        unit: 'percentunit',
        queries: [[`${RECORDED.categoryShare}${sel}`, '{{feature}}={{value}}']],
      },
    ],
  });
  return rows;
}

function thresholds(threshold: PanelSpec['threshold']) {
  const builder = new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute);
  if (!threshold) return builder.steps([{ value: null, color: 'green' }]);
  return builder.steps(
    threshold.below
      ? [
          { value: null, color: 'red' },
          { value: threshold.value, color: 'green' },
        ]
      : [
          { value: null, color: 'green' },
          { value: threshold.value, color: 'red' },
        ],
  );
}

/** The dashboard, as Grafana's JSON model. */
export function buildDashboard(spec: Spec): Dashboard {
  const name = spec.metadata.name;
  const builder = new DashboardBuilder(`${name}: service overview`)
    .uid(`shipshape-${name}`.slice(0, 40))
    .description(`Written by shipshape runbook from the spec of ${name}; running it again rewrites it.`)
    .tags(['shipshape', name])
    .refresh('1m')
    .time({ from: 'now-6h', to: 'now' })
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  let id = 1;
  let y = 0;
  for (const row of dashboardRows(spec)) {
    builder.withRow(new RowBuilder(row.title).id(id++).gridPos({ x: 0, y: y++, w: 24, h: 1 }));
    const width = Math.floor(24 / row.panels.length);
    row.panels.forEach((panel, index) => {
      const targets = panel.queries.map(([expr, legend], k) =>
        new DataqueryBuilder()
          .expr(expr)
          .legendFormat(legend)
          .refId(String.fromCharCode(65 + k)),
      );
      const gridPos = { x: index * width, y, w: width, h: 8 };
      if (panel.kind === 'stat') {
        const stat = new StatPanel().id(id++).title(panel.title).description(panel.description).datasource(DATASOURCE).unit(panel.unit);
        stat.thresholds(thresholds(panel.threshold)).gridPos(gridPos);
        for (const target of targets) stat.withTarget(target);
        builder.withPanel(stat);
      } else {
        const series = new TimeseriesPanel()
          .id(id++)
          .title(panel.title)
          .description(panel.description)
          .datasource(DATASOURCE)
          .unit(panel.unit);
        series.thresholds(thresholds(panel.threshold)).gridPos(gridPos);
        for (const target of targets) series.withTarget(target);
        builder.withPanel(series);
      }
    });
    y += 8;
  }
  return builder.build();
}

export function renderDashboard(spec: Spec): string {
  return `${JSON.stringify(buildDashboard(spec), null, 2)}\n`;
}
