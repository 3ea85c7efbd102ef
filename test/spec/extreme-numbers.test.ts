/**
 * Issue 12, odd values: a spec that `check` accepts never crashes `design` or `generate`. Every
 * numeric field of the reference example (stage one, and the whole spec) is set
 * to each extreme value in turn; check either refuses it (a finding) or design --dry-run and
 * generate --dry-run run to the end. A crash is anything but a UserError (exit 2).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isScalar, parseDocument, stringify, visit, type Document } from 'yaml';
import { runCheck } from '../../src/check/engine.js';
import { designReport, formatDesign } from '../../src/design/report.js';
import { runDesign } from '../../src/design/run.js';
import { UserError } from '../../src/errors.js';
import { formatGenerate, generateReport } from '../../src/scaffold/report.js';
import { runGenerate } from '../../src/scaffold/run.js';
import { plainPaint } from '../../src/text/paint.js';
import { exampleText, stageOneText } from '../design/helpers.js';
import { tempDir } from '../helpers/temp.js';

const today = new Date('2026-11-24T12:00:00Z');
const EXTREMES: unknown[] = [1e308, -1e308, Number.MAX_VALUE, 5e-324, 1e21, 2 ** 53 + 2, -1, -0, 0, 0.5, Infinity, -Infinity, NaN];

/** Every number in the document: its path (as setIn takes it) and where its source text is. */
function numericPaths(doc: Document): { path: (string | number)[]; range: [number, number] }[] {
  const paths: { path: (string | number)[]; range: [number, number] }[] = [];
  visit(doc, {
    Scalar(_key, node, path) {
      if (typeof node.value !== 'number') return;
      const keys: (string | number)[] = [];
      for (let i = 1; i < path.length; i++) {
        const parent = path[i - 1];
        const child = path[i];
        if (parent && 'items' in parent && Array.isArray(parent.items)) {
          const index = (parent.items as unknown[]).indexOf(child);
          if (isScalar(parent) || index < 0) continue;
          // A pair in a map: its key; an item of a sequence: its index.
          if ((child as { key?: unknown }).key !== undefined) keys.push(String((child as { key: { value: unknown } }).key.value));
          else keys.push(index);
        }
      }
      if ((path.at(-1) as { value?: unknown }).value === node && node.range)
        paths.push({ path: keys, range: [node.range[0], node.range[1]] });
    },
  });
  return paths;
}

/** Runs `work`; a crash is anything it throws but a UserError (exit 2): returns what crashed, or undefined. */
async function crash(label: string, work: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await work();
    return undefined;
  } catch (error) {
    if (error instanceof UserError) return undefined;
    return `${label}: ${(error as Error).name}: ${(error as Error).message}`;
  }
}

async function accepted(dir: string): Promise<boolean> {
  const check = await runCheck({ paths: [], cwd: dir, failSeverity: 'error', today });
  return check.summary.errors === 0 && check.summary.unreadable === 0;
}

async function attack(base: string, stages: readonly ('design' | 'generate')[]) {
  const doc = parseDocument(base);
  const paths = numericPaths(doc);
  expect(paths.length).toBeGreaterThan(stages.includes('generate') ? 40 : 10);
  const dir = tempDir();
  const tried = { accepted: 0, refused: 0 };
  const crashes: (string | undefined)[] = [];
  for (const { path, range } of paths) {
    for (const value of EXTREMES) {
      // The number's own text replaced by the value as yaml writes it, the rest of the file as it is
      // (what a hand edit does): the same document as setIn gives, without re-serialising it each time.
      const label = `${path.join('.')} = ${String(value)}`;
      const text = `${base.slice(0, range[0])}${stringify(value).trimEnd()}${base.slice(range[1])}`;
      // Proven the same as setIn's document for every value at the first number, and at every number for one value.
      if (path === paths[0]!.path || value === EXTREMES[0]) {
        const expected = doc.clone();
        expected.setIn(path, value);
        expect(parseDocument(text).toJS(), label).toEqual(expected.toJS());
      }
      writeFileSync(join(dir, 'shipshape.yaml'), text);
      if (!(await accepted(dir))) {
        tried.refused++;
        continue;
      }
      tried.accepted++;
      if (stages.includes('design'))
        crashes.push(
          await crash(`design --dry-run, ${label}`, async () => {
            const result = await runDesign({ cwd: dir, yes: true, dryRun: true, interactive: false, today });
            formatDesign(designReport(result));
          }),
        );
      if (stages.includes('generate'))
        crashes.push(
          await crash(`generate --dry-run, ${label}`, async () => {
            const result = await runGenerate({
              cwd: dir,
              dryRun: true,
              force: false,
              conflict: 'inline',
              trust: false,
              upgrade: false,
              tasks: false,
              now: today,
            });
            formatGenerate(generateReport(result), plainPaint);
          }),
        );
    }
  }
  expect(crashes.filter(Boolean)).toEqual([]);
  return tried;
}

describe('extreme numbers in a spec that check accepts', () => {
  it('design --dry-run never crashes, for every number of the stage-one spec', { timeout: 600_000 }, async () => {
    const tried = await attack(stageOneText, ['design']);
    expect(tried.accepted).toBeGreaterThan(0);
    expect(tried.refused).toBeGreaterThan(0);
  });

  it('design --dry-run and generate --dry-run never crash, for every number of the whole spec', { timeout: 600_000 }, async () => {
    const tried = await attack(exampleText, ['design', 'generate']);
    expect(tried.accepted).toBeGreaterThan(0);
    expect(tried.refused).toBeGreaterThan(0);
  });
});
