// Problems before any byte is written: a device that is not an Espressif chip (noise, no SYNC
// reply), a chip held out of download mode, and a chip that is not the one the build is for.

import { describe, expect, it } from 'vitest';
import { openDevice } from '../../src/api/open-device.js';
import { writePlan } from '../../src/flash/write-plan.js';
import { createSimTransport } from '../../src/sim/sim-transport.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { faultBuild, runFaultFlash } from './support/fault-run.js';

describe('before any byte moves', () => {
  it('a silent device (nothing answers SYNC): connect/no-serial-data, nothing written', async () => {
    const r = await runFaultFlash({ appSize: 64 * 1024, faults: { silent: true } });
    expect(r.code).toBe('connect/no-serial-data');
    expect(r.coded).toBe(true);
    expect(r.onChip).toEqual([false, false, false]);
  });

  it('a chip that never enters download mode: connect/wrong-boot-mode with a BOOT-button hint', async () => {
    const r = await runFaultFlash({ appSize: 64 * 1024, faults: { ignoreBootStrap: true } });
    expect(r.code).toBe('connect/wrong-boot-mode');
    expect(r.onChip).toEqual([false, false, false]);
  });

  it('noise before SYNC does not stop the connect', async () => {
    const r = await runFaultFlash({ appSize: 64 * 1024, faults: { bootNoise: 2000, seed: 9 } });
    expect(r.ok).toBe(true);
  });

  it('the wrong chip for the build: connect/chip-mismatch when the plan chip is asked for', async () => {
    const { plan } = await faultBuild('esp32', 64 * 1024);
    const transport = createSimTransport({ chip: 'esp32s3' });
    const err = await openDevice({ port: 'sim://esp32s3', transport, chip: plan.chip.value }).catch((e) => e);
    expect(err.code).toBe('connect/chip-mismatch');
    expect(err.hint).toMatch(/--chip|--port/);
  });

  it('the wrong chip for the build: flash/chip-mismatch before writing when connected without --chip', async () => {
    const { plan } = await faultBuild('esp32', 64 * 1024);
    const clock = new VirtualClock();
    const transport = createSimTransport({ chip: 'esp32c3', clock });
    const device = await openDevice({ port: 'sim://esp32c3', transport, clock });
    try {
      const err = await writePlan({ plan, loader: device.loader, flash: device.flashInfo }).catch((e) => e);
      expect(err.code).toBe('flash/chip-mismatch');
      expect(err.hint).toMatch(/set-target/);
      expect(transport.device.flash.read(0x10000, 16).every((b) => b === 0xff)).toBe(true);
    } finally {
      await device.close();
    }
  });
});
