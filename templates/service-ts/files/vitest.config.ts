import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The tests that run HTTP traffic mostly wait on their sockets and timers: two files at a time, even on two cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    minWorkers: 1,
    // The files share a worker's modules rather than loading them again each (none mocks a module or changes a global).
    isolate: false,
    // Generous: a failure scenario runs until the service has done what it expects, later on a busy machine.
    testTimeout: 30_000,
  },
});
