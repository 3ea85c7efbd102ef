import { defineRule } from './util.js';
import type { RuleReport } from '../types.js';

const OPEN = /^<{7}(?: |$)/;
const CLOSE = /^>{7}(?: |$)/;

/** The 1-based first and last lines of each conflict block in `text`. */
export function conflictBlocks(text: string): { from: number; to: number }[] {
  const blocks: { from: number; to: number }[] = [];
  let open: number | undefined;
  text.split('\n').forEach((line, i) => {
    if (OPEN.test(line)) open ??= i + 1;
    else if (CLOSE.test(line) && open !== undefined) {
      blocks.push({ from: open, to: i + 1 });
      open = undefined;
    }
  });
  return blocks;
}

export const mergeConflicts = defineRule({
  id: 'merge-conflicts',
  description: 'No file that generate merges holds an unresolved conflict: no conflict markers in it, no .rej file beside it.',
  defaultSeverity: 'error',
  stage: 3,
  rationale:
    "When a re-generation or a pack upgrade changes lines of a merged file (package.json, say) that the project changed too, `generate` writes both versions between conflict markers (or, with `--conflict rej`, leaves the pack's hunks in a .rej file) and exits 1. A file left that way does not parse or build, or quietly lacks the pack's change; CI should stop it at review, before a build fails on it somewhere else.",
  hint: 'Resolve it: keep the lines you want between <<<<<<< and >>>>>>> and delete the markers (or apply the hunks of the .rej file by hand and delete it), then run `shipshape generate` again.',
  examples: {
    pass: `// package.json (merged): the pack's new script and yours, side by side
"scripts": { "build": "tsc -p tsconfig.build.json", "smoke": "node dist/dev/smoke.js", "e2e": "vitest run e2e" }`,
    fail: `// package.json (merged), as generate --upgrade left it
"scripts": {
<<<<<<< yours
    "build": "tsc -b",
||||||| base
    "build": "tsc",
=======
    "build": "tsc -p tsconfig.build.json",
>>>>>>> pack service-ts@1.1.0
}`,
  },
  messages: {
    conflict: '{{file}} has an unresolved merge conflict from `shipshape generate` at lines {{from}}-{{to}}{{more}}',
    rejected: '{{rejected}} holds hunks of the template pack that were never applied to {{file}}',
  },
  check({ project }) {
    const read = project?.manifest();
    if (!project || !read?.found || 'error' in read) return [];
    const reports: RuleReport[] = [];
    for (const [path, entry] of Object.entries(read.manifest.files)) {
      if (entry.ownership !== 'merged') continue;
      const file = project.inside(path);
      if (file === undefined) continue;
      const blocks = conflictBlocks(project.text(file) ?? '');
      if (blocks.length > 0) {
        const [first] = blocks;
        const more = blocks.length > 1 ? ` (and ${blocks.length - 1} more)` : '';
        reports.push({
          path: [],
          file,
          line: first!.from,
          messageId: 'conflict',
          data: { file, from: first!.from, to: first!.to, more },
        });
      }
      const rejected = `${file}.rej`;
      if (project.text(rejected) !== undefined) {
        reports.push({
          path: [],
          file: rejected,
          messageId: 'rejected',
          data: { rejected, file },
        });
      }
    }
    return reports;
  },
});
