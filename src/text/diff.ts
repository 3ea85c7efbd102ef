/**
 * A unified diff of two texts, as `--dry-run` shows what a command would change: a minimal
 * line diff (longest common subsequence) with three lines of context.
 */

/** Beyond this many cells the diff gives up on a minimal answer and shows the block as replaced. */
const MAX_DIFF_CELLS = 4_000_000;

interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** Lines with their terminators, so a missing final newline is a difference like any other. */
function linesOf(text: string): string[] {
  const lines: string[] = [];
  for (let start = 0; start < text.length;) {
    const end = text.indexOf('\n', start);
    const next = end === -1 ? text.length : end + 1;
    lines.push(text.slice(start, next));
    start = next;
  }
  return lines;
}

function diffLines(a: string[], b: string[]): DiffLine[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const out: DiffLine[] = [];
  for (let k = 0; k < head; k++) out.push({ op: ' ', text: a[k]! });
  // Removals before additions inside a change, as diff(1) prints them.
  let removed: DiffLine[] = [];
  let added: DiffLine[] = [];
  const flush = () => {
    for (const line of removed) out.push(line);
    for (const line of added) out.push(line);
    removed = [];
    added = [];
  };
  if (x.length === 0 || y.length === 0 || (x.length + 1) * (y.length + 1) > MAX_DIFF_CELLS) {
    for (const text of x) removed.push({ op: '-', text });
    for (const text of y) added.push({ op: '+', text });
  } else {
    // lcs[i][j]: the longest common subsequence of x[i..] and y[j..].
    const width = y.length + 1;
    const lcs = new Uint32Array((x.length + 1) * width);
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) {
        lcs[i * width + j] =
          x[i] === y[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) {
        flush();
        out.push({ op: ' ', text: x[i++]! });
        j++;
      } else if (j < y.length && (i === x.length || lcs[i * width + j + 1]! >= lcs[(i + 1) * width + j]!)) {
        added.push({ op: '+', text: y[j++]! });
      } else {
        removed.push({ op: '-', text: x[i++]! });
      }
    }
  }
  flush();
  for (let k = a.length - tail; k < a.length; k++) out.push({ op: ' ', text: a[k]! });
  return out;
}

/** A unified diff of two texts (for `--dry-run`), three lines of context; empty when they are equal. */
export function unifiedDiff(before: string, after: string, name: string): string {
  if (before === after) return '';
  const lines = diffLines(linesOf(before), linesOf(after));
  const context = 3;
  const hunks: [number, number][] = [];
  for (let k = 0; k < lines.length; k++) {
    if (lines[k]!.op === ' ') continue;
    const from = Math.max(0, k - context);
    const to = Math.min(lines.length, k + context + 1);
    const last = hunks.at(-1);
    if (last && from <= last[1]) last[1] = to;
    else hunks.push([from, to]);
  }
  let out = `--- a/${name}\n+++ b/${name}\n`;
  // Lines of each side before the current hunk, counted once over the whole diff.
  let at = 0;
  let oldStart = 0;
  let newStart = 0;
  for (const [from, to] of hunks) {
    for (; at < from; at++) {
      if (lines[at]!.op !== '+') oldStart++;
      if (lines[at]!.op !== '-') newStart++;
    }
    let oldCount = 0;
    let newCount = 0;
    let body = '';
    for (let k = from; k < to; k++) {
      const line = lines[k]!;
      if (line.op !== '+') oldCount++;
      if (line.op !== '-') newCount++;
      const ended = line.text.endsWith('\n');
      body += `${line.op}${ended ? line.text.slice(0, -1) : line.text}\n`;
      if (!ended) body += '\\ No newline at end of file\n';
    }
    const span = (start: number, count: number) => (count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`);
    out += `@@ -${span(oldStart, oldCount)} +${span(newStart, newCount)} @@\n${body}`;
  }
  return out;
}
