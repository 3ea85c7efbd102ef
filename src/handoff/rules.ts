/**
 * monitoring/prometheus-rules.yaml and its promtool unit tests, rendered from the alerts of
 * src/handoff/alerts.ts. The tests feed each alert synthetic series that must make it fire, and
 * healthy series that must keep every alert silent, so `promtool test rules` proves each
 * threshold against the spec it came from.
 */
import { Document } from 'yaml';
import type { Spec } from '../spec/schema.js';
import { alertsOf, DEFAULT_FALLBACK_RATE_PERCENT, recordingRules, type Alert } from './alerts.js';
import { budgets, latencyThresholdLe, num } from './queries.js';
import { metricName, SERVICE_LABEL } from './service-metrics.js';

export const RULES_FILE = 'monitoring/prometheus-rules.yaml';
export const RULES_TEST_FILE = 'monitoring/prometheus-rules.test.yaml';

/** Where a person reads the runbook; the alerts link to its sections. */
export const runbookBase = (spec: Spec): string => spec.handoff?.runbookUrl ?? 'docs/runbook.md';

export function annotationsOf(spec: Spec, alert: Alert): Record<string, string> {
  return { summary: alert.summary, description: alert.meaning, runbook_url: `${runbookBase(spec)}#${alert.anchor}` };
}

function yamlText(value: unknown, comment: string): string {
  const doc = new Document(value);
  doc.commentBefore = comment;
  return doc.toString({ lineWidth: 0 });
}

/** The rules file: the SLI recording rules, then the alerts. */
export function renderRules(spec: Spec, specName: string): string {
  const service = spec.metadata.name;
  // One group: its rules run in order, so each alert reads the recordings of the same evaluation.
  const groups = [
    {
      name: service,
      rules: [
        ...recordingRules(spec).map((rule) => ({ record: rule.record, expr: rule.expr, labels: { [SERVICE_LABEL]: service } })),
        ...alertsOf(spec).map((alert) => ({
          alert: alert.name,
          expr: alert.expr,
          ...(alert.for ? { for: alert.for } : {}),
          labels: { severity: alert.severity, [SERVICE_LABEL]: service },
          annotations: annotationsOf(spec, alert),
        })),
      ],
    },
  ];
  return yamlText(
    { groups },
    ` Prometheus recording and alerting rules for ${service}, written by \`shipshape runbook\` from ${specName}.
 Running it again rewrites this file: change the spec, not this file. Each alert links to its
 section of the runbook (runbook_url). Checked by \`promtool check rules\` and proven by the tests
 in prometheus-rules.test.yaml (\`promtool test rules\`).`,
  );
}

/**
 * How often promtool evaluates the rules in the tests: coarse enough that a week of synthetic
 * series runs in seconds, fine enough for every `for` and window (each eval_time is a multiple).
 */
const EVALUATION_INTERVAL = '1h';

interface Series {
  series: string;
  values: string;
}

interface TestCase {
  name: string;
  interval: string;
  input_series: Series[];
  alert_rule_test: {
    eval_time: string;
    alertname: string;
    exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
  }[];
}

const labelsText = (labels: Record<string, string>) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

/** A counter that grows by `step` per interval for `steps` intervals (steps + 1 samples). */
const counter = (step: number, steps: number) => `0+${num(step)}x${steps}`;
/** A constant gauge for `steps` intervals. */
const constant = (value: number, steps: number) => `${num(value)}x${steps}`;

