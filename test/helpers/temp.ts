import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A real temp dir, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-test-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const ROOT = new URL('../..', import.meta.url).pathname;
export const EXAMPLE = join(ROOT, 'examples', 'support-triage.yaml');
