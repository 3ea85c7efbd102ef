import { readdirSync } from 'node:fs';
import { readDeployments } from './deployment.js';
import type { Project } from './project.js';
import { day, deploymentDate, DEPLOYMENTS_FILE } from './records.js';
import { stateOf, type Evidence, type StageEvidence } from './types.js';

export const REVIEWS_DIR = 'docs/reviews/';
/** When the spec does not say (review.afterDays), the review is due 30 days after a promotion. */
export const DEFAULT_REVIEW_AFTER_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

interface Review {
  file: string;
  /** YYYY-MM-DD. */
  date: string;
  /** Taken from the file name; otherwise from its mtime. */
  named: boolean;
}

/** The date in a review's file name (docs/reviews/2025-03-01.md), or its mtime when it has none. */
async function readReviews(project: Project): Promise<Review[]> {
  let names: string[];
  try {
    names = readdirSync(project.path(REVIEWS_DIR), { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.md'))
      .map((e) => e.name);
  } catch {
    return [];
  }
  const reviews: Review[] = [];
  for (const name of names) {
    const file = `${REVIEWS_DIR}${name}`;
    const named = /(\d{4}-\d{2}-\d{2})/.exec(name)?.[1];
    if (named && !Number.isNaN(new Date(`${named}T00:00:00Z`).getTime())) {
      reviews.push({ file, date: named, named: true });
      continue;
    }
    const info = await project.stat(file);
    if (info) reviews.push({ file, date: day(info.mtime), named: false });
  }
  return reviews.sort((a, b) => a.date.localeCompare(b.date) || a.file.localeCompare(b.file));
}

function afterDays(data: Record<string, unknown> | undefined): number {
  const value = (data?.['review'] as { afterDays?: unknown } | undefined)?.afterDays;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : DEFAULT_REVIEW_AFTER_DAYS;
}

/** Stage 8: a review written once the review was due, review.afterDays after the last promotion. */
export async function reviewEvidence(project: Project): Promise<StageEvidence> {
  const [reviews, history, data] = await Promise.all([readReviews(project), readDeployments(project), project.data()]);
  const days = afterDays(data);
  const promoted = history && 'records' in history ? history.records.filter((r) => r.status === 'promoted').at(-1) : undefined;
  const promotedOn = promoted ? deploymentDate(promoted) : undefined;
  const due = promotedOn ? day(new Date(promotedOn.getTime() + days * DAY_MS)) : undefined;

  const deployment: Evidence = {
    what: 'promoted deployment',
    file: DEPLOYMENTS_FILE,
    ok: due !== undefined,
    detail:
      promotedOn && due
        ? `last promoted on ${day(promotedOn)}: the review is due on ${due} (${days} days later)`
        : history && 'error' in history
          ? `${DEPLOYMENTS_FILE} ${history.error}`
          : 'no promoted deployment to review yet',
  };
  const latest = reviews.at(-1);
  const review: Evidence = !latest
    ? { what: 'review', file: REVIEWS_DIR, ok: false, detail: `no review in ${REVIEWS_DIR}${due ? ` (due on ${due})` : ''}` }
    : {
        what: 'review',
        file: latest.file,
        ok: due !== undefined && latest.date >= due,
        detail: `${latest.file} is dated ${latest.date}${latest.named ? '' : ' (by its mtime)'}${
          due === undefined ? '' : latest.date >= due ? `, once the review was due (${due})` : `, before the review is due (${due})`
        }`,
      };
  return { state: stateOf(latest !== undefined, [deployment, review]), evidence: [deployment, review] };
}
