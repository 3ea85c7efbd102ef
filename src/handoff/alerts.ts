/**
 * The alerts and recording rules of a service, as data derived from its spec: what each alert
 * watches, when it fires, how urgent it is, what it means and which failure modes it detects.
 * The Prometheus rules file, its promtool tests and the runbook are all rendered from this list,
 * so an alert cannot exist without its runbook section, nor a section without its alert.
 */
import type { FailureModeKind, Spec } from '../spec/schema.js';
import { BURN_RATES, BURN_WINDOWS, num, RECORDED, serviceQueries } from './queries.js';
import { metricName, SERVICE_LABEL } from './service-metrics.js';

export type Severity = 'page' | 'ticket';

/** Which alert it is: the synthetic series of its promtool test are chosen by this. */
export type AlertKind =
  | 'availability-burn-fast'
  | 'availability-burn-slow'
  | 'latency-burn-fast'
  | 'latency-burn-slow'
  | 'error-rate'
  | 'p95-latency'
  | 'fallback-rate'
  | 'breaker-open'
  | 'input-drift'
  | 'cost-per-request'
  | 'business-regressed'
  | 'business-off-target';

export interface Alert {
  kind: AlertKind;
  /** The alertname. */
  name: string;
  severity: Severity;
  expr: string;
  for?: string;
  /** One line, for the notification. */
  summary: string;
  /** What it means when it fires, for the runbook and the notification. */
  meaning: string;
  /** The metrics it reads, as exported by the service. */
  metrics: string[];
  /** Labels the expression keeps (each firing series is one alert per value). */
  by: string[];
  /** The spec fields its threshold comes from. */
  from: string[];
  /** The failure-mode kinds it detects. */
  detects: FailureModeKind[];
  /** The anchor of its section in docs/runbook.md. */
  anchor: string;
  /** The threshold as a person reads it. */
  threshold: string;
}

export interface RecordingRule {
  record: string;
  expr: string;
}

/** monitoring.alerts.fallbackRatePercent when absent. */
export const DEFAULT_FALLBACK_RATE_PERCENT = 10;

const anchorOf = (name: string) => `alert-${name.toLowerCase()}`;

/** The recording rules: the SLIs over every burn-rate window, and the drift statistics. */
export function recordingRules(spec: Spec): RecordingRule[] {
  const q = serviceQueries(spec);
  const rules: RecordingRule[] = [];
  for (const window of BURN_WINDOWS) rules.push({ record: RECORDED.errorRatio(window), expr: q.errorRatio(window) });
  for (const window of BURN_WINDOWS) rules.push({ record: RECORDED.slowRatio(window), expr: q.slowRatio(window) });
  const drift = spec.monitoring?.drift;
  if (drift) {
    const category = `${metricName('inputCategory')}${q.selector()}`;
    const share = (range: string) =>
      `sum by (feature, value) (rate(${category}${range})) / ignoring (value) group_left sum by (feature) (rate(${category}${range}))`;
    const histogram = metricName('inputFeature');
    const cdf = (range: string) =>
      `sum by (feature, le) (rate(${histogram}_bucket${q.selector()}${range})) / ignoring (le) group_left sum by (feature) (rate(${histogram}_count${q.selector()}${range}))`;
    // The last hour against the seven days before it.
    rules.push(
      { record: RECORDED.categoryShare, expr: share('[1h]') },
      { record: RECORDED.categoryShareBaseline, expr: share('[7d] offset 1h') },
      { record: RECORDED.featureCdf, expr: cdf('[1h]') },
      { record: RECORDED.featureCdfBaseline, expr: cdf('[7d] offset 1h') },
    );
    // Categorical features: the population stability index of the value shares (method psi), or
    // the largest change of a share (ks). Numeric features: the largest gap between the cumulative
    // shares below each bucket, a binned Kolmogorov-Smirnov statistic (see the runbook's limitations).
    const current = `clamp_min(${RECORDED.categoryShare}${q.selector()}, 0.0001)`;
    const baseline = `clamp_min(${RECORDED.categoryShareBaseline}${q.selector()}, 0.0001)`;
    const categorical =
      drift.method === 'psi'
        ? `sum by (feature) ((${current} - ${baseline}) * ln(${current} / ${baseline}))`
        : `max by (feature) (abs(${current} - ${baseline}))`;
    const numeric = `max by (feature) (abs(${RECORDED.featureCdf}${q.selector()} - ${RECORDED.featureCdfBaseline}${q.selector()}))`;
    rules.push({ record: RECORDED.drift, expr: `${categorical} or ${numeric}` });
  }
  return rules;
}

