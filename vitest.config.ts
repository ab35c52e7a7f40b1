// Test runner configuration: every *.test.ts under test/, Node environment, no watch in CI.
// Two projects: `unit` (in-process and local-process suites, files in parallel) and `reference`
// (test/reference: the real ESP32 ROM under QEMU and esptool, about a core each, so one file at a
// time and only after the unit project has finished).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    setupFiles: ['./test/support/isolate-cache.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/reference/**'] },
      },
      {
        extends: true,
        test: {
          name: 'reference',
          include: ['test/reference/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
