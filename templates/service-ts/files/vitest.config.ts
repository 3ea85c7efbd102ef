import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The failure scenarios run real HTTP traffic for a few seconds each.
    testTimeout: 30_000,
  },
});
