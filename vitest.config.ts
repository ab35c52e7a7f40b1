// Test runner configuration: every *.test.ts under test/, Node environment, no watch in CI.
// Three projects, one after the other: `unit` (in-process suites, two files at a time, sim://
// ports opened through the CLI on a virtual clock: test/support/virtual-sim-clock.ts); `os` (real
// pseudo-terminals, ser2net and CLI child processes, whose hang-up and timing paths misbehave when
// they share two cores with the CPU-heavy unit files: one file at a time); `reference`
// (test/reference: the real ESP32 ROM under QEMU and esptool, about a core each, one file at a time).
import { defineConfig } from 'vitest/config';

/** Suites that drive real OS devices and processes (socat ptys, ser2net, the built CLI). */
const OS_SUITES = [
  'test/node/serial-transport.test.ts',
  'test/node/rfc2217-transport.test.ts',
  'test/monitor/monitor-pty.test.ts',
  'test/e2e/cli-process.test.ts',
];

/** Every project: a fresh espflash cache folder per test file, and byte arrays compared natively. */
const COMMON_SETUP = ['./test/support/isolate-cache.ts', './test/support/byte-equality.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/reference/**', ...OS_SUITES],
          setupFiles: [...COMMON_SETUP, './test/support/virtual-sim-clock.ts'],
          // Both cores (the default leaves one idle on two). Forks, not threads: the serialport
          // binding polls on the main libuv loop and aborts the process when a worker thread opened it.
          pool: 'forks',
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'os',
          include: OS_SUITES,
          setupFiles: COMMON_SETUP,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'reference',
          include: ['test/reference/**/*.test.ts'],
          setupFiles: COMMON_SETUP,
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
