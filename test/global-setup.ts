/**
 * Once per `vitest run`, before any test file: a folder where test files share the generated
 * projects that cost an `npm install` and a build (test/helpers/project.ts, sharedProject), so
 * the suite installs and builds each spec's project once, not once per file. Removed at the end.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where sharedProject records each shared project's folder (test/helpers/project.ts). */
    sharedProjects: string;
  }
}

export default function setup(project: TestProject): () => void {
  const registry = mkdtempSync(join(tmpdir(), 'shipshape-shared-'));
  project.provide('sharedProjects', registry);
  return () => {
    for (const entry of readdirSync(registry).filter((name) => name.endsWith('.path')))
      rmSync(readFileSync(join(registry, entry), 'utf8'), { recursive: true, force: true });
    rmSync(registry, { recursive: true, force: true });
  };
}
