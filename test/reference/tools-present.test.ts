// The reference tools themselves: where ../shared/tools is present they must work (a broken install
// fails here, first, instead of as a confusing protocol failure in every other reference suite).

import { describe, expect, it } from 'vitest';
import { HAVE_TOOLS, runEsptool, startQemu, TOOLS_SKIP_NOTE } from '../support/reference-tools.js';

describe.skipIf(!HAVE_TOOLS)(`reference tools${TOOLS_SKIP_NOTE}`, () => {
  it('esptool 4.8.1 runs', async () => {
    const run = await runEsptool(['version']);
    expect(run.output).toContain('4.8.1');
    expect(run.code).toBe(0);
  });

  it('the real ESP32 ROM answers esptool in download mode', async () => {
    const qemu = await startQemu();
    try {
      const run = await runEsptool([
        '-p',
        qemu.url,
        '--before',
        'no_reset',
        '--after',
        'no_reset',
        '--no-stub',
        'read_mac',
      ]);
      expect(run.output).toContain('Chip is ESP32-D0WDQ6-V3 (revision v3.0)');
      expect(run.code).toBe(0);
    } finally {
      await qemu.stop();
    }
  });
});
