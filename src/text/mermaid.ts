/** Mermaid for the architecture diagram (the ADR, docs/architecture.mmd, the runbook). */
import { oneLine } from './printable.js';

/**
 * A node label as Mermaid reads it: in double quotes, on one line (a line break ends the
 * statement), with the characters that close or change it as entity codes: `#` first (it starts
 * an entity code), the quote, a backtick (a "`...`" label is Markdown), `<` and `>` (HTML).
 */
export function mermaidLabel(text: string): string {
  const escaped = oneLine(text)
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/`/g, '#96;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;');
  return `"${escaped}"`;
}
