// Test runner configuration: every *.test.ts under test/, Node environment, no watch in CI.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    setupFiles: ['./test/support/isolate-cache.ts'],
  },
});
