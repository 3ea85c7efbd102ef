// The reference example of shipshape (examples/support-triage.yaml) as a spec object: a cascade of
// a local tier `fast` and an http tier `strong`, a lower-tier fallback with a static queue, two
// business metrics and two drift features. The unit tests read their numbers from it rather than
// from this project's own spec, so that they hold whatever spec the project was generated from;
// only the metadata is the project's. Its tiers (triageTiers) are neutral fakes, not this project's
// task: the orchestration, serving and monitoring these tests cover are the same for every task.
import { loadConfig, type Config } from '../../src/config/index.js';
import { spec } from '../../src/config/spec.js';
import type { ServiceSpec } from '../../src/config/types.js';
import { createTiers } from '../../src/serving/index.js';
import { TierError, type ModelTier } from '../../src/serving/tier.js';

/** The environment the http tier `strong` needs; nothing listens there. */
export const TRIAGE_ENV: NodeJS.ProcessEnv = { TRIAGE_LLM_URL: 'http://127.0.0.1:9/v1' };

export const triageSpec: ServiceSpec = {
  ...spec,
  // A classifier, whatever task this project's own spec has.
  task: null,
  business: {
    problem: 'Tickets wait hours for manual routing, and slow first responses hurt CSAT.',
    metric: { name: 'median_first_response_minutes', baseline: 240, target: 60, direction: 'decrease' },
    successCriteria: [
      { id: 'routing-accuracy', metric: 'routing_accuracy', min: 0.9 },
      { id: 'first-response', metric: 'median_first_response_minutes', max: 60 },
    ],
    budget: { costPerRequestUsd: 0.002, monthlyUsd: 10000 },
    expectedLoad: { peakRps: 40, dailyRequests: 200000 },
  },
  slo: { availability: 99.9, windowDays: 30, latency: { p95Ms: 1200, p99Ms: 2500 } },
  models: {
    tiers: [
      { name: 'fast', kind: 'local', model: 'keyword-router-v1', timeoutMs: 50, costPerRequestUsd: 0 },
      { name: 'strong', kind: 'http', model: 'gpt-4o-mini', endpoint: '${TRIAGE_LLM_URL}', timeoutMs: 900, costPerRequestUsd: 0.004 },
    ],
    routing: { strategy: 'cascade', escalateWhen: { confidenceBelow: 0.75, inputCharsAbove: 4000 }, expectedEscalationRate: 0.35 },
  },
  resilience: {
    timeoutMs: 2000,
    retry: { maxAttempts: 2, backoff: 'exponential', initialDelayMs: 100, maxDelayMs: 400 },
    circuitBreaker: { failureRateThreshold: 0.5, minimumRequests: 20, windowSeconds: 30, halfOpenAfterSeconds: 15 },
    bulkhead: { maxConcurrent: 64, maxQueue: 128 },
    fallback: { strategy: 'lower-tier', static: { queue: 'general', reply: null } },
  },
  scenarios: [
    {
      id: 'llm-outage',
      failureMode: 'llm-outage',
      fault: { target: 'strong', type: 'error', status: 503, rate: 1 },
      load: { rps: 30, durationSeconds: 15 },
      expect: { availability: { min: 99.5 }, p95Ms: { max: 1200 }, breakerOpensWithinSeconds: 5 },
    },
    {
      id: 'llm-slow',
      failureMode: 'llm-slow',
      fault: { target: 'strong', type: 'latency', delayMs: 5000, rate: 0.5 },
      load: { rps: 30, durationSeconds: 15 },
      expect: { availability: { min: 99.5 }, p99Ms: { max: 2500 } },
    },
    {
      id: 'malformed-output',
      failureMode: 'malformed-output',
      fault: { target: 'strong', type: 'malformed', rate: 0.3 },
      load: { rps: 20, durationSeconds: 10 },
      expect: { availability: { min: 99.9 }, fallbackRate: { max: 40 } },
    },
  ],
  deploy: {
    analysis: {
      metrics: [
        { name: 'error-rate-percent', max: 1 },
        { name: 'p95-latency-ms', max: 1200 },
        { name: 'business', metric: 'routing_accuracy', min: 0.88 },
      ],
    },
  },
  monitoring: {
    alerts: { p95LatencyMs: 1200 },
    drift: { features: ['ticket_chars', 'language'], method: 'psi', threshold: 0.2 },
    predictionLogging: { sampleRate: 0.1 },
  },
};

/** The configuration of the reference example. */
export function triageConfig(env: NodeJS.ProcessEnv = {}): Config {
  const config = loadConfig({ ...TRIAGE_ENV, ...env }, triageSpec);
  // No shedding on event-loop lag: in a test the loop is shared with the test's own clients and a busy machine (the
  // shedding itself has its own test in serving.test.ts).
  return { ...config, admission: { ...config.admission, maxEventLoopLagMs: Number.POSITIVE_INFINITY } };
}

/** What the triage spec's local tiers look for, by label: the labels its http tiers choose among too. */
const TRIAGE_KEYWORDS: Record<string, readonly string[]> = {
  billing: ['invoice', 'charged', 'refund', 'payment', 'bill'],
  technical: ['crash', 'crashes', 'error', 'bug', 'broken', 'install'],
  account: ['account', 'password', 'login', 'email', 'profile'],
};

export const TRIAGE_LABELS = Object.keys(TRIAGE_KEYWORDS);

/**
 * The triage spec's tiers, whatever task this project has: each local tier a keyword matcher (the label with the
 * most keywords in the text, with confidence 0.9; confidence 0 when the text has none of them, so that the cascade
 * escalates), each http tier the real http tier choosing among TRIAGE_LABELS.
 */
export function triageTiers(config: Config): ModelTier[] {
  const local = (tier: Config['tiers'][number]): ModelTier => ({
    name: tier.name,
    kind: 'local',
    model: tier.model,
    costPerRequestUsd: tier.costPerRequestUsd,
    predict(text, signal) {
      if (signal.aborted) return Promise.reject(new TierError(tier.name, 'aborted', `${tier.name}: aborted`));
      const words = text.toLowerCase().split(/[^a-z]+/);
      const hits = TRIAGE_LABELS.map((label) => words.filter((word) => TRIAGE_KEYWORDS[label]!.includes(word)).length);
      const best = hits.indexOf(Math.max(...hits));
      return Promise.resolve({ label: TRIAGE_LABELS[best]!, confidence: hits[best]! > 0 ? 0.9 : 0, reply: null });
    },
  });
  return createTiers(config, local, { labels: TRIAGE_LABELS });
}
