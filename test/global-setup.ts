/**
 * Once per `vitest run`, before any test file: a folder where test files share the generated
 * projects that cost an `npm install` and a build (test/helpers/project.ts, sharedProject), so
 * the suite installs and builds each spec's project once, not once per file. Removed at the end.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where sharedProject records each shared project's folder (test/helpers/project.ts). */
    sharedProjects: string;
  }
}

/**
 * A shipshape.yaml in the temp folder or above it is found, upward, by every test that makes a project without a spec:
 * the tests that expect "no spec" fail, and those that write (design) write into it. Refused before any test runs.
 */
function refuseStraySpec(): void {
  for (let dir = tmpdir(); ; dir = dirname(dir)) {
    const stray = join(dir, 'shipshape.yaml');
    if (existsSync(stray))
      throw new Error(`${stray} is in the way: every test that makes a project without a spec would find it. Move it, then run again.`);
    if (dirname(dir) === dir) return;
  }
}

export default function setup(project: TestProject): () => void {
  refuseStraySpec();
  const registry = mkdtempSync(join(tmpdir(), 'shipshape-shared-'));
  project.provide('sharedProjects', registry);
  return () => {
    for (const entry of readdirSync(registry).filter((name) => name.endsWith('.path')))
      rmSync(readFileSync(join(registry, entry), 'utf8'), { recursive: true, force: true });
    rmSync(registry, { recursive: true, force: true });
  };
}
