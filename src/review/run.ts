/**
 * `shipshape review` end to end. Plan: load the spec and the deployment history, measure the
 * actuals from one source, assess them and render the review (and, with --complete, the record
 * of its decision). Apply: write what changed. A dry run stops after the plan.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { displayPath } from '../fs/paths.js';
import { locateSpec } from '../spec/locate.js';
import { UserError } from '../errors.js';
import { writeFilesAtomic, type FileWrite } from '../fs/atomic.js';
import { loadValidSpec } from '../spec/load.js';
import type { Spec } from '../spec/schema.js';
import { specHash } from '../stages/hash.js';
import { Project } from '../stages/project.js';
import { daysUntil, reviewAfterDays, reviewDue } from '../stages/review.js';
import { readReviewsState, REVIEWS_FILE, serializeReviews, withReview, type ReviewRecord } from '../state/reviews.js';
import { metricQueries } from './actuals.js';
import { assessReview, type Assessment, type Decision } from './assess.js';
import { deploymentHistory, DEPLOYMENTS_FILE } from './history.js';
import { reviewFile, reviewText } from './render.js';
import { SOURCES, type AskNumber, type SourceKind } from './sources/index.js';
import { readTextBounded } from '../fs/read.js';

export type SourceChoice =
  { kind: 'prometheus'; url: string; timeoutMs?: number } | { kind: 'file'; file: string } | { kind: 'interactive'; ask: AskNumber };

export interface ReviewOptions {
  cwd: string;
  dir?: string;
  spec?: string;
  source: SourceChoice;
  /** The day the review is about (--date); default: now. */
  today?: Date;
  /** Record the decision in .shipshape/reviews.json. */
  complete: boolean;
  /** Overrides the rule's decision. */
  decision?: Decision;
  dryRun: boolean;
  signal?: AbortSignal;
}

export interface PlannedWrite {
  /** Project-relative. */
  file: string;
  path: string;
  content: string;
  changed: boolean;
}

export interface ReviewPlan {
  assessment: Assessment;
  /** The review file, project-relative. */
  file: string;
  writes: PlannedWrite[];
  record?: ReviewRecord;
  notes: string[];
}

export interface ReviewResult extends ReviewPlan {
  dryRun: boolean;
  /** The files written, project-relative. */
  written: string[];
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readTextBounded(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
      hint: 'Check its permissions.',
    });
  }
}

async function loadSpec(specFile: string, display: string): Promise<{ spec: Spec; data: unknown; bytes: string }> {
  const { spec, loaded } = await loadValidSpec(specFile, display, 'review');
  return { spec, data: loaded.parsed.data, bytes: loaded.parsed.text };
}

export async function planReview(options: ReviewOptions): Promise<ReviewPlan> {
  const specFile = await locateSpec(options);
  const display = (path: string) => displayPath(path, options.cwd);
  const { spec, data, bytes } = await loadSpec(specFile, display(specFile));
  const project = new Project(specFile);
  const history = await deploymentHistory(project);
  const due = reviewDue(history, reviewAfterDays(data));
  if (!due) {
    throw new UserError(`${DEPLOYMENTS_FILE} holds no promoted deployment: there is nothing in production to review yet`, {
      hint: 'Run `shipshape deploy` first; the review falls due review.afterDays after the last promotion.',
    });
  }
  const today = options.today ?? new Date();
  const notes: string[] = [];
  const left = daysUntil(due.due, today);
  if (left > 0)
    notes.push(`The review is not due until ${due.due} (in ${left} days); a review dated before then does not complete stage 8.`);

  const kind: SourceKind = options.source.kind;
  const source = SOURCES[kind];
  const sourceOptions = {
    queries: metricQueries(spec, data),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.source.kind === 'prometheus'
      ? { url: options.source.url, ...(options.source.timeoutMs ? { timeoutMs: options.source.timeoutMs } : {}) }
      : options.source.kind === 'file'
        ? { file: options.source.file, display: display(options.source.file) }
        : { ask: options.source.ask }),
  };
  const actuals = await source.read(sourceOptions);
  const assessment = assessReview({
    spec,
    actuals,
    history,
    due,
    today,
    source: source.describe(sourceOptions),
    ...(options.decision ? { decision: options.decision } : {}),
  });

  const file = reviewFile(assessment.date);
  const path = project.path(file);
  const existing = await readIfExists(path);
  const content = reviewText(assessment, project.specName, existing);
  const writes: PlannedWrite[] = [{ file, path, content, changed: content !== existing }];
  let record: ReviewRecord | undefined;
  if (options.complete) {
    record = {
      date: assessment.date,
      file,
      decision: assessment.decision,
      ruled: assessment.ruled,
      specHash: specHash(bytes),
      completedAt: (options.today ?? new Date()).toISOString(),
      business: {
        name: assessment.business.name,
        baseline: assessment.business.baseline,
        target: assessment.business.target,
        ...(assessment.business.actual === undefined ? {} : { actual: assessment.business.actual }),
      },
      failedCriteria: assessment.criteria.filter((c) => c.verdict === 'missed').map((c) => c.name),
      backlog: assessment.backlog,
    };
    const state = withReview(readReviewsState(project.root), record);
    const statePath = project.path(REVIEWS_FILE);
    const before = await readIfExists(statePath);
    const text = serializeReviews(state);
    writes.push({ file: REVIEWS_FILE, path: statePath, content: text, changed: text !== before });
  }
  return { assessment, file, writes, ...(record ? { record } : {}), notes };
}

export async function applyReview(plan: ReviewPlan): Promise<string[]> {
  const written: string[] = [];
  const writes: FileWrite[] = [];
  for (const write of plan.writes) {
    if (!write.changed) continue;
    await mkdir(dirname(write.path), { recursive: true });
    writes.push({ path: write.path, content: write.content, display: write.file });
    written.push(write.file);
  }
  await writeFilesAtomic(writes);
  return written;
}

export async function runReview(options: ReviewOptions): Promise<ReviewResult> {
  const plan = await planReview(options);
  if (options.dryRun) return { ...plan, dryRun: true, written: [] };
  return { ...plan, dryRun: false, written: await applyReview(plan) };
}
