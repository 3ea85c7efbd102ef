/** What the formatters have in common: ordering, paths relative to cwd, the summary sentence. */
import type { CheckResult, FileResult, Finding } from '../types.js';
import { insideRoot } from '../../fs/paths.js';

// Code-point order rather than locale order: reports must not change with the machine's locale.
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.file, b.file) ||
    a.range.line - b.range.line ||
    a.range.column - b.range.column ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.message, b.message)
  );
}

/** The file results sorted by file, each with its findings sorted by line then column. */
export function sortedResults(result: CheckResult): FileResult[] {
  return [...result.results]
    .sort((a, b) => compareText(a.file, b.file))
    .map((file) => ({ ...file, findings: [...file.findings].sort(compareFindings) }));
}

/** The path relative to cwd with forward slashes, or undefined when it lies outside cwd. */
export const relativeToCwd = (file: string, cwd: string): string | undefined => insideRoot(cwd, file);

export const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

export function waiverText(exception: NonNullable<Finding['exception']>): string {
  return `${exception.reason} (owner: ${exception.owner}, expires ${exception.expires})`;
}

export interface SummaryText {
  /** False when there is nothing to report: no problem and no unreadable file. */
  problems: boolean;
  /** `5 problems (2 errors, 3 warnings), 1 waived by policy exceptions` or `3 specs checked, no problems`. */
  headline: string;
  /** `1 file could not be read`, when one could not. */
  unreadable?: string;
}

export function summaryText(result: CheckResult): SummaryText {
  const { files, errors, warnings, infos, exceptions, unreadable } = result.summary;
  const total = errors + warnings + infos;
  const waived = exceptions > 0 ? `${plural(exceptions, 'finding')} waived by policy exceptions` : '';
  let headline: string;
  if (total === 0) {
    headline = `${plural(files, 'spec')} checked, no problems${waived ? ` (${waived})` : ''}`;
  } else {
    const counts = [plural(errors, 'error'), plural(warnings, 'warning'), ...(infos > 0 ? [`${infos} info`] : [])];
    headline = `${plural(total, 'problem')} (${counts.join(', ')})${exceptions > 0 ? `, ${exceptions} waived by policy exceptions` : ''}`;
  }
  return {
    problems: total > 0 || unreadable > 0,
    headline,
    ...(unreadable > 0 ? { unreadable: `${plural(unreadable, 'file')} could not be read` } : {}),
  };
}
