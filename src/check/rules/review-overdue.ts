import { DEPLOYMENTS_FILE } from '../../stages/records.js';
import { owedReview } from './review-due-soon.js';
import { defineRule } from './util.js';

export const reviewOverdue = defineRule({
  id: 'review-overdue',
  description: 'The 30-day review of the last promotion is overdue: no review in docs/reviews/ dated on or after its due date.',
  defaultSeverity: 'error',
  stage: 6,
  rationale:
    'A service nobody reviews drifts from its goal unnoticed: the business metric, the success criteria and the budget were promises, and the review is where they are checked against production and the next iteration is planned. Overdue means the promise went unchecked.',
  hint: 'Run `shipshape review` (with --prometheus URL or --metrics FILE) and commit docs/reviews/; `shipshape review --complete` records the decision.',
  examples: {
    pass: `# .shipshape/deployments.json: promoted on 2026-01-30; review.afterDays: 30
# docs/reviews/2026-03-02-review.md exists`,
    fail: `# .shipshape/deployments.json: promoted on 2026-01-30; review.afterDays: 30
# today is 2026-03-10 and docs/reviews/ holds no review since 2026-03-01`,
  },
  messages: {
    overdue: 'the 30-day review is overdue by {{late}}: it was due on {{due}}, {{afterDays}} days after the promotion of {{promotedOn}}',
  },
  check(context) {
    const owed = owedReview(context);
    if (!owed || owed.daysLeft >= 0) return [];
    const late = -owed.daysLeft;
    return [
      {
        path: ['review', 'afterDays'],
        file: DEPLOYMENTS_FILE,
        messageId: 'overdue',
        data: {
          late: `${late} day${late === 1 ? '' : 's'}`,
          due: owed.due,
          afterDays: String(owed.afterDays),
          promotedOn: owed.promotedOn.toISOString().slice(0, 10),
        },
      },
    ];
  },
});
