/**
 * `shipshape init --iterate`: the next version of the spec, started from the last completed review
 * (.shipshape/reviews.json). What holds is kept: the spec stays as it is, comments and all, but the
 * business metric's baseline becomes the actual the review measured (unless the service made it
 * worse, when the old baseline still holds), and the ranked backlog becomes review.iteration.focus.
 */
import { dirname } from 'node:path';
import { displayPath } from '../fs/paths.js';
import { locateSpec } from '../spec/locate.js';
import { UserError } from '../errors.js';
import { editSpecFile, applyEdits, type SpecEdit } from '../spec/edit.js';
import { unifiedDiff } from '../text/diff.js';
import { loadSpecFile } from '../spec/load.js';
import type { Spec } from '../spec/schema.js';
import { readReviewsState, REVIEWS_FILE, type ReviewRecord } from '../state/reviews.js';

/** How many backlog items become the focus: the top of the ranking. */
export const MAX_FOCUS = 10;

export interface IterateOptions {
  cwd: string;
  dir?: string;
  spec?: string;
  dryRun?: boolean;
}

export interface IteratePlan {
  specFile: string;
  display: string;
  review: ReviewRecord;
  edits: SpecEdit[];
  /** Why the baseline moved or did not. */
  baseline: string;
  diff: string;
  changed: boolean;
}

/** The edits that start the next iteration from a review: pure. */
export function iterationEdits(spec: Spec, review: ReviewRecord): { edits: SpecEdit[]; baseline: string } {
  const { baseline, actual, name } = review.business;
  const direction = spec.business.metric.direction;
  const worse = actual !== undefined && (direction === 'increase' ? actual < baseline : actual > baseline);
  const edits: SpecEdit[] = [];
  let why: string;
  if (actual === undefined) why = `${name} was not measured: the baseline stays ${spec.business.metric.baseline}`;
  else if (worse) why = `${name} measured ${actual}, worse than the baseline: the baseline stays ${spec.business.metric.baseline}`;
  else {
    edits.push({ path: ['business', 'metric', 'baseline'], value: actual });
    why = `the baseline of ${name} becomes the measured ${actual} (was ${spec.business.metric.baseline})`;
  }
  if (!spec.review) edits.push({ path: ['review', 'owner'], value: spec.metadata.owner, onlyIfAbsent: true });
  edits.push({
    path: ['review', 'iteration'],
    value: {
      number: (spec.review?.iteration?.number ?? 1) + 1,
      from: review.date,
      ...(review.backlog.length > 0 ? { focus: review.backlog.slice(0, MAX_FOCUS).map((item) => item.title) } : {}),
    },
  });
  return { edits, baseline: why };
}

export async function planIterate(options: IterateOptions): Promise<IteratePlan> {
  const specFile = await locateSpec(options);
  const display = displayPath(specFile, options.cwd);
  const loaded = await loadSpecFile(specFile, display);
  if (!loaded.spec) {
    throw new UserError(`${display} is not a valid spec`, { hint: 'Run `shipshape check` and fix it before starting the next iteration.' });
  }
  const review = readReviewsState(dirname(specFile)).reviews.at(-1);
  if (!review) {
    throw new UserError(`${REVIEWS_FILE} holds no completed review to iterate from`, {
      hint: 'Run `shipshape review --complete` first: its backlog seeds the next iteration.',
    });
  }
  if (loaded.spec.review?.iteration?.from === review.date) {
    throw new UserError(`${display} already starts from the review of ${review.date}`, {
      hint: 'Complete the next review (`shipshape review --complete`) before starting another iteration.',
    });
  }
  const { edits, baseline } = iterationEdits(loaded.spec, review);
  const { text } = applyEdits(loaded.parsed.text, edits);
  return {
    specFile,
    display,
    review,
    edits,
    baseline,
    diff: unifiedDiff(loaded.parsed.text, text, display),
    changed: text !== loaded.parsed.text,
  };
}

export type IterateResult = IteratePlan & { written: boolean };

export async function runIterate(options: IterateOptions): Promise<IterateResult> {
  const plan = await planIterate(options);
  if (options.dryRun || !plan.changed) return { ...plan, written: false };
  const { changed } = await editSpecFile(plan.specFile, plan.edits);
  return { ...plan, written: changed };
}
