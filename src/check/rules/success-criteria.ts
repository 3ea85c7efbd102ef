import type { RuleReport } from '../types.js';
import { defineRule, num, warn } from './util.js';

export const successCriteria = defineRule({
  id: 'success-criteria',
  description:
    'Each success criterion has a min or max; one on the business metric follows its direction and asks at least for the target. Warns when there are none.',
  defaultSeverity: 'error',
  stage: 1,
  rationale:
    'Success criteria are what the 30-day review checks the service against. A criterion without a threshold cannot pass or fail, a "min" on a metric meant to decrease rewards the wrong outcome, and a bar lower than the target declares victory before the goal is reached.',
  hint: 'Give each criterion a threshold: `max` for a metric that should decrease, `min` for one that should increase, at least as demanding as business.metric.target.',
  examples: {
    pass: `business:
  metric: { name: median_first_response_minutes, baseline: 240, target: 60, direction: decrease }
  successCriteria:
    - { id: first-response, metric: median_first_response_minutes, max: 60 }`,
    fail: `business:
  metric: { name: median_first_response_minutes, baseline: 240, target: 60, direction: decrease }
  successCriteria:
    - { id: first-response, metric: median_first_response_minutes, max: 120 }   # less than the target`,
  },
  messages: {
    none: 'business has no successCriteria: the 30-day review will have nothing to check the service against.',
    noThreshold: 'Success criterion "{{id}}" has neither min nor max, so it can never pass or fail.',
    needsMax: 'Success criterion "{{id}}" sets a min on {{metric}}, which should decrease: it needs a max (the target is {{target}}).',
    maxAboveTarget:
      'Success criterion "{{id}}" accepts {{metric}} up to {{max}}, less than the target of {{target}}: it would pass before the goal is reached.',
    needsMin: 'Success criterion "{{id}}" sets a max on {{metric}}, which should increase: it needs a min (the target is {{target}}).',
    minBelowTarget:
      'Success criterion "{{id}}" accepts {{metric}} from {{min}}, less than the target of {{target}}: it would pass before the goal is reached.',
  },
  check({ spec }) {
    const { metric, successCriteria: criteria } = spec.business;
    if (!criteria || criteria.length === 0) {
      return [
        warn({
          path: ['business'],
          messageId: 'none',
          hint: `Add \`business.successCriteria\`, e.g. { id: target-met, metric: ${metric.name}, ${metric.direction === 'decrease' ? 'max' : 'min'}: ${num(metric.target)} }.`,
        }),
      ];
    }
    const reports: RuleReport<'noThreshold' | 'needsMax' | 'maxAboveTarget' | 'needsMin' | 'minBelowTarget'>[] = [];
    criteria.forEach((criterion, index) => {
      const path = ['business', 'successCriteria', index] as const;
      if (criterion.min === undefined && criterion.max === undefined) {
        reports.push({
          path,
          messageId: 'noThreshold',
          data: { id: criterion.id },
          hint: `Add \`min\` or \`max\` for ${criterion.metric}.`,
        });
        return;
      }
      if (criterion.metric !== metric.name) return;
      if (metric.direction === 'decrease') {
        if (criterion.max === undefined) {
          reports.push({
            path: [...path, 'min'],
            messageId: 'needsMax',
            data: { id: criterion.id, metric: metric.name, target: num(metric.target) },
            hint: `Use \`max: ${num(metric.target)}\` instead of \`min\`.`,
          });
        } else if (criterion.max > metric.target) {
          reports.push({
            path: [...path, 'max'],
            messageId: 'maxAboveTarget',
            data: { id: criterion.id, metric: metric.name, max: num(criterion.max), target: num(metric.target) },
            hint: `Lower max to ${num(metric.target)} or below.`,
          });
        }
      } else if (criterion.min === undefined) {
        reports.push({
          path: [...path, 'max'],
          messageId: 'needsMin',
          data: { id: criterion.id, metric: metric.name, target: num(metric.target) },
          hint: `Use \`min: ${num(metric.target)}\` instead of \`max\`.`,
        });
      } else if (criterion.min < metric.target) {
        reports.push({
          path: [...path, 'min'],
          messageId: 'minBelowTarget',
          data: { id: criterion.id, metric: metric.name, min: num(criterion.min), target: num(metric.target) },
          hint: `Raise min to ${num(metric.target)} or above.`,
        });
      }
    });
    return reports;
  },
});
