import { isPlaceholder, PROBLEM_PLACEHOLDER } from '../../spec/placeholder.js';
import { defineRule } from './util.js';
import type { RuleReport } from '../types.js';

export const placeholderText = defineRule({
  id: 'placeholder-text',
  description: 'The business problem and the owner are real answers, not the placeholder `init --yes` writes or a TODO.',
  defaultSeverity: 'warn',
  stage: 1,
  rationale:
    'The problem statement is the context of the ADR, the runbook and the 30-day review, and the owner is who gets asked when the service misbehaves. `init --yes` fills what it cannot guess with a placeholder so the spec is valid; left in place, every document derived from it says nothing.',
  hint: 'Write the business problem in a sentence or two, and set metadata.owner to a person or team (an email or a handle).',
  examples: {
    pass: `metadata:
  owner: support-platform@example.com
business:
  problem: Tickets wait hours for a human to route them to the right queue.`,
    fail: `metadata:
  owner: TBD
business:
  problem: Describe the business problem this service solves, and for whom.`,
  },
  messages: {
    problem:
      'business.problem is a placeholder ("{{problem}}"): the ADR, the runbook and the review will say nothing about why the service exists.',
    owner: 'metadata.owner is a placeholder ("{{owner}}"): nobody is named to answer for this service.',
  },
  check({ spec }) {
    const reports: RuleReport[] = [];
    const problem = spec.business.problem.trim();
    if (problem === PROBLEM_PLACEHOLDER || isPlaceholder(problem)) {
      reports.push({
        path: ['business', 'problem'],
        messageId: 'problem',
        data: { problem },
      });
    }
    if (isPlaceholder(spec.metadata.owner)) {
      reports.push({
        path: ['metadata', 'owner'],
        messageId: 'owner',
        data: { owner: spec.metadata.owner },
      });
    }
    return reports;
  },
});
