/** Markdown helpers for the generated references (docs/rules.md, docs/spec.md). */

/** Text made safe for one cell of a Markdown table: one line, pipes escaped. */
export function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}
