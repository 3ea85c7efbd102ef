/**
 * The wording of rule messages as users read them, in one place. Every other rule test asserts a
 * report's messageId and data (as ESLint's RuleTester does), so a rule's message can be reworded
 * here and in the rule without touching its behaviour tests.
 */
import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../../src/check/messages.js';
import { costBudget } from '../../../src/check/rules/cost-budget.js';
import { deployBusinessMetric } from '../../../src/check/rules/deploy-business-metric.js';
import { failureModeMitigation } from '../../../src/check/rules/failure-mode-mitigation.js';
import { latencyBudget } from '../../../src/check/rules/latency-budget.js';
import { metricDirection } from '../../../src/check/rules/metric-direction.js';
import { noSecrets } from '../../../src/check/rules/no-secrets.js';
import { patternFit } from '../../../src/check/rules/pattern-fit.js';
import { placeholderText } from '../../../src/check/rules/placeholder-text.js';
import { references } from '../../../src/check/rules/references.js';
import { reviewDueSoon } from '../../../src/check/rules/review-due-soon.js';
import { reviewOverdue } from '../../../src/check/rules/review-overdue.js';
import { reviewOwner } from '../../../src/check/rules/review-owner.js';
import { scenarioFeasibility } from '../../../src/check/rules/scenario-feasibility.js';
import { uniqueIds } from '../../../src/check/rules/unique-ids.js';
import type { Rule } from '../../../src/check/types.js';
import type { Spec } from '../../../src/spec/schema.js';
import { PROBLEM_PLACEHOLDER } from '../../../src/spec/placeholder.js';
import { example, run } from './helpers.js';

/** The example, changed by `change`. */
function edited(change: (spec: Spec) => void): Spec {
  const spec = example();
  change(spec);
  return spec;
}

const CASES: { rule: Rule; spec: Spec; messages: string[] }[] = [
  {
    rule: latencyBudget,
    spec: edited((spec) => (spec.resilience!.timeoutMs = 1800)),
    messages: [
      'The request deadline cuts the worst case short: fast: 50 ms; strong: 900 ms x 2 attempts + 100 ms backoff = 1900 ms; path fast -> strong = 1950 ms > resilience.timeoutMs 1800 ms.',
    ],
  },
  {
    rule: costBudget,
    spec: edited((spec) => (spec.models!.routing!.expectedEscalationRate = 0.6)),
    messages: [
      'Expected cost per request $0.0024 at a 60% escalation rate > business.budget.costPerRequestUsd $0.002; the budget breaks even at an escalation rate of 41.7%.',
      'Expected monthly cost $14,400 ($0.0024 x 200,000 requests a day x 30 days at a 60% escalation rate) > business.budget.monthlyUsd $10,000; the budget breaks even at an escalation rate of 41.7%.',
    ],
  },
  {
    rule: costBudget,
    spec: edited((spec) => {
      spec.models!.tiers = [spec.models!.tiers[1]!];
      spec.models!.routing = { strategy: 'single' };
      spec.business.budget = { costPerRequestUsd: 0.002 };
    }),
    messages: ['Expected cost per request $0.004 (tier strong) > business.budget.costPerRequestUsd $0.002.'],
  },
  {
    rule: metricDirection,
    spec: edited((spec) => (spec.business.metric.target = 300)),
    messages: ['median_first_response_minutes should decrease, but target 300 is above baseline 240: reaching it would be no improvement.'],
  },
  {
    rule: placeholderText,
    spec: edited((spec) => (spec.business.problem = PROBLEM_PLACEHOLDER)),
    messages: [
      `business.problem is a placeholder ("${PROBLEM_PLACEHOLDER}"): the ADR, the runbook and the review will say nothing about why the service exists.`,
    ],
  },
  {
    rule: uniqueIds,
    spec: edited((spec) => (spec.failureModes![3]!.id = 'llm-slow')),
    messages: ['failure mode id "llm-slow" is listed twice: failureModes[3] repeats failureModes[1].'],
  },
  {
    rule: references,
    spec: edited((spec) => (spec.scenarios![0]!.fault!.target = 'stronk')),
    messages: [
      'Scenario "llm-outage" injects its fault into tier "stronk", which is not in models.tiers (did you mean "strong"?); known: "fast" and "strong".',
    ],
  },
  {
    rule: failureModeMitigation,
    spec: edited((spec) => (spec.architecture!.patterns = spec.architecture!.patterns.filter((p) => p.pattern !== 'drift-monitoring'))),
    messages: ['Failure mode "ticket-mix-shift" (data-drift) has no mitigation: no pattern in architecture.patterns addresses it.'],
  },
  {
    rule: patternFit,
    spec: edited((spec) => spec.architecture!.patterns[7]!.addresses.push('llm-outage')),
    messages: ['Pattern drift-monitoring claims to address "llm-outage" (upstream-failure), but it addresses data-drift only.'],
  },
  {
    rule: deployBusinessMetric,
    spec: edited((spec) => {
      spec.metadata.tier = 3;
      spec.deploy!.analysis!.metrics = spec.deploy!.analysis!.metrics.filter((metric) => metric.name !== 'business');
    }),
    messages: [
      'The rollout analysis watches error-rate-percent and p95-latency-ms but no business metric: a release that answers fast and wrong would be promoted.',
    ],
  },
  {
    rule: scenarioFeasibility,
    spec: edited((spec) => {
      delete spec.resilience!.fallback;
      spec.scenarios = [
        {
          id: 's',
          failureMode: 'llm-slow',
          fault: { target: 'strong', type: 'timeout', rate: 1 },
          load: { rps: 10, durationSeconds: 30 },
          expect: { p95Ms: { max: 500 } },
        },
      ];
    }),
    messages: [
      'Scenario "s" expects p95Ms at most 500 ms, but a timeout fault on 100% of requests makes them wait for tier strong\'s timeout (900 ms), and there is no fallback to answer sooner.',
    ],
  },
  {
    rule: reviewOwner,
    spec: edited((spec) => (spec.review!.owner = 'TBD')),
    messages: ['review.owner "TBD" is a placeholder: nobody is on the hook for the 30-day review.'],
  },
  {
    rule: noSecrets,
    spec: edited((spec) => (spec.metadata.description = 'Calls https://triage:hunter2-prod-pw@llm.internal.example.com/v1')),
    messages: ['metadata.description holds what looks like a password in a URL (…pw): secrets never go in the spec.'],
  },
];

describe('rule messages, as rendered', () => {
  it.each(CASES.map((c) => [c.rule.id, c] as const))('%s', (_id, { rule, spec, messages }) => {
    expect(run(rule, spec).map((report) => report.message)).toEqual(messages);
  });
});

describe('rule messages of project files, as rendered from the data their tests assert', () => {
  const promoted = { afterDays: '30', promotedOn: '2026-01-30' };
  it('review-due-soon and review-overdue', () => {
    expect(renderMessage(reviewDueSoon, 'dueSoon', { when: 'in 7 days', due: '2026-03-01', ...promoted })).toBe(
      'the 30-day review is due in 7 days (2026-03-01, 30 days after the promotion of 2026-01-30)',
    );
    expect(renderMessage(reviewOverdue, 'overdue', { late: '1 day', due: '2026-03-01', ...promoted })).toBe(
      'the 30-day review is overdue by 1 day: it was due on 2026-03-01, 30 days after the promotion of 2026-01-30',
    );
  });
});
