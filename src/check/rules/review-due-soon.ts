import { DEPLOYMENTS_FILE } from '../../stages/records.js';
import { pendingReview, reviewAfterDays } from '../../stages/review.js';
import type { RuleContext } from '../types.js';
import { defineRule } from './util.js';

/** How many days ahead a coming review is announced. */
export const DUE_SOON_DAYS = 7;

/** The review owed for the project's last promotion, when the project has a deployment history. */
export function owedReview(context: RuleContext) {
  const read = context.project?.deployments();
  if (!context.project || !read?.found || 'error' in read) return undefined;
  return pendingReview(read.records, context.project.reviews(), reviewAfterDays(context.spec), context.today ?? new Date());
}

export const reviewDueSoon = defineRule({
  id: 'review-due-soon',
  description: `The 30-day review of the last promotion falls due within ${DUE_SOON_DAYS} days (review.afterDays after it).`,
  defaultSeverity: 'warn',
  stage: 6,
  rationale:
    'The review is where production data meets the targets of stage 1: a week of notice is the time to book it, pull the numbers and invite the owner, rather than find it overdue.',
  hint: 'Run `shipshape review` on or after the due date (with --prometheus URL or --metrics FILE) and commit docs/reviews/.',
  examples: {
    pass: `# .shipshape/deployments.json: promoted on 2026-01-30; review.afterDays: 30
# today is 2026-02-10: the review is due on 2026-03-01, 19 days away`,
    fail: `# .shipshape/deployments.json: promoted on 2026-01-30; review.afterDays: 30
# today is 2026-02-25: the review is due on 2026-03-01, in 4 days`,
  },
  messages: {
    dueSoon: 'the 30-day review is due {{when}} ({{due}}, {{afterDays}} days after the promotion of {{promotedOn}})',
  },
  check(context) {
    const owed = owedReview(context);
    if (!owed || owed.daysLeft < 0 || owed.daysLeft > DUE_SOON_DAYS) return [];
    const when = owed.daysLeft === 0 ? 'today' : `in ${owed.daysLeft} day${owed.daysLeft === 1 ? '' : 's'}`;
    return [
      {
        path: ['review', 'afterDays'],
        file: DEPLOYMENTS_FILE,
        messageId: 'dueSoon',
        data: { when, due: owed.due, afterDays: String(owed.afterDays), promotedOn: owed.promotedOn.toISOString().slice(0, 10) },
      },
    ];
  },
});
