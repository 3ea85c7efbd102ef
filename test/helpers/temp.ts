import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

/** Folders made outside a running test (in a describe block or a beforeAll): removed after the file. */
const madeOutsideTests: string[] = [];
afterAll(() => {
  for (const dir of madeOutsideTests.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A real temp dir, removed when the test that made it finishes, pass or fail. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-test-'));
  try {
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  } catch {
    madeOutsideTests.push(dir);
  }
  return dir;
}

export const ROOT = new URL('../..', import.meta.url).pathname;
export const EXAMPLE = join(ROOT, 'examples', 'support-triage.yaml');

/** A temp project holding the bundled example as its shipshape.yaml. */
export function exampleProject(): string {
  const dir = tempDir();
  copyFileSync(EXAMPLE, join(dir, 'shipshape.yaml'));
  return dir;
}

/** Every file under `dir` with its bytes, to show that nothing changed (a special file as <special>). */
export function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile()) files[rel] = readFileSync(join(dir, rel), 'latin1');
      else files[rel] = '<special>';
    }
  };
  walk('');
  return files;
}
