/**
 * `.shipshape/reviews.json`: the decisions of completed 30-day reviews, oldest first, written by
 * `review --complete` and read by `init --iterate`. One schema, for the writer and every reader.
 */
import { join } from 'node:path';
import * as z from 'zod';
import { UserError } from '../errors.js';
import { ReadError, readTextBoundedSync } from '../fs/read.js';
import { jsonSyntaxProblem } from '../text/json.js';

export const REVIEWS_FILE = '.shipshape/reviews.json';

const backlogItemSchema = z.strictObject({
  rank: z.number().int().positive(),
  title: z.string(),
  why: z.string(),
  kind: z.enum(['criterion', 'business', 'slo', 'latency', 'cost', 'drift', 'deployments', 'measurement']),
  overrunPercent: z.number().optional(),
});

export const reviewRecordSchema = z.strictObject({
  /** YYYY-MM-DD: the day the review is about. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** The review file, project-relative. */
  file: z.string(),
  decision: z.enum(['keep', 'iterate', 'roll-back']),
  /** What the documented rule said; differs from decision when it was set by hand. */
  ruled: z.enum(['keep', 'iterate', 'roll-back']),
  /** specHash of the spec reviewed. */
  specHash: z.string(),
  /** ISO 8601: when --complete ran (the start of the --date day, when one is given). */
  completedAt: z.string(),
  business: z.strictObject({
    name: z.string(),
    baseline: z.number(),
    target: z.number(),
    actual: z.number().optional(),
  }),
  /** Ids of the success criteria that failed. */
  failedCriteria: z.array(z.string()),
  backlog: z.array(backlogItemSchema),
});

export const reviewsStateSchema = z.strictObject({
  version: z.literal(1),
  reviews: z.array(reviewRecordSchema),
});

export type ReviewRecord = z.infer<typeof reviewRecordSchema>;
export type ReviewsState = z.infer<typeof reviewsStateSchema>;

/** The completed reviews of the project at `root`; none when the file does not exist. A malformed file is a UserError. */
export function readReviewsState(root: string): ReviewsState {
  let text: string;
  try {
    text = readTextBoundedSync(join(root, REVIEWS_FILE), { what: 'state file', display: REVIEWS_FILE });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { version: 1, reviews: [] };
    if (error instanceof ReadError) throw error;
    throw new UserError(`cannot read ${REVIEWS_FILE} (${code ?? String(error)})`, { hint: 'Check its permissions.' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const { message, position } = jsonSyntaxProblem(text, error);
    throw new UserError(`is not valid JSON (${message})`, {
      file: REVIEWS_FILE,
      ...(position ? { position } : {}),
      hint: 'Restore it from version control.',
    });
  }
  const parsed = reviewsStateSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${REVIEWS_FILE} ${issue.path.join('.') || 'file'}: ${issue.message}`, {
      hint: 'Restore it from version control.',
    });
  }
  return parsed.data;
}

/** The state with `record` added; a review of the same date is replaced (completing it again). */
export function withReview(state: ReviewsState, record: ReviewRecord): ReviewsState {
  const reviews = state.reviews.filter((r) => r.date !== record.date);
  reviews.push(record);
  reviews.sort((a, b) => a.date.localeCompare(b.date));
  return { version: 1, reviews };
}

export function serializeReviews(state: ReviewsState): string {
  return `${JSON.stringify(reviewsStateSchema.parse(state), null, 2)}\n`;
}
