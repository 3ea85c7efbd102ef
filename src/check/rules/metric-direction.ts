import { defineRule, num } from './util.js';

export const metricDirection = defineRule({
  id: 'metric-direction',
  description: 'The business metric target lies beyond its baseline in the stated direction.',
  defaultSeverity: 'error',
  stage: 1,
  rationale:
    'The business metric is why the service exists. A "decrease" whose target is above the baseline (or equal to it) is a typo or a confused goal, and every success criterion, rollout analysis and 30-day review derived from it would measure the wrong thing.',
  hint: 'Fix the target, or the direction: decrease means target < baseline, increase means target > baseline.',
  examples: {
    pass: `business:
  metric: { name: median_first_response_minutes, baseline: 240, target: 60, direction: decrease }`,
    fail: `business:
  metric: { name: median_first_response_minutes, baseline: 240, target: 300, direction: decrease }`,
  },
  messages: {
    noImprovement:
      '{{name}} should {{direction}}, but target {{target}} {{relation}} baseline {{baseline}}: reaching it would be no improvement.',
  },
  check({ spec }) {
    const { name, baseline, target, direction } = spec.business.metric;
    const beyond = direction === 'decrease' ? target < baseline : target > baseline;
    if (beyond) return [];
    const relation = target === baseline ? 'equals' : direction === 'decrease' ? 'is above' : 'is below';
    return [
      {
        path: ['business', 'metric', 'target'],
        messageId: 'noImprovement',
        data: { name, direction, target: num(target), relation, baseline: num(baseline) },
      },
    ];
  },
});
