/** Markdown for the generated files (ADR, runbook, review, docs/rules.md, docs/spec.md). */
import { oneLine } from './printable.js';

/**
 * Text made safe for one cell of a Markdown table (GFM): one line (a line break would end the row),
 * controls escaped, and every pipe escaped, with any backslashes before it doubled so that the
 * escape is the pipe's (`a\|b` stays one cell). Backticks need nothing: a cell is split before its
 * code spans are read, so an odd one stays a literal backtick in its own cell.
 */
export function cell(text: string): string {
  return oneLine(text).replace(/(\\*)\|/g, (_match, slashes: string) => `${slashes}${slashes}\\|`);
}
