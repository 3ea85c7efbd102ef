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
  return text === '' ? [] : text.split(/(?<=\n)/);
}

function diffLines(a: string[], b: string[]): DiffLine[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const middle: DiffLine[] = [];
  if ((x.length + 1) * (y.length + 1) > MAX_DIFF_CELLS) {
    middle.push(...x.map((text) => ({ op: '-' as const, text })), ...y.map((text) => ({ op: '+' as const, text })));
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
        middle.push({ op: ' ', text: x[i++]! });
        j++;
      } else if (j < y.length && (i === x.length || lcs[i * width + j + 1]! >= lcs[(i + 1) * width + j]!)) {
        middle.push({ op: '+', text: y[j++]! });
      } else {
        middle.push({ op: '-', text: x[i++]! });
      }
    }
  }
  return [
    ...a.slice(0, head).map((text) => ({ op: ' ' as const, text })),
    // Removals before additions inside a change, as diff(1) prints them.
    ...reorder(middle),
    ...a.slice(a.length - tail).map((text) => ({ op: ' ' as const, text })),
  ];
}

function reorder(lines: DiffLine[]): DiffLine[] {
  const out: DiffLine[] = [];
  let removed: DiffLine[] = [];
  let added: DiffLine[] = [];
  const flush = () => {
    out.push(...removed, ...added);
    removed = [];
    added = [];
  };
  for (const line of lines) {
    if (line.op === ' ') {
      flush();
      out.push(line);
    } else {
      (line.op === '-' ? removed : added).push(line);
    }
  }
  flush();
  return out;
}

/** A unified diff of two texts (for `--dry-run`), three lines of context; empty when they are equal. */
export function unifiedDiff(before: string, after: string, name: string): string {
  if (before === after) return '';
  const lines = diffLines(linesOf(before), linesOf(after));
  const context = 3;
  const changes = lines.flatMap((line, k) => (line.op === ' ' ? [] : [k]));
  const hunks: [number, number][] = [];
  for (const k of changes) {
    const from = Math.max(0, k - context);
    const to = Math.min(lines.length, k + context + 1);
    const last = hunks.at(-1);
    if (last && from <= last[1]) last[1] = to;
    else hunks.push([from, to]);
  }
  let out = `--- a/${name}\n+++ b/${name}\n`;
  for (const [from, to] of hunks) {
    const before = lines.slice(0, from);
    const oldStart = before.filter((line) => line.op !== '+').length;
    const newStart = before.filter((line) => line.op !== '-').length;
    const body = lines.slice(from, to);
    const oldCount = body.filter((line) => line.op !== '+').length;
    const newCount = body.filter((line) => line.op !== '-').length;
    const span = (start: number, count: number) => (count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`);
    out += `@@ -${span(oldStart, oldCount)} +${span(newStart, newCount)} @@\n`;
    for (const line of body) {
      const ended = line.text.endsWith('\n');
      out += `${line.op}${ended ? line.text.slice(0, -1) : line.text}\n`;
      if (!ended) out += '\\ No newline at end of file\n';
    }
  }
  return out;
}
