import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take minutes where most take seconds start first on their lane (vitest.config.ts),
 * so that a lane does not end on one of them while the other lane sits idle. Without a record of
 * past runs (a fresh clone), vitest orders by file size, which puts the short walk-e2e.test.ts
 * among the last.
 */
const SLOW = [
  // The generated lane alone at load ~7 (2026-12-02): task 259 s (it makes the shared reference project first),
  // service-ts 151, demo 115, walk 86, validate 64.
  'test/templates/task-e2e.test.ts',
  'test/templates/service-ts-e2e.test.ts',
  'test/templates/demo-e2e.test.ts',
  'test/templates/walk-e2e.test.ts',
  'test/templates/validate-e2e.test.ts',
  'test/commands/deploy.test.ts',
  'test/commands/deploy-kubernetes.test.ts',
];

export default class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = SLOW.findIndex((slow) => file.moduleId.endsWith(slow));
      return index === -1 ? SLOW.length : index;
    };
    return sorted
      .map((file, at) => ({ file, at }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.at - b.at)
      .map(({ file }) => file);
  }
}
