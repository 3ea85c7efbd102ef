import { isPlaceholder } from '../../spec/placeholder.js';
import { defineRule, warn } from './util.js';

export { isPlaceholder };

export const reviewOwner = defineRule({
  id: 'review-owner',
  description: 'review.owner names a real person or team, not a placeholder (TODO, TBD, changeme, n/a...).',
  defaultSeverity: 'error',
  stage: 8,
  rationale:
    'The 30-day review is where actuals meet the targets of stage 1 and the next iteration is planned. A review owned by "TBD" does not happen, and the service drifts from its goal unnoticed.',
  hint: 'Set review.owner to the person or team who will run the 30-day review (an email or a handle).',
  examples: {
    pass: `review:
  afterDays: 30
  owner: support-ai-lead@example.com`,
    fail: `review:
  afterDays: 30
  owner: TBD`,
  },
  messages: {
    placeholder: 'review.owner "{{owner}}" is a placeholder: nobody is on the hook for the 30-day review.',
  },
  check({ spec }) {
    const owner = spec.review?.owner;
    if (owner === undefined || !isPlaceholder(owner)) return [];
    const report = {
      path: ['review', 'owner'],
      messageId: 'placeholder' as const,
      data: { owner: owner.trim() },
      ...(isPlaceholder(spec.metadata.owner)
        ? {}
        : { hint: `Name the person or team who will run the review, e.g. the service owner ${spec.metadata.owner}.` }),
    };
    // The service owner's placeholder, copied by design: placeholder-text already warns about the
    // owner, and what init and design write passes check (with warnings) until someone is named.
    return [owner.trim() === spec.metadata.owner.trim() ? warn(report) : report];
  },
});
