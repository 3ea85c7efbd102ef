import { latencyBudget as worstCaseBudget, type TierLatency } from '../../design/budget.js';
import type { RuleReport } from '../types.js';
import { defineRule, ms, num } from './util.js';

function tierArithmetic(tier: TierLatency): string {
  if (tier.attempts === 1 && tier.backoffMs === 0) return `${tier.tier}: ${ms(tier.timeoutMs)}`;
  const backoff = tier.backoffMs > 0 ? ` + ${ms(tier.backoffMs)} backoff` : '';
  return `${tier.tier}: ${num(tier.timeoutMs)} ms x ${tier.attempts} attempts${backoff} = ${ms(tier.worstCaseMs)}`;
}

export const latencyBudget = defineRule({
  id: 'latency-budget',
  description:
    'The worst-case path through the model tiers (timeouts x attempts + backoff) fits resilience.timeoutMs, and resilience.timeoutMs fits slo.latency.p99Ms.',
  defaultSeverity: 'error',
  stage: 1,
  rationale:
    'Retries multiply latency: a 900 ms tier with two attempts and a backoff can take two seconds, and a cascade waits for every tier in turn. When the worst case does not fit the request deadline, the deadline cuts requests off mid-retry; when the deadline does not fit the p99 SLO, every slow request is an SLO violation by design.',
  hint: 'Lower a tier timeoutMs or resilience.retry.maxAttempts, or raise resilience.timeoutMs while keeping it within slo.latency.p99Ms.',
  examples: {
    pass: `slo: { availability: 99.9, latency: { p95Ms: 1200, p99Ms: 2500 } }
models:
  tiers:
    - { name: fast, kind: local, model: router-v1, timeoutMs: 50, costPerRequestUsd: 0 }
    - { name: strong, kind: http, endpoint: '\${LLM_URL}', model: gpt-4o-mini, timeoutMs: 900, costPerRequestUsd: 0.004 }
resilience:
  timeoutMs: 2000       # fast 50 + strong (900 x 2 + 100 backoff) = 1950 <= 2000 <= 2500
  retry: { maxAttempts: 2, backoff: exponential, initialDelayMs: 100, maxDelayMs: 400 }`,
    fail: `slo: { availability: 99.9, latency: { p95Ms: 1200, p99Ms: 2500 } }
models:
  tiers:
    - { name: fast, kind: local, model: router-v1, timeoutMs: 50, costPerRequestUsd: 0 }
    - { name: strong, kind: http, endpoint: '\${LLM_URL}', model: gpt-4o-mini, timeoutMs: 900, costPerRequestUsd: 0.004 }
resilience:
  timeoutMs: 1800       # the worst case is 1950 ms
  retry: { maxAttempts: 2, backoff: exponential, initialDelayMs: 100, maxDelayMs: 400 }`,
  },
  messages: {
    overSlo: 'The worst case does not fit the latency SLO: {{worstCase}} > {{p99}}.',
    overDeadline: 'The request deadline cuts the worst case short: {{worstCase}} > resilience.timeoutMs {{deadline}}.',
    deadlineOverSlo: 'resilience.timeoutMs {{deadline}} > {{p99}}: a request may run past the latency SLO before the deadline stops it.',
  },
  check({ spec }) {
    if (!spec.models) return [];
    const budget = worstCaseBudget(spec);
    const byName = new Map(budget.tiers.map((tier) => [tier.tier, tier]));
    const steps = budget.path.flatMap((name) => {
      const tier = byName.get(name);
      return tier ? [tierArithmetic(tier)] : [];
    });
    const worstCase = `${steps.join('; ')}; path ${budget.path.join(' -> ')} = ${ms(budget.worstCaseMs)}`;
    const reports: RuleReport[] = [];
    const p99 = `slo.latency.p99Ms ${ms(budget.p99Ms)}`;

    if (budget.requestTimeoutMs === undefined) {
      if (budget.worstCaseMs > budget.p99Ms) {
        reports.push({
          path: ['slo', 'latency', 'p99Ms'],
          messageId: 'overSlo',
          data: { worstCase, p99 },
          hint: `Lower the timeoutMs of a tier on the path by ${ms(budget.worstCaseMs - budget.p99Ms)} in total, or route fewer tiers in series.`,
        });
      }
      return reports;
    }

    if (budget.worstCaseMs > budget.requestTimeoutMs) {
      reports.push({
        path: ['resilience', 'timeoutMs'],
        messageId: 'overDeadline',
        data: { worstCase, deadline: ms(budget.requestTimeoutMs) },
        hint:
          budget.worstCaseMs <= budget.p99Ms
            ? `Raise resilience.timeoutMs to ${num(budget.worstCaseMs)} (still within ${p99}), or lower a tier timeoutMs or retry.maxAttempts.`
            : `Lower a tier timeoutMs or retry.maxAttempts by ${ms(budget.worstCaseMs - budget.p99Ms)} at least: raising resilience.timeoutMs to ${num(budget.worstCaseMs)} would break ${p99}.`,
      });
    }
    if (budget.requestTimeoutMs > budget.p99Ms) {
      reports.push({
        path: ['resilience', 'timeoutMs'],
        messageId: 'deadlineOverSlo',
        data: { deadline: ms(budget.requestTimeoutMs), p99 },
        hint: `Lower resilience.timeoutMs to ${num(budget.p99Ms)} or less.`,
      });
    }
    return reports;
  },
});
