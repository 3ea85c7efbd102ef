import { defineRule, num } from './util.js';

const THRESHOLD = 99.9;
const DEFAULT_WINDOW_DAYS = 30;

export const availabilityFallback = defineRule({
  id: 'availability-fallback',
  description: `An availability SLO of ${THRESHOLD}% or more has a fallback (resilience.fallback).`,
  defaultSeverity: 'error',
  stage: 4,
  rationale:
    'Hosted models have outages measured in tens of minutes; three nines allow about 43 minutes of errors a month. Without a fallback (a lower tier, a static answer or a cache) a single provider incident spends the whole error budget.',
  hint: 'Add `resilience.fallback` with strategy lower-tier, static or cache.',
  examples: {
    pass: `slo: { availability: 99.9, latency: { p95Ms: 1200, p99Ms: 2500 } }
resilience:
  timeoutMs: 2000
  fallback: { strategy: lower-tier }`,
    fail: `slo: { availability: 99.95, latency: { p95Ms: 1200, p99Ms: 2500 } }
resilience:
  timeoutMs: 2000     # no fallback`,
  },
  messages: {
    noFallback:
      'slo.availability {{availability}}% allows {{budgetMinutes}} minutes of errors per {{windowDays}} days, but resilience has no fallback: one upstream outage can spend it all.',
  },
  check({ spec }) {
    const { availability, windowDays = DEFAULT_WINDOW_DAYS } = spec.slo;
    // Without a resilience section, section-required reports the whole section once.
    if (availability < THRESHOLD || !spec.resilience || spec.resilience.fallback) return [];
    const budgetMinutes = ((100 - availability) / 100) * windowDays * 24 * 60;
    return [
      {
        path: ['resilience', 'fallback'],
        messageId: 'noFallback',
        data: { availability: num(availability), budgetMinutes: num(budgetMinutes, 1), windowDays: num(windowDays) },
      },
    ];
  },
});
