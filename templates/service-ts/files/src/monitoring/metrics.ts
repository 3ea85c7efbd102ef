// Every metric the service exports, in one registry (GET /metrics). The names are a contract
// with the dashboards, alert rules and rollout analysis that shipshape generates: rename
// nothing here without changing them too.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from '../config/index.js';

/** ai_breaker_state's values. */
export const BREAKER_STATE = { closed: 0, open: 1, 'half-open': 2 } as const;
export type BreakerStateName = keyof typeof BREAKER_STATE;

export type RequestOutcome = 'success' | 'error';
/** 'none', or the fallback that answered. */
export type FallbackKind = 'none' | 'lower-tier' | 'static' | 'cache';

/** Caps the values a categorical drift feature may take as a label: the rest count as "other". */
const MAX_CATEGORIES = 50;

export interface Metrics {
  registry: Registry;
  requests: Counter<'outcome' | 'tier' | 'fallback'>;
  requestDuration: Histogram<'outcome'>;
  inFlight: Gauge;
  fallbacks: Counter<'strategy' | 'reason'>;
  tierCalls: Counter<'tier' | 'outcome'>;
  tierDuration: Histogram<'tier'>;
  breakerState: Gauge<'tier'>;
  breakerTransitions: Counter<'tier' | 'state'>;
  escalations: Counter<'from' | 'to' | 'reason'>;
  cost: Counter<'tier'>;
  requestCost: Histogram;
  feedback: Counter<'tier' | 'correct'>;
  /**
   * Every business metric of the spec (business.metric.name, successCriteria[].metric) as one gauge,
   * the spec's name in its `metric` label: a spec's name may carry a unit (`_minutes`) that is not
   * a Prometheus base unit, so it is a label value, not a metric name.
   */
  business: Gauge<'metric'>;
  businessObservations: Counter<'metric'>;
  inputFeature: Histogram<'feature'>;
  inputCategory: Counter<'feature' | 'value'>;
  /** Counts a categorical drift feature, capping the label values. */
  countCategory(feature: string, value: string): void;
  /** Answers by quality: good (a model tier's answer stood) or degraded (a fallback's). */
  answers: Counter<'quality'>;
  /** Prediction requests refused by admission control (503), by reason. */
  shed: Counter<'reason'>;
  /** The task's checks of the tiers' answers (rag: citations, grounding; extract: schema), by tier and outcome. */
  outputChecks: Counter<'check' | 'tier' | 'outcome'>;
}

