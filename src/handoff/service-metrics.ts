/**
 * The metrics a service generated from the service-ts pack exports on GET /metrics, as the
 * alert rules, the dashboard and the runbook of stage 7 name them. The pack's
 * src/monitoring/metrics.ts is the source; a test reads the names, types and labels from it and
 * fails when this catalogue disagrees, so a rename in the pack cannot silently break an alert.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface ServiceMetric {
  /** The name as exported (a histogram's _bucket, _sum and _count series derive from it). */
  name: string;
  type: MetricType;
  /** Labels set by the service; every series also carries `service` (the spec's metadata.name). */
  labels: readonly string[];
  /** What one unit of the value is. */
  unit: string;
  help: string;
}

/** The label the service puts on every series: the spec's metadata.name. */
export const SERVICE_LABEL = 'service';

export const SERVICE_METRICS = {
  info: { name: 'ai_service_info', type: 'gauge', labels: ['version'], unit: 'always 1', help: 'The running build.' },
  requests: {
    name: 'ai_requests_total',
    type: 'counter',
    labels: ['outcome', 'tier', 'fallback'],
    unit: 'requests',
    help: 'Prediction requests answered, by outcome (success, error), the tier that answered and the fallback used (none).',
  },
  requestDuration: {
    name: 'ai_request_duration_seconds',
    type: 'histogram',
    labels: ['outcome'],
    unit: 'seconds',
    help: 'Prediction request latency, with a bucket at each latency threshold of the spec.',
  },
  inFlight: { name: 'ai_requests_in_flight', type: 'gauge', labels: [], unit: 'requests', help: 'Prediction requests being answered.' },
  fallbacks: {
    name: 'ai_fallbacks_total',
    type: 'counter',
    labels: ['strategy', 'reason'],
    unit: 'requests',
    help: 'Requests answered by the fallback, by strategy and reason.',
  },
  tierCalls: {
    name: 'ai_tier_calls_total',
    type: 'counter',
    labels: ['tier', 'outcome'],
    unit: 'calls',
    help: 'Calls to each model tier, retries included, by outcome.',
  },
  tierDuration: {
    name: 'ai_tier_duration_seconds',
    type: 'histogram',
    labels: ['tier'],
    unit: 'seconds',
    help: 'Latency of each tier call.',
  },
  breakerState: {
    name: 'ai_breaker_state',
    type: 'gauge',
    labels: ['tier'],
    unit: '0 closed, 1 open, 2 half-open',
    help: 'Circuit breaker state per tier.',
  },
  breakerTransitions: {
    name: 'ai_breaker_transitions_total',
    type: 'counter',
    labels: ['tier', 'state'],
    unit: 'transitions',
    help: 'Circuit breaker state changes per tier, by the state entered.',
  },
  escalations: {
    name: 'ai_escalations_total',
    type: 'counter',
    labels: ['from', 'to', 'reason'],
    unit: 'requests',
    help: 'Requests the cascade passed to a stronger tier, by reason.',
  },
  cost: { name: 'ai_cost_usd_total', type: 'counter', labels: ['tier'], unit: 'USD', help: 'Model spend by tier.' },
  requestCost: { name: 'ai_request_cost_usd', type: 'histogram', labels: [], unit: 'USD', help: 'Model spend per prediction request.' },
  feedback: {
    name: 'ai_feedback_total',
    type: 'counter',
    labels: ['tier', 'correct'],
    unit: 'feedback reports',
    help: 'Outcomes reported to POST /v1/feedback, by tier and whether the label was right.',
  },
  business: {
    name: 'ai_business_metric',
    type: 'gauge',
    labels: ['metric'],
    unit: "the business metric's own",
    help: 'Each business metric of the spec (the metric label), summarised over the latest feedback.',
  },
  businessObservations: {
    name: 'ai_business_observations_total',
    type: 'counter',
    labels: ['metric'],
    unit: 'observations',
    help: 'Feedback observations of each business metric.',
  },
  inputFeature: {
    name: 'ai_input_feature',
    type: 'histogram',
    labels: ['feature'],
    unit: "the feature's own",
    help: 'Numeric drift features of the inputs.',
  },
  inputCategory: {
    name: 'ai_input_category_total',
    type: 'counter',
    labels: ['feature', 'value'],
    unit: 'requests',
    help: 'Requests by the value of each categorical drift feature.',
  },
  answers: {
    name: 'ai_answers_total',
    type: 'counter',
    labels: ['quality'],
    unit: 'answers',
    help: 'Answers by quality: good (a model tier answered) or degraded (a fallback answered).',
  },
  shed: {
    name: 'ai_requests_shed_total',
    type: 'counter',
    labels: ['reason'],
    unit: 'requests',
    help: 'Requests refused with 503 by admission control, by reason (queue-full, queue-timeout, event-loop-lag).',
  },
  outputChecks: {
    name: 'ai_output_checks_total',
    type: 'counter',
    labels: ['check', 'tier', 'outcome'],
    unit: 'checks',
    help: "The task's checks of each tier answer (rag: citations, grounding; extract: schema), by outcome (pass, fail).",
  },
} as const satisfies Record<string, ServiceMetric>;

export type ServiceMetricId = keyof typeof SERVICE_METRICS;

/** The exported name of a metric of the catalogue. */
export const metricName = (id: ServiceMetricId): string => SERVICE_METRICS[id].name;
