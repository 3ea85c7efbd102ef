/** The human summary of `review`: the decision, the file, the top of the backlog. */
import type { ReviewResult } from '../review/run.js';

export function formatReview(result: ReviewResult): string {
  const a = result.assessment;
  const lines = [
    `Decision: ${a.decision}${a.decision === a.ruled ? '' : ` (the rule says ${a.ruled})`}: ${a.reasons.join('; ')}`,
    result.written.includes(result.file) ? `Wrote ${result.file}` : `${result.file} is up to date`,
  ];
  if (result.record) lines.push(`Recorded the decision in .shipshape/reviews.json`);
  if (a.backlog.length > 0) {
    lines.push('Next iteration:');
    for (const item of a.backlog.slice(0, 5)) lines.push(`  ${item.rank}. ${item.title} (${item.why})`);
  }
  return `${lines.join('\n')}\n`;
}