/** The series of `requests` requests per interval, `failedShare` of them failed and `slowShare` slower than the latency SLO. */
function traffic(spec: Spec, options: { perStep: number; steps: number; failedShare?: number; slowShare?: number }): Series[] {
  const service = { [SERVICE_LABEL]: spec.metadata.name };
  const { perStep, steps } = options;
  const failed = perStep * (options.failedShare ?? 0);
  const fast = perStep * (1 - (options.slowShare ?? 0));
  const histogram = metricName('requestDuration');
  const series: Series[] = [
    {
      series: `${metricName('requests')}${labelsText({ ...service, outcome: 'success', tier: 'fast', fallback: 'none' })}`,
      values: counter(perStep - failed, steps),
    },
    {
      series: `${histogram}_bucket${labelsText({ ...service, outcome: 'success', le: latencyThresholdLe(spec) })}`,
      values: counter(fast, steps),
    },
    { series: `${histogram}_bucket${labelsText({ ...service, outcome: 'success', le: '+Inf' })}`, values: counter(perStep, steps) },
    { series: `${histogram}_count${labelsText({ ...service, outcome: 'success' })}`, values: counter(perStep, steps) },
  ];
  if (failed > 0)
    series.push({
      series: `${metricName('requests')}${labelsText({ ...service, outcome: 'error', tier: 'none', fallback: 'none' })}`,
      values: counter(failed, steps),
    });
  return series;
}

/** Two values of a categorical feature, every 10 minutes: shares 0.9/0.1 for a week, then, when `shift`, 0.1/0.9 for four hours. */
function categories(spec: Spec, feature: string, shift: boolean): Series[] {
  const service = { [SERVICE_LABEL]: spec.metadata.name };
  const week = 7 * 24 * 6;
  const grow = (before: number, after: number) =>
    shift ? `${counter(before, week)} ${num(before * week + after)}+${num(after)}x23` : counter(before, week + 24);
  return [
    { series: `${metricName('inputCategory')}${labelsText({ ...service, feature, value: 'a' })}`, values: grow(900, 100) },
    { series: `${metricName('inputCategory')}${labelsText({ ...service, feature, value: 'b' })}`, values: grow(100, 900) },
  ];
}

/** The business metric as the service exports it, at `value` for `steps` intervals of `seconds`. */
function business(spec: Spec, value: number, steps: number, seconds: number): Series[] {
  const labels = { [SERVICE_LABEL]: spec.metadata.name, metric: spec.business.metric.name };
  if (spec.business.metric.aggregation === 'rate')
    return [{ series: `${metricName('businessObservations')}${labelsText(labels)}`, values: counter(value * seconds, steps) }];
  return [{ series: `${metricName('business')}${labelsText(labels)}`, values: constant(value, steps) }];
}

/** A value of the business metric worse than `threshold` in its direction, by `margin` of the baseline-target gap. */
function worse(spec: Spec, threshold: number, margin: number): number {
  const { baseline, target, direction } = spec.business.metric;
  const gap = Math.max(Math.abs(baseline - target), Math.abs(threshold), 1) * margin;
  return direction === 'decrease' ? threshold + gap : threshold - gap;
}

type BurnKind = Extract<Alert['kind'], `${string}-burn-${string}`>;

/**
 * The firing cases of the burn-rate alerts: a fast burn, over an hour, at the page rate (14.4x) with a margin over it;
 * a slow one, over a day, at 4.5x the budget rate (above the 3x ticket rate).
 */
const BURN_CASES: Record<
  BurnKind,
  { name: string; budget: 'availability' | 'latency'; factor: number; margin: number; interval: string; steps: number; evalTime: string }
> = {
  'availability-burn-fast': {
    name: 'fails fast enough to burn the availability budget at 14.4x',
    budget: 'availability',
    factor: 14.4,
    margin: 1.5,
    interval: '1m',
    steps: 70,
    evalTime: '1h',
  },
  'availability-burn-slow': {
    name: 'fails steadily at 4.5x the availability budget rate for a day',
    budget: 'availability',
    factor: 4.5,
    margin: 1,
    interval: '5m',
    steps: 300,
    evalTime: '1d',
  },
  'latency-burn-fast': {
    name: 'is slow enough to burn the latency budget at 14.4x',
    budget: 'latency',
    factor: 14.4,
    margin: 1.2,
    interval: '1m',
    steps: 70,
    evalTime: '1h',
  },
  'latency-burn-slow': {
    name: 'is steadily slow at 4.5x the latency budget rate for a day',
    budget: 'latency',
    factor: 4.5,
    margin: 1,
    interval: '5m',
    steps: 300,
    evalTime: '1d',
  },
};

