// End-to-end: connect() against the virtual ESP32 (src/sim) for every chip in the table, on virtual time.
import { describe, expect, it } from 'vitest';
import { CHIPS, type ChipName } from '../../src/chips/chips.js';
import { connect } from '../../src/core/connect/connect.js';
import type { FlashEvent } from '../../src/events.js';
import { esptoolJsStubProvider } from '../../src/node/stub-assets.js';
import { createSimTransport } from '../../src/sim/sim-transport.js';
import { FakeClock } from './support/fake-clock.js';

function sim(chip: ChipName) {
  const clock = new FakeClock();
  const transport = createSimTransport({ chip, timing: false, clock });
  return { clock, transport };
}

describe('connect to the virtual ESP32', () => {
  it.each(CHIPS.map((c) => c.name))('%s with the stub, then reuses it', async (chip) => {
    const { clock, transport } = sim(chip);
    const events: FlashEvent[] = [];
    const loader = await connect({
      transport,
      clock,
      stubProvider: esptoolJsStubProvider,
      onEvent: (e) => events.push(e),
    });
    expect(loader.chip.name).toBe(chip);
    expect(loader.isStub).toBe(true);
    expect(loader.stubReused).toBe(false);
    expect(events).toContainEqual({ type: 'stub-started', chip, reused: false });
    const again = await connect({
      transport,
      clock,
      before: 'no_reset',
      stubProvider: esptoolJsStubProvider,
    });
    expect(again.chip.name).toBe(chip);
    expect(again.isStub).toBe(true);
    expect(again.stubReused).toBe(true);
    await again.close();
  });

  it.each(CHIPS.map((c) => c.name))('%s with the ROM loader only', async (chip) => {
    const { clock, transport } = sim(chip);
    const loader = await connect({ transport, clock, stub: false });
    expect(loader.chip.name).toBe(chip);
    expect(loader.isStub).toBe(false);
    // The ESP8266 prints its banner at 74880 baud: at 115200 it is unreadable.
    if (chip === 'esp8266') expect(loader.bootLog).not.toMatch(/boot/);
    else expect(loader.bootLog).toMatch(/boot:0x[0-9a-f]+/i);
    await loader.close();
  });

  it.each(CHIPS.map((c) => c.name))('%s changes baud with the stub and keeps talking', async (chip) => {
    const { clock, transport } = sim(chip);
    const events: FlashEvent[] = [];
    const loader = await connect({
      transport,
      clock,
      stubProvider: esptoolJsStubProvider,
      baud: 921600,
      onEvent: (e) => events.push(e),
    });
    expect(loader.baud).toBe(921600);
    expect(events).toContainEqual({ type: 'baud-changed', baud: 921600 });
    // A register read proves both sides switched.
    expect(loader.chip.magicValues.length).toBeGreaterThan(0);
    await loader.readReg(0x40001000);
    await loader.close();
  });

  it.each(CHIPS.filter((c) => c.rom.changeBaud).map((c) => c.name))(
    '%s changes baud on the ROM',
    async (chip) => {
      const { clock, transport } = sim(chip);
      const loader = await connect({ transport, clock, stub: false, baud: 460800 });
      expect(loader.baud).toBe(460800);
      await loader.readReg(0x40001000);
      await loader.close();
    },
  );
});

describe('connect to the virtual ESP32 with its wire-timing model', () => {
  it.each(CHIPS.map((c) => c.name))('%s: reset, stub, 921600 baud, then stub reuse', async (chip) => {
    const clock = new FakeClock();
    const transport = createSimTransport({ chip, timing: true, clock, startInDownloadMode: false });
    const loader = await connect({ transport, clock, stubProvider: esptoolJsStubProvider, baud: 921600 });
    expect(loader.chip.name).toBe(chip);
    expect(loader.isStub).toBe(true);
    expect(loader.baud).toBe(921600);
    await loader.readReg(0x40001000);
    const again = await connect({
      transport,
      clock,
      before: 'no_reset',
      stubProvider: esptoolJsStubProvider,
    });
    expect(again.stubReused).toBe(true);
    await again.close();
  });
});

describe('connect to the virtual ESP32: resets and diagnosis', () => {
  it('resets a chip running its application into download mode', async () => {
    const clock = new FakeClock();
    const transport = createSimTransport({
      chip: 'esp32c3',
      timing: false,
      clock,
      startInDownloadMode: false,
    });
    const events: FlashEvent[] = [];
    const loader = await connect({ transport, clock, stub: false, onEvent: (e) => events.push(e) });
    expect(loader.chip.name).toBe('esp32c3');
    expect(events[0]).toEqual({ type: 'connect-attempt', attempt: 1, strategy: 'unix-tight(50)' });
    expect(loader.bootLog).toContain('waiting for download');
    await loader.close();
  });

  it('reports silence when the application runs and no reset is allowed', async () => {
    const clock = new FakeClock();
    const transport = createSimTransport({ chip: 'esp32', timing: false, clock, startInDownloadMode: false });
    const err = await connect({ transport, clock, before: 'no_reset', attempts: 2, syncTries: 2 }).catch(
      (e) => e,
    );
    expect(err.code).toBe('connect/no-serial-data');
  });

  it('reports a dead TX path when download mode is seen but every reply is lost', async () => {
    const clock = new FakeClock();
    const transport = createSimTransport({
      chip: 'esp32s3',
      timing: false,
      clock,
      startInDownloadMode: false,
      faults: { dropRate: 1 },
    });
    const err = await connect({ transport, clock, attempts: 2, syncTries: 2 }).catch((e) => e);
    expect(err.code).toBe('connect/no-sync-tx-down');
  });
});
