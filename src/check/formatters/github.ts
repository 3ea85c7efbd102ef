/**
 * GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff.
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */
import type { CheckResult, Finding, Severity } from '../types.js';
import type { FormatOptions } from './index.js';
import { relativeToCwd, sortedResults, summaryText, waiverText } from './shared.js';

const COMMANDS: Record<Severity, string> = { error: 'error', warn: 'warning', info: 'notice' };

// The runner splits a command at `::` and its properties at `,`, then un-escapes exactly these
// sequences; `%` goes first so that the escapes themselves survive.
const escapeData = (value: string): string => value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (value: string): string => escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');

function annotation(finding: Finding, cwd: string): string {
  const { line, column, endLine, endColumn } = finding.range;
  const properties: [string, string | number][] = [
    // Annotations attach to paths relative to the repository root, which is where CI runs.
    ['file', relativeToCwd(finding.file, cwd) ?? finding.file],
    ['line', line],
    ['col', column],
    ['endLine', endLine],
    ['endColumn', endColumn],
    ['title', `shipshape ${finding.ruleId}`],
  ];
  const command = finding.exception ? 'notice' : COMMANDS[finding.severity];
  const message = finding.exception
    ? `${finding.message} (waived: ${waiverText(finding.exception)})`
    : finding.hint
      ? `${finding.message}\nTry this: ${finding.hint}`
      : finding.message;
  const props = properties.map(([key, value]) => `${key}=${escapeProperty(String(value))}`).join(',');
  return `::${command} ${props}::${escapeData(message)}`;
}

export function github(result: CheckResult, options: FormatOptions): string {
  const lines = sortedResults(result).flatMap((file) => file.findings.map((finding) => annotation(finding, options.cwd)));
  const summary = summaryText(result);
  // A line that starts with `::` would be read as a command; the summary never does.
  lines.push(`shipshape: ${summary.headline}${summary.unreadable ? `; ${summary.unreadable}` : ''}`);
  return `${lines.join('\n')}\n`;
}
