/** The default human format, after ESLint's stylish: a block per file, aligned columns, a summary. */
import type { CheckResult, Finding } from '../types.js';
import type { Paint } from '../../text/paint.js';
import type { FormatOptions } from './index.js';
import { compareFindings, summaryText, waiverText } from './shared.js';
import { oneLine } from '../../text/printable.js';

interface Row {
  line: string;
  column: string;
  label: string;
  colour: (s: string) => string;
  message: string;
  ruleId: string;
  note?: string;
}

function rowOf(finding: Finding, paint: Paint): Row {
  const base = {
    line: String(finding.range.line),
    column: String(finding.range.column),
    message: oneLine(finding.message),
    ruleId: finding.ruleId,
  };
  if (finding.exception)
    return { ...base, label: 'waived', colour: paint.green, note: `Waived: ${oneLine(waiverText(finding.exception))}` };
  const hint = finding.hint ? { note: `Try this: ${oneLine(finding.hint)}` } : {};
  if (finding.severity === 'error') return { ...base, label: 'error', colour: paint.red, ...hint };
  if (finding.severity === 'warn') return { ...base, label: 'warning', colour: paint.yellow, ...hint };
  return { ...base, label: 'info', colour: paint.blue, ...hint };
}

const widest = (values: string[]): number => Math.max(0, ...values.map((value) => value.length));

export function stylish(result: CheckResult, { paint }: FormatOptions): string {
  // A block per file a finding is in: a spec, or a project file a spec's check is about (a
  // managed file edited by hand), which gets its own heading rather than the spec's.
  const byFile = new Map<string, Finding[]>();
  for (const finding of result.results.flatMap((file) => file.findings).sort(compareFindings)) {
    const findings = byFile.get(finding.file);
    if (findings) findings.push(finding);
    else byFile.set(finding.file, [finding]);
  }
  const blocks: string[] = [];
  for (const [file, findings] of byFile) {
    const rows = findings.map((finding) => rowOf(finding, paint));
    const lineWidth = widest(rows.map((row) => row.line));
    const columnWidth = widest(rows.map((row) => row.column));
    const labelWidth = widest(rows.map((row) => row.label));
    const messageWidth = widest(rows.map((row) => row.message));
    // The note sits under the severity, so the eye can run down the location column undisturbed.
    const noteIndent = ' '.repeat(2 + lineWidth + 1 + columnWidth + 2);
    const lines = [paint.underline(oneLine(file))];
    for (const row of rows) {
      // Right-aligned line, left-aligned column: the colons line up, as in ESLint.
      const location = paint.dim(`${row.line.padStart(lineWidth)}:${row.column.padEnd(columnWidth)}`);
      lines.push(
        `  ${location}  ${row.colour(row.label.padEnd(labelWidth))}  ${row.message.padEnd(messageWidth)}  ${paint.dim(row.ruleId)}`,
      );
      if (row.note) lines.push(paint.dim(`${noteIndent}${row.note}`));
    }
    blocks.push(lines.join('\n'));
  }

  const summary = summaryText(result);
  const { errors, warnings } = result.summary;
  const tail: string[] = [];
  if (!summary.problems) {
    tail.push(paint.green(paint.bold(`✔ ${summary.headline}`)));
  } else {
    const colour = errors > 0 || summary.unreadable ? paint.red : warnings > 0 ? paint.yellow : paint.blue;
    tail.push(colour(paint.bold(`✖ ${summary.headline}`)));
    if (summary.unreadable) tail.push(paint.red(paint.bold(`✖ ${summary.unreadable}`)));
  }
  return [...blocks, tail.join('\n')].join('\n\n') + '\n';
}
