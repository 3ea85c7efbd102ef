/** The human view of a status: a table of the eight stages, then the next command. Colour comes in through a Paint. */
import { join } from 'node:path';
import type { Paint } from '../text/paint.js';
import { oneLine } from '../text/printable.js';
import type { ProjectStatus, StageReport } from './status.js';
import type { StageState } from './types.js';

/** Symbols and words both: the words survive NO_COLOR and a log file, the symbols scan fast. */
export const STATE_LABEL: Record<StageState, string> = {
  done: '✔ done',
  'in-progress': '◐ in progress',
  'not-started': '○ not started',
};

/**
 * The one line of evidence the table shows: all of it when done, else the first thing missing.
 * Evidence quotes state files (a parse error echoes their bytes): one line, controls escaped.
 */
export function evidenceLine(stage: StageReport): string {
  if (stage.state === 'done') return oneLine(stage.evidence.map((item) => item.detail).join('; '));
  const against = stage.evidence.filter((item) => !item.ok);
  const first = against[0]?.detail ?? '';
  return oneLine(against.length > 1 ? `${first} (+${against.length - 1} more)` : first);
}

const commandOf = (stage: StageReport): string => (stage.available ? stage.command : `${stage.command} (coming)`);

export function formatStatus(status: ProjectStatus, paint: Paint): string {
  const colour: Record<StageState, (s: string) => string> = { done: paint.green, 'in-progress': paint.yellow, 'not-started': paint.dim };
  const header = ['#', 'Stage', 'State', 'Command', 'Evidence'];
  const rows = status.stages.map((stage) => [
    String(stage.number),
    stage.title,
    STATE_LABEL[stage.state],
    commandOf(stage),
    evidenceLine(stage),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const pad = (cells: string[], paintCell: (cell: string, i: number) => string = (cell) => cell) =>
    `  ${cells.map((cell, i) => paintCell(i === cells.length - 1 ? cell : cell.padEnd(widths[i]!), i)).join('  ')}`.trimEnd();

  const lines: string[] = [];
  lines.push(
    status.spec
      ? `${paint.bold('shipshape status')} ${join(status.root, status.spec)}`
      : `${paint.bold('shipshape status')} ${status.root}: no spec yet`,
  );
  lines.push('');
  lines.push(paint.dim(pad(header)));
  status.stages.forEach((stage, k) => lines.push(pad(rows[k]!, (cell, i) => (i === 2 ? colour[stage.state](cell) : cell))));

  const coming = status.stages.filter((stage) => !stage.available && stage.state !== 'done');
  if (coming.length > 0) {
    lines.push('');
    lines.push(paint.dim('Coming in a later release:'));
    for (const stage of coming) {
      lines.push(paint.dim(`  ${stage.number}  shipshape ${stage.command} will leave ${stage.leaves}. Done when: ${stage.proof}`));
    }
  }

  lines.push('');
  lines.push(`${status.done} of ${status.stages.length} stages done.`);
  const { next } = status;
  if (!next) {
    lines.push(paint.green('All eight stages are done.'));
  } else {
    const why = next.why ? ` (${next.why})` : '';
    lines.push(paint.bold(`Next: ${next.line}${next.available ? '' : ' (coming)'}`) + why);
  }
  return `${lines.join('\n')}\n`;
}