/** The firing case of one alert: series that must make it fire, and when. */
function firing(spec: Spec, alert: Alert): Omit<TestCase, 'alert_rule_test'> & { eval_time: string; extraLabels?: Record<string, string> } {
  const budget = budgets(spec);
  const capped = (share: number) => Math.min(1, share);
  const service = { [SERVICE_LABEL]: spec.metadata.name };
  switch (alert.kind) {
    case 'availability-burn-fast':
    case 'availability-burn-slow':
    case 'latency-burn-fast':
    case 'latency-burn-slow': {
      const burn = BURN_CASES[alert.kind];
      const share = capped(burn.factor * budget[burn.budget] * burn.margin);
      return {
        name: burn.name,
        interval: burn.interval,
        input_series: traffic(spec, {
          perStep: 1000,
          steps: burn.steps,
          [burn.budget === 'availability' ? 'failedShare' : 'slowShare']: share,
        }),
        eval_time: burn.evalTime,
      };
    }
    case 'error-rate':
      return {
        name: 'fails twice the error-rate threshold',
        interval: '1m',
        input_series: traffic(spec, {
          perStep: 1000,
          steps: 130,
          failedShare: capped((2 * (spec.monitoring?.alerts?.errorRatePercent ?? 1)) / 100),
        }),
        eval_time: '2h',
      };
    case 'p95-latency': {
      const ms = spec.monitoring?.alerts?.p95LatencyMs ?? spec.slo.latency.p95Ms;
      const histogram = metricName('requestDuration');
      const bucket = (le: string, perStep: number) => ({
        series: `${histogram}_bucket${labelsText({ ...service, outcome: 'success', le })}`,
        values: counter(perStep, 130),
      });
      return {
        name: 'answers every request between one and four times the p95 threshold',
        interval: '1m',
        input_series: [
          bucket(String(ms / 1000), 0),
          bucket(String((4 * ms) / 1000), 100),
          bucket('+Inf', 100),
          { series: `${histogram}_count${labelsText({ ...service, outcome: 'success' })}`, values: counter(100, 130) },
        ],
        eval_time: '2h',
      };
    }
    case 'fallback-rate': {
      const percent = Math.min(100, 2 * (spec.monitoring?.alerts?.fallbackRatePercent ?? DEFAULT_FALLBACK_RATE_PERCENT));
      return {
        name: 'answers twice the threshold share of requests from the fallback',
        interval: '1m',
        input_series: [
          ...traffic(spec, { perStep: 1000, steps: 130 }),
          {
            series: `${metricName('fallbacks')}${labelsText({ ...service, strategy: spec.resilience?.fallback?.strategy ?? 'static', reason: 'tier-failed' })}`,
            values: counter(10 * percent, 130),
          },
        ],
        eval_time: '2h',
      };
    }
    case 'breaker-open': {
      const tier = spec.models?.tiers.at(-1)?.name ?? 'strong';
      return {
        name: 'keeps a breaker open for ten minutes',
        interval: '1m',
        input_series: [{ series: `${metricName('breakerState')}${labelsText({ ...service, tier })}`, values: constant(1, 130) }],
        eval_time: '2h',
        extraLabels: { tier },
      };
    }
    case 'input-drift': {
      const feature = spec.monitoring?.drift?.features[0] ?? 'feature';
      return {
        name: 'swaps the shares of two values of a feature after a week',
        interval: '10m',
        input_series: categories(spec, feature, true),
        eval_time: '172h',
        extraLabels: { feature },
      };
    }
    case 'cost-per-request': {
      const cost = metricName('requestCost');
      const perRequest = 3 * (spec.business.budget?.costPerRequestUsd ?? 0.001);
      return {
        name: 'spends three times the budget per request',
        interval: '1m',
        input_series: [
          { series: `${cost}_sum${labelsText(service)}`, values: counter(100 * perRequest, 130) },
          { series: `${cost}_count${labelsText(service)}`, values: counter(100, 130) },
        ],
        eval_time: '2h',
      };
    }
    case 'business-regressed':
      return {
        name: 'puts the business metric worse than its baseline',
        interval: '1m',
        input_series: business(spec, worse(spec, spec.business.metric.baseline, 0.5), 200, 60),
        eval_time: '3h',
      };
    case 'business-off-target':
      return {
        name: 'keeps the business metric worse than its target for a day',
        interval: '2m',
        input_series: business(spec, worse(spec, spec.business.metric.target, 0.1), 800, 120),
        eval_time: '26h',
      };
  }
}