/** A fresh registry with every metric of the service (tests make one each). */
export function createMetrics(config: Config, options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: config.service.name });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const seconds = (ms: number[]) => ms.map((value) => value / 1000);

  new Gauge({
    name: 'ai_service_info',
    help: 'The running build: always 1, with the version as a label.',
    labelNames: ['version'],
    registers,
  }).set({ version: config.service.version }, 1);

  const categories = new Map<string, Set<string>>();
  const inputCategory = new Counter({
    name: 'ai_input_category_total',
    help: 'Requests by the value of each categorical drift feature (monitoring.drift.features).',
    labelNames: ['feature', 'value'],
    registers,
  });
  // The cost per request in USD: buckets around the spec's tier costs.
  const costs = [...new Set(config.tiers.map((tier) => tier.costPerRequestUsd))];
  const costBuckets = [...new Set([0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, ...costs.filter((c) => c > 0)])].sort(
    (a, b) => a - b,
  );

  return {
    registry,
    requests: new Counter({
      name: 'ai_requests_total',
      help: 'Prediction requests answered, by outcome, the tier that answered and the fallback used (none when no fallback).',
      labelNames: ['outcome', 'tier', 'fallback'],
      registers,
    }),
    requestDuration: new Histogram({
      name: 'ai_request_duration_seconds',
      help: 'Prediction request latency; a bucket sits at each latency threshold of the spec.',
      labelNames: ['outcome'],
      buckets: seconds(config.latencyBucketsMs),
      registers,
    }),
    inFlight: new Gauge({ name: 'ai_requests_in_flight', help: 'Prediction requests being answered.', registers }),
    fallbacks: new Counter({
      name: 'ai_fallbacks_total',
      help: 'Requests answered by the fallback (resilience.fallback), by strategy and the reason the tiers could not answer.',
      labelNames: ['strategy', 'reason'],
      registers,
    }),
    tierCalls: new Counter({
      name: 'ai_tier_calls_total',
      help: 'Calls to each model tier (retries included), by outcome: success or the failure.',
      labelNames: ['tier', 'outcome'],
      registers,
    }),
    tierDuration: new Histogram({
      name: 'ai_tier_duration_seconds',
      help: 'Latency of each call to a model tier.',
      labelNames: ['tier'],
      buckets: seconds(config.latencyBucketsMs),
      registers,
    }),
    breakerState: new Gauge({
      name: 'ai_breaker_state',
      help: 'Circuit breaker state per tier: 0 closed, 1 open, 2 half-open.',
      labelNames: ['tier'],
      registers,
    }),
    breakerTransitions: new Counter({
      name: 'ai_breaker_transitions_total',
      help: 'Circuit breaker state changes per tier, by the state entered.',
      labelNames: ['tier', 'state'],
      registers,
    }),
    escalations: new Counter({
      name: 'ai_escalations_total',
      help: 'Requests the cascade passed to a stronger tier, by reason (confidence, input-length, failure).',
      labelNames: ['from', 'to', 'reason'],
      registers,
    }),
    cost: new Counter({
      name: 'ai_cost_usd_total',
      help: 'Model spend in USD by tier (models.tiers[].costPerRequestUsd per call).',
      labelNames: ['tier'],
      registers,
    }),
    requestCost: new Histogram({
      name: 'ai_request_cost_usd',
      help: 'Model spend per prediction request in USD (budget: business.budget.costPerRequestUsd).',
      buckets: costBuckets,
      registers,
    }),
    feedback: new Counter({
      name: 'ai_feedback_total',
      help: 'Outcomes reported to POST /v1/feedback, by the tier that answered and whether its label was right.',
      labelNames: ['tier', 'correct'],
      registers,
    }),
    business: new Gauge({
      name: 'ai_business_metric',
      help: 'Each business metric of the spec (the metric label), summarised over the latest feedback (POST /v1/feedback).',
      labelNames: ['metric'],
      registers,
    }),
    businessObservations: new Counter({
      name: 'ai_business_observations_total',
      help: 'Feedback observations of each business metric.',
      labelNames: ['metric'],
      registers,
    }),
    inputFeature: new Histogram({
      name: 'ai_input_feature',
      help: 'Numeric drift features of the inputs (monitoring.drift.features), compared against a baseline by drift monitoring.',
      labelNames: ['feature'],
      buckets: [10, 25, 50, 100, 250, 500, 1000, 2000, 4000, 8000, 16000],
      registers,
    }),
    inputCategory,
    answers: new Counter({
      name: 'ai_answers_total',
      help: 'Prediction requests answered (200), by quality: good (a model tier answered) or degraded (a fallback did). Availability counts both; the degraded share is apart.',
      labelNames: ['quality'],
      registers,
    }),
    shed: new Counter({
      name: 'ai_requests_shed_total',
      help: 'Prediction requests refused at once with 503 by admission control, by reason (queue-full, queue-timeout, event-loop-lag).',
      labelNames: ['reason'],
      registers,
    }),
    outputChecks: new Counter({
      name: 'ai_output_checks_total',
      help: "The task's checks of each tier answer (rag: citations, grounding; extract: schema), by outcome (pass, fail); a failed answer is a bad output, sent to the next tier or the fallback.",
      labelNames: ['check', 'tier', 'outcome'],
      registers,
    }),
    countCategory(feature, value) {
      let seen = categories.get(feature);
      if (!seen) categories.set(feature, (seen = new Set()));
      if (!seen.has(value) && seen.size >= MAX_CATEGORIES) value = 'other';
      seen.add(value);
      inputCategory.inc({ feature, value });
    },
  };
}
