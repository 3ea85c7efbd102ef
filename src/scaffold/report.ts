/**
 * What `generate` reports, as one plain object: the `--json` output (no file contents, a diff
 * per file), and the source of the human view.
 */
import type { Paint } from '../text/paint.js';
import type { GenerateResult } from './run.js';
import type { TaskOutcome } from './tasks.js';
import type { Ownership, PackSource, PlanAction } from './types.js';

export interface GenerateReport {
  spec: string;
  root: string;
  dryRun: boolean;
  pack: { name: string; version: string; source: PackSource };
  specHash: string;
  files: { path: string; action: PlanAction; ownership: Ownership; reason?: string; reject?: string; diff: string }[];
  /** Files the previous manifest lists that the pack no longer makes: left in place. */
  orphaned: string[];
  summary: Record<PlanAction, number>;
  written: boolean;
  tasks: TaskOutcome[];
  manifest: string;
  exitCode: 0 | 1;
}

const ACTIONS: readonly PlanAction[] = ['create', 'update', 'merge', 'conflict', 'unchanged', 'skip'];

export function generateReport(result: GenerateResult): GenerateReport {
  const summary = Object.fromEntries(ACTIONS.map((action) => [action, 0])) as Record<PlanAction, number>;
  for (const entry of result.plan.entries) summary[entry.action]++;
  return {
    spec: result.spec,
    root: result.root,
    dryRun: result.dryRun,
    pack: result.plan.pack,
    specHash: result.plan.specHash,
    files: result.plan.entries.map((entry) => ({
      path: entry.path,
      action: entry.action,
      ownership: entry.ownership,
      ...(entry.reason ? { reason: entry.reason } : {}),
      ...(entry.reject ? { reject: entry.reject.path } : {}),
      diff: entry.diff,
    })),
    orphaned: result.plan.orphaned,
    summary,
    written: result.written,
    tasks: result.tasks,
    manifest: result.manifestPath,
    exitCode: result.exitCode,
  };
}

const WIDTH = 'unchanged'.length + 2;
const SUMMARY_WORDS: Record<PlanAction, [string, string]> = {
  create: ['created', 'to create'],
  update: ['updated', 'to update'],
  merge: ['merged', 'to merge'],
  conflict: ['in conflict', 'in conflict'],
  unchanged: ['unchanged', 'unchanged'],
  skip: ['skipped', 'to skip'],
};

/** The human view: lines for standard output, notes for standard error. */
export function formatGenerate(report: GenerateReport, paint: Paint): { out: string; notes: string[] } {
  const colour: Record<PlanAction, (s: string) => string> = {
    create: paint.green,
    update: paint.blue,
    merge: paint.blue,
    conflict: paint.red,
    unchanged: paint.dim,
    skip: paint.yellow,
  };
  let out = '';
  for (const file of report.files) {
    const reason = file.reason ? `  ${paint.dim(`(${file.reason})`)}` : '';
    out += `${colour[file.action](file.action.padEnd(WIDTH))}${file.path}${reason}\n`;
  }
  for (const path of report.orphaned)
    out += `${paint.yellow('orphaned'.padEnd(WIDTH))}${path}  ${paint.dim('(the pack no longer makes it; left in place)')}\n`;
  if (report.dryRun) {
    for (const file of report.files) if (file.diff) out += `\n${file.diff}`;
  }
  for (const task of report.tasks) {
    const took = task.seconds === undefined ? '' : ` in ${task.seconds} s`;
    const status =
      task.status === 'ran' ? paint.green(`ran${took}`) : task.status === 'failed' ? paint.red(`failed${took}`) : paint.yellow('skipped');
    out += `${'task'.padEnd(WIDTH)}${task.name}  ${paint.dim(task.command)}  ${status}${task.reason ? `  ${paint.dim(`(${task.reason})`)}` : ''}\n`;
  }
  const counts = ACTIONS.filter((action) => report.summary[action] > 0).map(
    (action) => `${report.summary[action]} ${SUMMARY_WORDS[action][report.dryRun ? 1 : 0]}`,
  );
  out += `\n${paint.bold(`${report.pack.name} ${report.pack.version}`)}: ${counts.join(', ') || 'no files'}\n`;

  return { out, notes: summaryNotes(report) };
}

/** What happened, said once: a dry run (and its conflicts), conflicts (with or without other writes), or nothing to do. */
function summaryNotes(report: GenerateReport): string[] {
  const conflicts = report.summary.conflict;
  if (report.dryRun) {
    return conflicts > 0
      ? [
          'Dry run: nothing was written.',
          'Some files are in conflict: see the reasons above (--force overwrites hand-edited managed files).',
        ]
      : ['Dry run: nothing was written.'];
  }
  if (conflicts > 0) {
    const inConflict = `${conflicts} file${conflicts === 1 ? ' is' : 's are'} in conflict`;
    const written = report.written ? 'The other changes were written, but ' : 'Nothing was written: ';
    return [
      `${written}${inConflict}. Resolve ${conflicts === 1 ? 'it' : 'them'} (see the reasons above), then run \`shipshape generate\` again.`,
    ];
  }
  return report.written ? [] : ['Everything was already up to date: nothing was written.'];
}