/** Every alert of the service, in the order the runbook lists them. */
export function alertsOf(spec: Spec): Alert[] {
  const q = serviceQueries(spec);
  const service = spec.metadata.name;
  const alerts: Alert[] = [];
  const add = (alert: Omit<Alert, 'anchor'>) => alerts.push({ ...alert, anchor: anchorOf(alert.name) });
  const budget = q.budget;
  const windowDays = spec.slo.windowDays ?? 30;
  const requests = metricName('requests');
  const duration = metricName('requestDuration');

  if (spec.monitoring?.alerts?.burnRate !== false) {
    const burn = (ratio: (window: (typeof BURN_WINDOWS)[number]) => string, allowed: number, severity: Severity) =>
      BURN_RATES.filter((rate) => rate.severity === severity)
        .map(
          (rate) =>
            `(${ratio(rate.long)}${q.selector()} > ${num(rate.factor * allowed)} and ${ratio(rate.short)}${q.selector()} > ${num(rate.factor * allowed)})`,
        )
        .join(' or ');
    const pace = (severity: Severity) =>
      BURN_RATES.filter((rate) => rate.severity === severity)
        .map((rate) => `${rate.factor}x over ${rate.long} and ${rate.short}`)
        .join(', or ');
    const availability = `${spec.slo.availability}% over ${windowDays} days`;
    add({
      kind: 'availability-burn-fast',
      name: 'AvailabilityBudgetBurnFast',
      severity: 'page',
      expr: burn(RECORDED.errorRatio, budget.availability, 'page'),
      summary: `${service} is spending its availability error budget fast`,
      meaning: `Failed requests are eating the error budget of the availability SLO (${availability}) at ${pace('page')} the sustainable pace: at this pace the month's budget is gone in about two days. Users see errors now.`,
      metrics: [requests],
      by: [],
      from: ['slo.availability', 'slo.windowDays', 'monitoring.alerts.burnRate'],
      detects: ['upstream-failure', 'bad-deploy', 'traffic-surge'],
      threshold: `${pace('page')} the budget rate (budget ${num(budget.availability * 100)}% of requests)`,
    });
    add({
      kind: 'availability-burn-slow',
      name: 'AvailabilityBudgetBurnSlow',
      severity: 'ticket',
      expr: burn(RECORDED.errorRatio, budget.availability, 'ticket'),
      summary: `${service} is spending its availability error budget faster than it refills`,
      meaning: `A steady trickle of failed requests (${pace('ticket')} the sustainable pace) will exhaust the availability budget (${availability}) before the window ends. Not urgent tonight; it needs a fix this week.`,
      metrics: [requests],
      by: [],
      from: ['slo.availability', 'slo.windowDays', 'monitoring.alerts.burnRate'],
      detects: ['upstream-failure', 'bad-output'],
      threshold: `${pace('ticket')} the budget rate`,
    });
    const latency = `${num(100 - budget.latency * 100)}% of requests within ${spec.slo.latency.p95Ms} ms`;
    add({
      kind: 'latency-burn-fast',
      name: 'LatencyBudgetBurnFast',
      severity: 'page',
      expr: burn(RECORDED.slowRatio, budget.latency, 'page'),
      summary: `${service} is too slow for its latency SLO, fast`,
      meaning: `Requests slower than ${spec.slo.latency.p95Ms} ms (slo.latency.p95Ms) are eating the latency budget (${latency}) at ${pace('page')} the sustainable pace. Users wait now.`,
      metrics: [`${duration}_bucket`],
      by: [],
      from: ['slo.latency.p95Ms', 'monitoring.alerts.burnRate'],
      detects: ['latency-spike', 'traffic-surge', 'bad-deploy'],
      threshold: `${pace('page')} the budget rate (budget ${num(budget.latency * 100)}% of requests)`,
    });
    add({
      kind: 'latency-burn-slow',
      name: 'LatencyBudgetBurnSlow',
      severity: 'ticket',
      expr: burn(RECORDED.slowRatio, budget.latency, 'ticket'),
      summary: `${service} is slower than its latency SLO allows, slowly`,
      meaning: `More requests than the SLO allows are slower than ${spec.slo.latency.p95Ms} ms, at ${pace('ticket')} the sustainable pace: the latency budget (${latency}) runs out before the window ends.`,
      metrics: [`${duration}_bucket`],
      by: [],
      from: ['slo.latency.p95Ms', 'monitoring.alerts.burnRate'],
      detects: ['latency-spike'],
      threshold: `${pace('ticket')} the budget rate`,
    });
  }

  const errorRatePercent = spec.monitoring?.alerts?.errorRatePercent;
  if (errorRatePercent !== undefined) {
    add({
      kind: 'error-rate',
      name: 'ErrorRateHigh',
      severity: 'ticket',
      expr: `100 * ${RECORDED.errorRatio('5m')}${q.selector()} > ${num(errorRatePercent)}`,
      for: '5m',
      summary: `${service} fails more than ${num(errorRatePercent)}% of requests`,
      meaning: `More than ${num(errorRatePercent)}% of requests (monitoring.alerts.errorRatePercent) have failed for five minutes.`,
      metrics: [requests],
      by: [],
      from: ['monitoring.alerts.errorRatePercent'],
      detects: ['upstream-failure', 'bad-deploy'],
      threshold: `${num(errorRatePercent)}% of requests over 5 minutes, for 5 minutes`,
    });
  }
  const p95LatencyMs = spec.monitoring?.alerts?.p95LatencyMs;
  if (p95LatencyMs !== undefined) {
    add({
      kind: 'p95-latency',
      name: 'LatencyP95High',
      severity: 'ticket',
      expr: `${q.p95Ms()} > ${num(p95LatencyMs)}`,
      for: '10m',
      summary: `${service} p95 latency is over ${p95LatencyMs} ms`,
      meaning: `The 95th percentile of request latency has been over ${p95LatencyMs} ms (monitoring.alerts.p95LatencyMs) for ten minutes.`,
      metrics: [`${duration}_bucket`],
      by: [],
      from: ['monitoring.alerts.p95LatencyMs'],
      detects: ['latency-spike', 'traffic-surge'],
      threshold: `${p95LatencyMs} ms over 5 minutes, for 10 minutes`,
    });
  }

  const fallbackPercent = spec.monitoring?.alerts?.fallbackRatePercent ?? DEFAULT_FALLBACK_RATE_PERCENT;
  add({
    kind: 'fallback-rate',
    name: 'FallbackRateHigh',
    severity: 'ticket',
    expr: `${q.fallbackPercent()} > ${num(fallbackPercent)}`,
    for: '15m',
    summary: `${service} answers more than ${num(fallbackPercent)}% of requests from its fallback`,
    meaning: `More than ${num(fallbackPercent)}% of requests over the last hour were answered by the fallback (${spec.resilience?.fallback?.strategy ?? 'none configured'}): users get degraded answers, counted as successes by the availability SLO. The model tiers are failing, timing out, or their breakers are open.`,
    metrics: [metricName('fallbacks'), requests],
    by: [],
    from: spec.monitoring?.alerts?.fallbackRatePercent === undefined ? ['resilience.fallback'] : ['monitoring.alerts.fallbackRatePercent'],
    detects: ['upstream-failure', 'latency-spike', 'bad-output', 'traffic-surge'],
    threshold: `${num(fallbackPercent)}% of requests over 1 hour, for 15 minutes`,
  });

  if (spec.resilience?.circuitBreaker || (spec.architecture?.patterns ?? []).some((p) => p.pattern === 'circuit-breaker')) {
    add({
      kind: 'breaker-open',
      name: 'CircuitBreakerOpen',
      severity: 'ticket',
      expr: `max by (tier) (${metricName('breakerState')}${q.selector()}) == 1`,
      for: '5m',
      summary: `A circuit breaker of ${service} has been open for 5 minutes`,
      meaning: `The breaker of a model tier (the tier label) has stayed open for five minutes: calls to that tier fail fast and go to the next tier or the fallback. Its upstream is down or too slow (resilience.circuitBreaker).`,
      metrics: [metricName('breakerState')],
      by: ['tier'],
      from: ['resilience.circuitBreaker'],
      detects: ['upstream-failure', 'latency-spike'],
      threshold: 'state 1 (open) for 5 minutes',
    });
  }

  const drift = spec.monitoring?.drift;
  if (drift) {
    add({
      kind: 'input-drift',
      name: 'InputDrift',
      severity: 'ticket',
      expr: `${RECORDED.drift}${q.selector()} > ${num(drift.threshold)}`,
      for: '1h',
      summary: `The inputs of ${service} have drifted from the previous week`,
      meaning: `A drift feature (the feature label; monitoring.drift.features) over the last hour differs from the seven days before by more than ${num(drift.threshold)} (${drift.method}, monitoring.drift.threshold). The model sees inputs it was not tuned for: quality may fall before any error shows.`,
      metrics: [metricName('inputCategory'), metricName('inputFeature')],
      by: ['feature'],
      from: ['monitoring.drift.threshold', 'monitoring.drift.method'],
      detects: ['data-drift'],
      threshold: `${drift.method} over ${num(drift.threshold)} for 1 hour`,
    });
  }

  const costBudget = spec.business.budget?.costPerRequestUsd;
  if (costBudget !== undefined) {
    add({
      kind: 'cost-per-request',
      name: 'CostPerRequestOverBudget',
      severity: 'ticket',
      expr: `${q.costPerRequest()} > ${num(costBudget)}`,
      for: '30m',
      summary: `${service} spends more than ${num(costBudget)} USD per request`,
      meaning: `Model spend per request over the last hour is above the budget of ${num(costBudget)} USD (business.budget.costPerRequestUsd): more requests than planned reach the expensive tier.`,
      metrics: [metricName('requestCost')],
      by: [],
      from: ['business.budget.costPerRequestUsd'],
      detects: ['cost-overrun'],
      threshold: `${num(costBudget)} USD per request over 1 hour, for 30 minutes`,
    });
  }

  const metric = spec.business.metric;
  add({
    kind: 'business-regressed',
    name: 'BusinessMetricRegressed',
    severity: 'ticket',
    expr: `${q.businessValue()} ${q.worseThan(metric.baseline)}`,
    for: '1h',
    summary: `${metric.name} is worse than its baseline`,
    meaning: `The business metric ${metric.name} (${metric.direction} is better) is worse than the baseline of ${num(metric.baseline)} it was meant to improve on: the service is doing harm, whatever the system metrics say.`,
    metrics: [metricName(spec.business.metric.aggregation === 'rate' ? 'businessObservations' : 'business')],
    by: [],
    from: ['business.metric.baseline', 'business.metric.direction', 'business.metric.aggregation'],
    detects: ['bad-output', 'bad-deploy', 'data-drift'],
    threshold: `${q.worseThan(metric.baseline)} for 1 hour`,
  });
  add({
    kind: 'business-off-target',
    name: 'BusinessMetricOffTarget',
    severity: 'ticket',
    expr: `${q.businessValue()} ${q.worseThan(metric.target)}`,
    for: '1d',
    summary: `${metric.name} is off its target`,
    meaning: `The business metric ${metric.name} has been worse than its target of ${num(metric.target)} (business.metric.target) for a day. Expected while the service ramps up; after that, a reason for the next iteration's backlog.`,
    metrics: [metricName(spec.business.metric.aggregation === 'rate' ? 'businessObservations' : 'business')],
    by: [],
    from: ['business.metric.target', 'business.metric.direction', 'business.metric.aggregation'],
    detects: ['bad-output', 'data-drift'],
    threshold: `${q.worseThan(metric.target)} for 1 day`,
  });
  return alerts.map((alert) => ({ ...alert, by: alert.by.filter((label) => label !== SERVICE_LABEL) }));
}
