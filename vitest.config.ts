import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import SlowFirst from './test/sequencer.js';

/**
 * The files that generate, install, build and run whole projects: minutes each, busy on both cores
 * (tsc, the project's own vitest, the service under load), and what they assert about a scenario
 * holds only if they do not run two at a time. They run one after the other on a lane of their
 * own (worker threads), beside the rest (forks), so the two lanes share the machine. They install
 * one reference project per run and link its node_modules into the others, and run the generated
 * classify suite whole once (test/helpers/project.ts: sharedOriginal, linkDependencies, specTests).
 */
const GENERATED_PROJECTS = ['test/templates/*-e2e.test.ts'];

export default defineConfig({
  test: {
    // No test reaches the network or the developer's caches (npm, packs): see the file.
    setupFiles: ['test/setup.ts'],
    // Once per run: the folder where files share the generated projects they install and build.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'generated', include: GENERATED_PROJECTS, pool: 'threads' } },
      // Tests that run the built CLI as a process share the machine's two cores with the rest.
      {
        extends: true,
        test: { name: 'cli', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...GENERATED_PROJECTS], pool: 'forks' },
      },
    ],
    // One file at a time on each lane on two cores (vitest's default there is one in all); more lanes on more cores.
    poolOptions: {
      threads: { maxThreads: 1, minThreads: 1 },
      // The cli lane's forks are not isolated: its files run one after another in the same fork, which
      // loads src/, the bundle and oclif once instead of once per file (most of its ~120 files run in
      // well under the ~1 s that loading took each). So each file leaves the process as it found it:
      // env through vi.stubEnv (restored), real timers back, no vi.mock of a module others need real.
      forks: { maxForks: Math.max(1, availableParallelism() - 2), minForks: 1, isolate: false },
    },
    // The longest files first on each lane (test/sequencer.ts).
    sequence: { sequencer: SlowFirst },
    reporters: process.env['CI'] ? ['default', 'junit'] : ['default'],
    outputFile: { junit: 'test-results/junit.xml' },
  },
});