/** The unit tests of the rules: each alert firing on its synthetic series, and every alert silent on healthy ones. */
export function renderRulesTests(spec: Spec, specName: string): string {
  const alerts = alertsOf(spec);
  const service = spec.metadata.name;
  const tests: TestCase[] = alerts.map((alert) => {
    const { eval_time, extraLabels, ...rest } = firing(spec, alert);
    return {
      ...rest,
      name: `${alert.name} fires when ${service} ${rest.name}`,
      alert_rule_test: [
        {
          eval_time,
          alertname: alert.name,
          exp_alerts: [
            {
              exp_labels: { ...extraLabels, severity: alert.severity, [SERVICE_LABEL]: service },
              exp_annotations: annotationsOf(spec, alert),
            },
          ],
        },
      ],
    };
  });
  // Healthy: no failures, every request fast, no fallback, breakers closed, spend within budget,
  // the business metric at its target; for a day and two hours, the longest `for` and window but drift's.
  const steps = 26 * 60;
  const labels = { [SERVICE_LABEL]: service };
  const cost = metricName('requestCost');
  const healthy: TestCase = {
    name: `every alert stays silent while ${service} is healthy`,
    interval: '1m',
    input_series: [
      ...traffic(spec, { perStep: 100, steps }),
      ...(spec.models?.tiers ?? []).map((tier) => ({
        series: `${metricName('breakerState')}${labelsText({ ...labels, tier: tier.name })}`,
        values: constant(0, steps),
      })),
      { series: `${cost}_sum${labelsText(labels)}`, values: counter(50 * (spec.business.budget?.costPerRequestUsd ?? 0), steps) },
      { series: `${cost}_count${labelsText(labels)}`, values: counter(100, steps) },
      ...business(spec, spec.business.metric.target, steps, 60),
    ],
    alert_rule_test: alerts
      .filter((alert) => alert.kind !== 'input-drift')
      .flatMap((alert) => ['1h', '26h'].map((at) => ({ eval_time: at, alertname: alert.name, exp_alerts: [] }))),
  };
  const all = [...tests, healthy];
  const drift = alerts.find((alert) => alert.kind === 'input-drift');
  if (drift) {
    all.push({
      name: `InputDrift stays silent while the inputs of ${service} keep their shares`,
      interval: '10m',
      input_series: categories(spec, spec.monitoring?.drift?.features[0] ?? 'feature', false),
      alert_rule_test: [{ eval_time: '172h', alertname: drift.name, exp_alerts: [] }],
    });
  }
  return yamlText(
    { rule_files: ['prometheus-rules.yaml'], evaluation_interval: EVALUATION_INTERVAL, tests: all },
    ` promtool unit tests of prometheus-rules.yaml, written by \`shipshape runbook\` from ${specName}:
 each alert fires on synthetic series built from the spec's thresholds, and stays silent on
 healthy ones. Run: promtool test rules monitoring/prometheus-rules.test.yaml`,
  );
}
