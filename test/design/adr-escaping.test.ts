/**
 * Issue 12: newlines, pipes, backticks and quotes in spec text keep the ADR's Markdown tables and
 * the Mermaid diagram whole. Checked by reading the output back: every row of a table has the
 * header's cells (split as GFM splits them), and every diagram statement is one line whose labels
 * hold no raw quote, backtick, angle bracket or line break.
 */
import { describe, expect, it } from 'vitest';
import { architectureDiagram, renderAdr } from '../../src/design/adr.js';
import { budgetOf } from '../../src/design/tables.js';
import { cell } from '../../src/text/markdown.js';
import { mermaidLabel } from '../../src/text/mermaid.js';
import { example } from './helpers.js';

const today = new Date('2026-11-24T12:00:00Z');
const NASTY = 'two\nlines | a pipe \\| an escaped one \\\\| `code | span` an odd ` tick "quoted" #35; <b>bold</b>\r\nend';

/** The cells of a GFM table row: split at pipes not escaped by a backslash. */
function cellsOf(row: string): string[] {
  const cells: string[] = [];
  let current = '';
  for (let i = 0; i < row.length; i++) {
    const char = row[i]!;
    if (char === '\\' && i + 1 < row.length) {
      current += char + row[i + 1]!;
      i++;
    } else if (char === '|') {
      cells.push(current);
      current = '';
    } else current += char;
  }
  cells.push(current);
  // The leading and trailing pipes make an empty first and last piece.
  return cells.slice(1, -1);
}

/** Every table of a Markdown text: runs of lines that start with a pipe. */
function tablesOf(markdown: string): string[][] {
  const tables: string[][] = [];
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) (current ??= []).push(line);
    else if (current) {
      tables.push(current);
      current = undefined;
    }
  }
  if (current) tables.push(current);
  return tables;
}

function nastySpec() {
  const spec = example();
  spec.business.successCriteria![0]!.description = NASTY;
  spec.failureModes![0]!.description = NASTY;
  spec.models!.tiers[0]!.model = NASTY;
  return spec;
}

describe('spec text in the ADR and the diagram', () => {
  it('a table cell is one cell on one line, whatever the text', () => {
    const row = `| ${cell(NASTY)} | next |`;
    expect(row).not.toContain('\n');
    expect(cellsOf(row)).toHaveLength(2);
    expect(cellsOf(`| ${cell('a\\')} | b |`)).toHaveLength(2);
  });

  it("keeps every table of the ADR whole: each row has its header's cells", () => {
    const spec = nastySpec();
    const adr = renderAdr({ spec, budget: budgetOf(spec), specFile: 'shipshape.yaml', today });
    const tables = tablesOf(adr);
    expect(tables.length).toBeGreaterThan(3);
    for (const table of tables) {
      const width = cellsOf(table[0]!).length;
      for (const row of table) expect(cellsOf(row), row).toHaveLength(width);
    }
    // The text is all there, on its row.
    expect(adr).toContain('two lines \\| a pipe \\\\\\| an escaped one');
  });

  it('keeps every diagram statement on one line, its labels closed', () => {
    const diagram = architectureDiagram(nastySpec());
    const lines = diagram.trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    for (const line of lines.slice(1)) {
      expect(line).toMatch(/^ {2}\S/);
      // Quotes come in pairs, and no label holds a backtick, an angle bracket or a raw control.
      expect((line.match(/"/g) ?? []).length % 2, line).toBe(0);
      for (const label of line.match(/"[^"]*"/g) ?? []) expect(label).not.toMatch(/[`<>\r\n]/);
    }
    expect(diagram).toContain(mermaidLabel(`fast: ${NASTY} (local, 50 ms)`));
    expect(mermaidLabel('a "b" #1')).toBe('"a #quot;b#quot; #35;1"');
  });
});
