// resolveSymbolSource against real ESP-IDF project_description.json files (shared fixtures).

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSymbolSource } from '../../src/monitor/addr2line.js';
import { HAVE_SHARED, SHARED_SKIP_NOTE, sharedPath } from '../support/shared-fixtures.js';

describe.skipIf(!HAVE_SHARED)(`symbol source from real builds${SHARED_SKIP_NOTE}`, () => {
  it.each([
    ['v5.2.2_esp32c3_tracker', 'riscv32-esp-elf-', 'riscv', '2024_Tracker.elf'],
    [
      'v4.4_esp32_earphones-controller',
      'xtensa-esp32-elf-',
      'xtensa',
      'ESP32-Wireless-Easrphones-Controller.elf',
    ],
    ['v5.5_esp32s3_m5stamp', 'xtensa-esp32s3-elf-', 'xtensa', 'M5-STAMP-S3BAT-Test.elf'],
    // An empty monitor_toolprefix falls back to the target's toolchain.
    ['v5.5_esp32c5_canfd-test-nostub', 'riscv32-esp-elf-', 'riscv', null],
  ])('%s', async (name, prefix, arch, elfName) => {
    const buildDir = sharedPath('idf-build', name);
    const source = await resolveSymbolSource({ buildDir });
    expect(source.toolPrefix).toBe(prefix);
    expect(source.arch).toBe(arch);
    if (elfName !== null) expect(source.elf).toBe(join(buildDir, elfName));
  });
});
