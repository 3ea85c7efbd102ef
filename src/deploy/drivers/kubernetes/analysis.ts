/**
 * The Prometheus side of the analysis: one PromQL query per `deploy.analysis.metrics` entry,
 * over the series the generated service exports (service-metrics.ts), with the conditions that
 * judge its result. No data is never a pass: a query returns an empty vector (or NaN) when the
 * new version saw no traffic, and the conditions below then match neither success nor failure,
 * which Argo Rollouts counts as Inconclusive (against inconclusiveLimit).
 */
import { UserError } from '../../../errors.js';
import type { Spec } from '../../../spec/schema.js';
import {
  BUSINESS_GAUGE,
  BUSINESS_METRIC_LABEL,
  BUSINESS_OBSERVATIONS,
  OUTCOME,
  OUTCOME_LABEL,
  REQUEST_DURATION,
  REQUESTS_TOTAL,
  businessGauges,
} from './service-metrics.js';

type AnalysisMetric = NonNullable<NonNullable<Spec['deploy']>['analysis']>['metrics'][number];

export interface AnalysisQuery {
  /** The metric's name in the AnalysisTemplate (unique, DNS-label style). */
  name: string;
  /** The spec field it comes from, e.g. deploy.analysis.metrics[2]. */
  field: string;
  query: string;
  /** The bounds the result must keep (the spec's, or the SLO's when the spec gives none). */
  threshold: { min?: number; max?: number };
  /** Argo Rollouts expressions over `result` (the vector's values). Neither matches an empty result. */
  successCondition: string;
  failureCondition: string;
}

export interface QueryScope {
  /**
   * PromQL label matchers that pick the new version's series, without braces, e.g.
   * `service="support-triage",rollouts_pod_template_hash="{{args.pod-template-hash}}"`.
   */
  selector: string;
  /** Fewer requests than this in the window is inconclusive (1 unless given). */
  minRequests?: number;
}

/** The range of rate() and increase(): two analysis intervals, at least a minute (a few scrapes). */
export function queryWindow(intervalSeconds: number): string {
  return `${Math.max(60, Math.ceil(2 * intervalSeconds))}s`;
}

function bounds(spec: Spec, metric: AnalysisMetric, field: string): { min?: number; max?: number } {
  const given = { ...(metric.min === undefined ? {} : { min: metric.min }), ...(metric.max === undefined ? {} : { max: metric.max }) };
  if (given.min !== undefined || given.max !== undefined) return given;
  switch (metric.name) {
    case 'error-rate-percent':
      return { max: Number((100 - spec.slo.availability).toFixed(6)) };
    case 'availability':
      return { min: spec.slo.availability };
    case 'p95-latency-ms':
      return { max: spec.slo.latency.p95Ms };
    case 'p99-latency-ms':
      return { max: spec.slo.latency.p99Ms };
    case 'business':
      throw new UserError(`${field} (business) needs min or max: what value of the business metric fails the rollout`, {
        hint: 'Add e.g. `min: 0.88` to the metric in shipshape.yaml.',
      });
  }
}

/** `len(result) > 0 && <test of result[0]>`: NaN fails every comparison, so it matches neither. */
function conditions(threshold: { min?: number; max?: number }): { successCondition: string; failureCondition: string } {
  const ok: string[] = [];
  const bad: string[] = [];
  if (threshold.min !== undefined) {
    ok.push(`result[0] >= ${threshold.min}`);
    bad.push(`result[0] < ${threshold.min}`);
  }
  if (threshold.max !== undefined) {
    ok.push(`result[0] <= ${threshold.max}`);
    bad.push(`result[0] > ${threshold.max}`);
  }
  const failure = bad.length > 1 ? `(${bad.join(' || ')})` : bad[0]!;
  return { successCondition: ['len(result) > 0', ...ok].join(' && '), failureCondition: `len(result) > 0 && ${failure}` };
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * One query per analysis metric of the spec. Throws UserError when the spec has no analysis, a
 * business metric the service does not export, or a business metric without a bound.
 */
export function analysisQueries(spec: Spec, scope: QueryScope): AnalysisQuery[] {
  const analysis = spec.deploy?.analysis;
  if (!analysis) {
    throw new UserError('deploy.analysis is missing: the Kubernetes driver needs metrics to judge a rollout by', {
      hint: 'Add deploy.analysis (intervalSeconds, failureLimit, metrics) to shipshape.yaml; see examples/support-triage.yaml.',
    });
  }
  const window = queryWindow(analysis.intervalSeconds);
  const sel = scope.selector;
  const minRequests = scope.minRequests ?? 1;
  const requests = (extra = '') => `sum(rate(${REQUESTS_TOTAL}{${sel}${extra}}[${window}]))`;
  // Enough traffic in the window, or the whole query is empty (inconclusive).
  const traffic = `and on() (sum(increase(${REQUESTS_TOTAL}{${sel}}[${window}])) >= ${minRequests})`;
  // A counter series appears on its first increment: no error yet is 0, not "no data".
  const share = (outcome: string) => `100 * (${requests(`,${OUTCOME_LABEL}="${outcome}"`)} or vector(0)) / ${requests()}`;
  const quantile = (q: number) => `1000 * histogram_quantile(${q}, sum by (le) (rate(${REQUEST_DURATION}_bucket{${sel}}[${window}])))`;
  const exported = businessGauges(spec);
  const used = new Map<string, number>();

  return analysis.metrics.map((metric, index) => {
    const field = `deploy.analysis.metrics[${index}]`;
    let base: string;
    let query: string;
    switch (metric.name) {
      case 'error-rate-percent':
        base = metric.name;
        query = `(${share(OUTCOME.error)}) ${traffic}`;
        break;
      case 'availability':
        base = metric.name;
        query = `(${share(OUTCOME.success)}) ${traffic}`;
        break;
      case 'p95-latency-ms':
        base = metric.name;
        query = `(${quantile(0.95)}) ${traffic}`;
        break;
      case 'p99-latency-ms':
        base = metric.name;
        query = `(${quantile(0.99)}) ${traffic}`;
        break;
      case 'business': {
        const name = metric.metric ?? spec.business.metric.name;
        if (!exported.includes(name)) {
          throw new UserError(`${field}.metric ${name} is not a metric the service exports (it exports ${exported.join(', ')})`, {
            hint: 'Name business.metric.name or a successCriteria[].metric of the spec.',
          });
        }
        base = `business-${slug(name)}`;
        // The gauge holds its last value: only fresh feedback in the window counts as data.
        query =
          `max(${BUSINESS_GAUGE}{${sel},${BUSINESS_METRIC_LABEL}="${name}"}) and on() ` +
          `(sum(increase(${BUSINESS_OBSERVATIONS}{${sel},${BUSINESS_METRIC_LABEL}="${name}"}[${window}])) > 0)`;
        break;
      }
    }
    const seen = used.get(base) ?? 0;
    used.set(base, seen + 1);
    const threshold = bounds(spec, metric, field);
    return { name: seen === 0 ? base : `${base}-${seen + 1}`, field, query, threshold, ...conditions(threshold) };
  });
}
