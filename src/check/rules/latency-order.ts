import { defineRule, num } from './util.js';

export const latencyOrder = defineRule({
  id: 'latency-order',
  description: 'The p95 latency objective is at most the p99 one.',
  defaultSeverity: 'error',
  stage: 1,
  rationale:
    'The 95th percentile of a latency distribution can never exceed its 99th: an SLO with p95 above p99 cannot be measured as written, and everything derived from it (the request deadline, the scenario limits, the alert and rollout thresholds) inherits the contradiction.',
  hint: 'Swap the two, or lower slo.latency.p95Ms to at most slo.latency.p99Ms.',
  examples: {
    pass: `slo:
  availability: 99.5
  latency: { p95Ms: 1200, p99Ms: 2500 }`,
    fail: `slo:
  availability: 99.5
  latency: { p95Ms: 2500, p99Ms: 1200 }     # p95 above p99`,
  },
  messages: {
    p95AboveP99:
      'slo.latency.p95Ms ({{p95}} ms) is above slo.latency.p99Ms ({{p99}} ms): no latency distribution has a 95th percentile above its 99th.',
  },
  check({ spec }) {
    const { p95Ms, p99Ms } = spec.slo.latency;
    if (p95Ms <= p99Ms) return [];
    return [{ path: ['slo', 'latency', 'p95Ms'], messageId: 'p95AboveP99', data: { p95: num(p95Ms), p99: num(p99Ms) } }];
  },
});
