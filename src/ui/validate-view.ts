/** `validate`'s progress (a listr2 task per scenario) and its summary: expected against measured, per scenario. */
import { Listr } from 'listr2';
import type { Paint } from '../text/paint.js';
import type { ValidationReport } from '../state/validation-report.js';
import type { ValidateEvent } from '../validate/run.js';
import { listrOptions } from './tasks.js';

interface Deferred {
  promise: Promise<{ passed: boolean; summary: string }>;
  resolve(value: { passed: boolean; summary: string }): void;
  reject(error: unknown): void;
  setTitle?: (title: string) => void;
}

/**
 * A task list fed by the core's events: `onEvent` goes to runValidate, `finish` ends the list (with the error that
 * stopped the run, if one did).
 */
export function scenarioProgress(options: { json: boolean; verbose?: boolean }) {
  const tasks = new Map<string, Deferred>();
  let list: Promise<unknown> | undefined;
  const deferred = (): Deferred => {
    let resolve!: Deferred['resolve'];
    let reject!: Deferred['reject'];
    const promise = new Promise<{ passed: boolean; summary: string }>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined);
    return { promise, resolve, reject };
  };
  const onEvent = (event: ValidateEvent) => {
    if (event.type === 'plan') {
      for (const scenario of event.plan.scenarios) tasks.set(scenario.id, deferred());
      const listr = new Listr(
        event.plan.scenarios.map((scenario) => ({
          title: scenario.id,
          task: async (_ctx: unknown, task: { title: string }) => {
            const entry = tasks.get(scenario.id)!;
            entry.setTitle = (title) => (task.title = title);
            entry.setTitle(
              `${scenario.id}: ${scenario.rps} rps for ${scenario.durationSeconds} s${scenario.fault ? `, ${scenario.fault.type} on ${scenario.fault.target}` : ''}`,
            );
            const { passed, summary } = await entry.promise;
            task.title = `${scenario.id}: ${summary}`;
            if (!passed) throw new Error(`${scenario.id}: ${summary}`);
          },
        })),
        listrOptions(options),
      );
      list = listr.run().catch(() => undefined);
    } else if (event.type === 'phase') {
      const entry = tasks.get(event.id);
      const what = { starting: 'building the service', baseline: 'baseline (no fault)', load: 'under load with the fault' }[event.phase];
      entry?.setTitle?.(`${event.id}: ${what}`);
    } else {
      const failed = (event.result.verdicts ?? []).filter((verdict) => !verdict.passed).map((verdict) => verdict.name);
      tasks
        .get(event.id)
        ?.resolve({ passed: event.result.passed, summary: event.result.passed ? 'passed' : `failed (${failed.join(', ')})` });
    }
  };
  const finish = async (error?: unknown) => {
    for (const entry of tasks.values()) entry.reject(error ?? new Error('not run'));
    await list;
  };
  return { onEvent, finish };
}

/** The summary table: one row per expectation, expected against measured (and the baseline with --baseline). */
export function formatValidation(report: ValidationReport, written: readonly string[], paint: Paint): string {
  const rows: string[][] = [];
  const baseline = report.scenarios.some((scenario) => scenario.baseline);
  for (const scenario of report.scenarios) {
    if (!scenario.verdicts) {
      rows.push([scenario.id, '(not run)', '', '', ...(baseline ? [''] : []), 'not run']);
      continue;
    }
    for (const verdict of scenario.verdicts) {
      const base = scenario.baseline as Record<string, unknown> | undefined;
      const baseValue = base?.[verdict.name];
      rows.push([
        scenario.id,
        verdict.name,
        verdict.expected,
        verdict.measured,
        ...(baseline ? [typeof baseValue === 'number' ? String(baseValue) : ''] : []),
        verdict.passed ? 'pass' : 'FAIL',
      ]);
    }
  }
  const header = ['scenario', 'expectation', 'expected', 'measured', ...(baseline ? ['baseline'] : []), ''];
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [paint.bold(line(header))];
  for (const row of rows) {
    const text = line(row);
    out.push(row.at(-1) === 'pass' ? text : paint.red(text));
  }
  out.push('');
  const scale =
    report.durationScale !== undefined && report.durationScale < 1 ? ` (shortened: --duration-scale ${report.durationScale})` : '';
  out.push(report.passed ? paint.green(`Every scenario passed${scale}.`) : paint.red(`Validation failed${scale}.`));
  if (report.passed && report.complete === false) out.push(paint.dim('Recorded, but stage 5 needs every scenario at full duration.'));
  for (const file of written) out.push(paint.dim(`wrote ${file}`));
  return `${out.join('\n')}\n`;
}
