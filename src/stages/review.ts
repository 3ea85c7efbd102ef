import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readDeployments } from './deployment.js';
import type { Project } from './project.js';
import { day, deploymentDate, DEPLOYMENTS_FILE, type DeploymentRecord } from './records.js';
import { stateOf, type Evidence, type StageEvidence } from './types.js';

export const REVIEWS_DIR = 'docs/reviews/';
/** When the spec does not say (review.afterDays), the review is due 30 days after a promotion. */
export const DEFAULT_REVIEW_AFTER_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ReviewFile {
  file: string;
  /** YYYY-MM-DD. */
  date: string;
  /** Taken from the file name; otherwise from its mtime. */
  named: boolean;
}

/**
 * The reviews in docs/reviews/ of the project at `root`, oldest first: the date in a file's name
 * (docs/reviews/2025-03-01-review.md), or its mtime when it has none. Synchronous, so the check
 * rules (which are) read them the same way status does.
 */
export function listReviews(root: string): ReviewFile[] {
  let names: string[];
  try {
    names = readdirSync(join(root, REVIEWS_DIR), { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.md'))
      .map((e) => e.name);
  } catch {
    return [];
  }
  const reviews: ReviewFile[] = [];
  for (const name of names) {
    const file = `${REVIEWS_DIR}${name}`;
    const named = /(\d{4}-\d{2}-\d{2})/.exec(name)?.[1];
    if (named && !Number.isNaN(new Date(`${named}T00:00:00Z`).getTime())) {
      reviews.push({ file, date: named, named: true });
      continue;
    }
    const info = statSync(join(root, file), { throwIfNoEntry: false });
    if (info) reviews.push({ file, date: day(info.mtime), named: false });
  }
  return reviews.sort((a, b) => a.date.localeCompare(b.date) || a.file.localeCompare(b.file));
}

/** review.afterDays of the spec's plain data (valid or not), or the default. */
export function reviewAfterDays(data: unknown): number {
  const review = data !== null && typeof data === 'object' ? (data as Record<string, unknown>)['review'] : undefined;
  const value = review !== null && typeof review === 'object' ? (review as { afterDays?: unknown }).afterDays : undefined;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : DEFAULT_REVIEW_AFTER_DAYS;
}

export interface ReviewDue {
  /** The last promotion the review counts from. */
  promotion: DeploymentRecord;
  /** When it was promoted (its end, or its start when it has none). */
  promotedOn: Date;
  /** YYYY-MM-DD: `afterDays` after the promotion, in UTC. */
  due: string;
  afterDays: number;
}

/** When the review falls due: `afterDays` after the last promotion of the history; undefined before any. */
export function reviewDue(records: readonly DeploymentRecord[], afterDays: number): ReviewDue | undefined {
  const promotion = records.filter((r) => r.status === 'promoted').at(-1);
  const promotedOn = promotion ? deploymentDate(promotion) : undefined;
  if (!promotion || !promotedOn) return undefined;
  return { promotion, promotedOn, due: day(new Date(promotedOn.getTime() + afterDays * DAY_MS)), afterDays };
}

/** Whole days from `today` to a YYYY-MM-DD date, both in UTC: 0 on the day, negative once past. */
export function daysUntil(date: string, today: Date): number {
  return Math.round((new Date(`${date}T00:00:00Z`).getTime() - new Date(`${day(today)}T00:00:00Z`).getTime()) / DAY_MS);
}

/** Stage 8: a review written once the review was due, review.afterDays after the last promotion. */
export async function reviewEvidence(project: Project): Promise<StageEvidence> {
  const [history, data] = await Promise.all([readDeployments(project), project.data()]);
  const reviews = listReviews(project.root);
  const days = reviewAfterDays(data);
  const found = history && 'records' in history ? reviewDue(history.records, days) : undefined;
  const promotedOn = found?.promotedOn;
  const due = found?.due;

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

export interface PendingReview extends ReviewDue {
  /** Whole days from today to the due date: negative once it is overdue. */
  daysLeft: number;
}

/**
 * The review still owed for the last promotion: due `afterDays` after it and not yet written (no
 * review dated on or after its due date). Undefined before any promotion and once it is written.
 */
export function pendingReview(
  records: readonly DeploymentRecord[],
  reviews: readonly ReviewFile[],
  afterDays: number,
  today: Date,
): PendingReview | undefined {
  const due = reviewDue(records, afterDays);
  if (!due || reviews.some((review) => review.date >= due.due)) return undefined;
  return { ...due, daysLeft: daysUntil(due.due, today) };
}
