// Test runner configuration: every *.test.ts under test/, Node environment, no watch in CI.
// Three stages, one after the other: `unit` (in-process suites, two files at a time, modules kept
// between files, sim:// ports opened through the CLI on a virtual clock: test/support/virtual-sim-clock.ts;
// with `unit-isolated` beside it for suites that mock modules); `os` (real
// pseudo-terminals, ser2net and CLI child processes, whose hang-up and timing paths misbehave when
// they share two cores with the CPU-heavy unit files: one file at a time); `reference`
// (test/reference: the real ESP32 ROM under QEMU and esptool, two files at a time: each QEMU mostly waits on its real-time UART).
import { defineConfig } from 'vitest/config';

/** Suites that drive real OS devices and processes (socat ptys, ser2net, the built CLI). */
const OS_SUITES = [
  'test/node/serial-transport.test.ts',
  'test/node/rfc2217-transport.test.ts',
  'test/monitor/monitor-pty.test.ts',
  'test/e2e/cli-process.test.ts',
  'test/errors/interrupt-exit.test.ts',
  'test/package/package.test.ts',
  'test/boards/many-hosts-rfc2217.test.ts',
];

/** Suites that replace modules (`vi.mock`): they need a fresh module graph (project `unit-isolated`). */
const MODULE_MOCK_SUITES = ['test/node/list-ports-cli.test.ts'];

/** Every project: a fresh espflash cache folder per test file, and byte arrays compared natively. */
const COMMON_SETUP = ['./test/support/isolate-cache.ts', './test/support/byte-equality.ts'];

const UNIT_SETUP = [...COMMON_SETUP, './test/support/virtual-sim-clock.ts'];

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
          exclude: ['test/reference/**', ...OS_SUITES, ...MODULE_MOCK_SUITES],
          setupFiles: UNIT_SETUP,
          // Both cores (the default leaves one idle on two). Forks, not threads: the serialport
          // binding polls on the main libuv loop and aborts the process when a worker thread opened it.
          pool: 'forks',
          maxWorkers: 2,
          // A worker keeps its loaded modules from file to file (importing src again for each of 150
          // files was ~40 % of the project's CPU). Setup files still run per file; suites leave no
          // process-wide state behind (AGENTS.md).
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'unit-isolated',
          include: MODULE_MOCK_SUITES,
          setupFiles: UNIT_SETUP,
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
          // Two files at a time: each QEMU mostly waits on its real-time UART, so two share the two
          // cores without starving either (the unit and os projects have finished by then).
          pool: 'forks',
          maxWorkers: 2,
          testTimeout: 180_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
