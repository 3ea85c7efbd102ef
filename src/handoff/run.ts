/**
 * `shipshape runbook` end to end: load the spec and the project's records, plan every file of
 * stage 7 in memory (the runbook, the rules and their tests, the dashboard), then write them
 * unless it is a dry run. A file that exists and was not written by `runbook` is refused without
 * --force, before anything is written.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { displayPath } from '../fs/paths.js';
import { locateSpec } from '../spec/locate.js';
import { UserError } from '../errors.js';
import { writeFilesAtomic } from '../fs/atomic.js';
import { unifiedDiff } from '../text/diff.js';
import { loadValidSpec } from '../spec/load.js';
import type { Spec } from '../spec/schema.js';
import { DEPLOYMENTS_FILE, parseDeployments, parseValidationReport, VALIDATION_REPORT_FILE } from '../stages/records.js';
import { alertsOf } from './alerts.js';
import { DASHBOARD_FILE, renderDashboard } from './dashboard.js';
import { renderRules, renderRulesTests, RULES_FILE, RULES_TEST_FILE } from './rules.js';
import { renderRunbook, RUNBOOK_FILE, type RunbookRecords } from './runbook.js';
import { readTextBounded } from '../fs/read.js';

/** What every file `runbook` writes says about itself: a file without it is someone else's. */
const SIGNATURE = /shipshape runbook/;

export interface HandoffOptions {
  cwd: string;
  dir?: string;
  spec?: string;
  dryRun: boolean;
  /** Overwrite files that exist but were not written by `runbook`. */
  force: boolean;
}

export type HandoffFileKind = 'runbook' | 'rules' | 'rules-test' | 'dashboard';

export interface HandoffFile {
  kind: HandoffFileKind;
  /** Relative to the project root, forward slashes. */
  path: string;
  display: string;
  before: string | undefined;
  content: string;
  changed: boolean;
  /** Exists, and was not written by `runbook`. */
  foreign: boolean;
}

export interface HandoffPlan {
  specFile: string;
  root: string;
  alerts: { name: string; severity: string; anchor: string }[];
  files: HandoffFile[];
  notes: string[];
}

export interface HandoffResult {
  plan: HandoffPlan;
  dryRun: boolean;
  diff?: string;
  written: string[];
}

async function readIfFile(path: string): Promise<string | undefined> {
  try {
    if (!(await stat(path)).isFile()) throw new UserError(`${path} is not a regular file`, { hint: 'Move it out of the way.' });
    return await readTextBounded(path);
  } catch (error) {
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

/** The validation report and deployment history, when they exist and parse; a note otherwise. */
export async function readRecords(root: string, notes: string[]): Promise<RunbookRecords> {
  const records: RunbookRecords = {};
  const json = async (file: string): Promise<{ value: unknown; mtime: Date } | undefined> => {
    const path = join(root, file);
    const text = await readIfFile(path).catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      return { value: JSON.parse(text), mtime: (await stat(path)).mtime };
    } catch {
      notes.push(`${file} is not valid JSON: left out of the runbook`);
      return undefined;
    }
  };
  const validation = await json(VALIDATION_REPORT_FILE);
  if (validation) {
    const parsed = parseValidationReport(validation.value);
    if ('value' in parsed) records.validation = { report: parsed.value, date: validation.mtime };
    else notes.push(`${VALIDATION_REPORT_FILE} ${parsed.error}: left out of the runbook`);
  }
  const deployments = await json(DEPLOYMENTS_FILE);
  if (deployments) {
    const parsed = parseDeployments(deployments.value);
    if ('value' in parsed) records.deployments = parsed.value;
    else notes.push(`${DEPLOYMENTS_FILE} ${parsed.error}: left out of the runbook`);
  }
  return records;
}

/** The contents of every file, from the spec alone plus the records and the runbook's keep blocks. */
export function renderHandoff(
  spec: Spec,
  specName: string,
  records: RunbookRecords,
  existingRunbook?: string,
): Record<HandoffFileKind, { path: string; content: string }> {
  return {
    runbook: {
      path: RUNBOOK_FILE,
      content: renderRunbook({ spec, specName, records, ...(existingRunbook === undefined ? {} : { existing: existingRunbook }) }),
    },
    rules: { path: RULES_FILE, content: renderRules(spec, specName) },
    'rules-test': { path: RULES_TEST_FILE, content: renderRulesTests(spec, specName) },
    dashboard: { path: DASHBOARD_FILE, content: renderDashboard(spec) },
  };
}

export async function planHandoff(options: HandoffOptions): Promise<HandoffPlan> {
  const specFile = await locateSpec(options);
  const display = (path: string) => displayPath(path, options.cwd);
  const { spec } = await loadValidSpec(specFile, display(specFile), 'runbook');
  const root = resolve(specFile, '..');
  const specName = relative(root, specFile).split(sep).join('/');
  const notes: string[] = [];
  const records = await readRecords(root, notes);
  const existingRunbook = await readIfFile(join(root, RUNBOOK_FILE));
  const rendered = renderHandoff(spec, specName, records, existingRunbook);
  const files: HandoffFile[] = [];
  for (const [kind, { path, content }] of Object.entries(rendered) as [HandoffFileKind, { path: string; content: string }][]) {
    const before = kind === 'runbook' ? existingRunbook : await readIfFile(join(root, path));
    files.push({
      kind,
      path,
      display: display(join(root, path)),
      before,
      content,
      changed: before !== content,
      foreign: before !== undefined && !SIGNATURE.test(before),
    });
  }
  return {
    specFile,
    root,
    alerts: alertsOf(spec).map((alert) => ({ name: alert.name, severity: alert.severity, anchor: alert.anchor })),
    files,
    notes,
  };
}

export function handoffDiff(plan: HandoffPlan): string {
  return plan.files
    .filter((file) => file.changed)
    .map((file) => unifiedDiff(file.before ?? '', file.content, file.display))
    .join('\n');
}

/**
 * Writes every file, or none: a foreign file without --force stops the run before any write, and
 * a failure while writing leaves every file as it was (writeAllOrNothing).
 * Unchanged files are written too, so they are newer than the spec (status and check compare).
 */
export async function applyHandoff(plan: HandoffPlan, force: boolean): Promise<HandoffFile[]> {
  const foreign = plan.files.filter((file) => file.foreign && file.changed);
  if (foreign.length > 0 && !force) {
    throw new UserError(
      `${foreign.map((file) => file.display).join(', ')} exist${foreign.length === 1 ? 's' : ''} and ${foreign.length === 1 ? 'was' : 'were'} not written by shipshape runbook`,
      {
        hint: 'Move them aside, or pass --force to replace them (see the changes first with --dry-run).',
      },
    );
  }
  for (const file of plan.files) await mkdir(dirname(join(plan.root, file.path)), { recursive: true });
  // The four files land together or not at all.
  await writeFilesAtomic(plan.files.map((file) => ({ path: join(plan.root, file.path), content: file.content, display: file.path })));
  return plan.files;
}

export async function runHandoff(options: HandoffOptions): Promise<HandoffResult> {
  const plan = await planHandoff(options);
  if (options.dryRun) return { plan, dryRun: true, diff: handoffDiff(plan), written: [] };
  const written = await applyHandoff(plan, options.force);
  return { plan, dryRun: false, written: written.map((file) => file.display) };
}
