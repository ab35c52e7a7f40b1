import { describe, expect, it } from 'vitest';
import { resetAfter } from '../../../src/core/ops/after-reset.js';
import { readU32 } from '../../../src/core/protocol/bytes.js';
import { OP } from '../../../src/core/protocol/opcodes.js';
import { ScriptedLoader } from './support/scripted-loader.js';

const signalsOf = (l: ScriptedLoader) => l.transport.signals.map(({ dtr, rts, at }) => ({ dtr, rts, at }));

describe('resetAfter', () => {
  it('hard_reset pulses RTS (EN low) for 100 ms with DTR released', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32', stub: true });
    await resetAfter(loader, { mode: 'hard_reset' });
    expect(signalsOf(loader)).toEqual([
      { dtr: false, rts: true, at: 0 },
      { dtr: false, rts: false, at: 100 },
    ]);
    expect(loader.events.at(-1)).toEqual({ type: 'reset', mode: 'hard_reset' });
  });

  it('hard_reset over USB-OTG holds 200 ms and settles 200 ms', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32c3', stub: false });
    await resetAfter(loader, { mode: 'hard_reset', usbOtg: true });
    expect(signalsOf(loader)).toEqual([
      { dtr: false, rts: true, at: 0 },
      { dtr: false, rts: false, at: 200 },
    ]);
    expect(loader.clock.sleeps).toEqual([200, 200]);
  });

  it('S3: clears RTC_CNTL_OPTION1 force-download bit before the pulse; over USB-OTG uses the watchdog', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32s3', stub: true, registers: { 1610645804: 0x3 } });
    await resetAfter(loader, { mode: 'hard_reset' });
    expect(loader.regWrites[0]).toEqual({ address: 0x6000812c, value: 0, mask: 1 });
    expect(await loader.readReg(0x6000812c)).toBe(0x2);
    const otg = new ScriptedLoader({ chip: 'esp32s3', stub: true });
    await resetAfter(otg, { mode: 'hard_reset', usbOtg: true });
    expect(otg.transport.signals).toHaveLength(0);
    expect(otg.events.at(-1)).toEqual({ type: 'reset', mode: 'watchdog_reset' });
  });

  it('watchdog_reset writes key, timeout, config and relocks using the chip table registers', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32c3', stub: true });
    await resetAfter(loader, { mode: 'watchdog_reset' });
    const wdt = loader.chip.watchdog!;
    expect(loader.regWrites).toEqual([
      { address: wdt.wprotect, value: 0x50d83aa1 },
      { address: wdt.config1, value: 2000 },
      { address: wdt.config0, value: ((1 << 31) | (5 << 28) | (1 << 8) | 2) >>> 0 },
      { address: wdt.wprotect, value: 0 },
    ]);
    expect(loader.clock.sleeps).toEqual([500]);
  });

  it('watchdog_reset falls back to a hard reset on ESP32 and C6', async () => {
    for (const chip of ['esp32', 'esp32c6'] as const) {
      const loader = new ScriptedLoader({ chip, stub: true });
      await resetAfter(loader, { mode: 'watchdog_reset' });
      expect(loader.regWrites).toHaveLength(0);
      expect(loader.transport.signals).toHaveLength(2);
    }
  });

  it('without modem lines: watchdog where possible, else a warning and no reset', async () => {
    const c3 = new ScriptedLoader({ chip: 'esp32c3', stub: true, modemLines: false });
    await resetAfter(c3, { mode: 'hard_reset' });
    expect(c3.events.at(-1)).toEqual({ type: 'reset', mode: 'watchdog_reset' });
    const esp32 = new ScriptedLoader({ chip: 'esp32', stub: true, modemLines: false });
    await resetAfter(esp32, { mode: 'hard_reset' });
    expect(esp32.events.some((e) => e.type === 'warning' && e.code === 'reset/no-modem-lines')).toBe(true);
    expect(esp32.transport.signals).toHaveLength(0);
  });

  it('no_reset: nothing for the ROM; the stub gets FLASH_BEGIN(0,0) + FLASH_END(0)', async () => {
    const rom = new ScriptedLoader({ chip: 'esp32', stub: false });
    await resetAfter(rom, { mode: 'no_reset' });
    expect(rom.log).toHaveLength(0);
    const stub = new ScriptedLoader({ chip: 'esp32', stub: true });
    await resetAfter(stub, { mode: 'no_reset' });
    expect(stub.ops).toEqual([OP.FLASH_BEGIN, OP.FLASH_END]);
    expect(readU32(stub.log[0]!.data!, 0)).toBe(0);
    expect(readU32(stub.log[0]!.data!, 4)).toBe(0);
    expect(readU32(stub.log[1]!.data!, 0)).toBe(0);
    expect(stub.transport.signals).toHaveLength(0);
  });

  it('soft_reset: ROM FLASH_END(1); ESP8266 stub RUN_USER_CODE without reply; other stubs refuse', async () => {
    const rom = new ScriptedLoader({ chip: 'esp32s2', stub: false });
    await resetAfter(rom, { mode: 'soft_reset' });
    expect(rom.ops).toEqual([OP.FLASH_BEGIN, OP.FLASH_END]);
    expect(readU32(rom.log[1]!.data!, 0)).toBe(1);
    const e8266 = new ScriptedLoader({ chip: 'esp8266', stub: true });
    await resetAfter(e8266, { mode: 'soft_reset' });
    expect(e8266.log).toEqual([{ op: OP.RUN_USER_CODE, expectResponse: false }]);
    await expect(
      resetAfter(new ScriptedLoader({ chip: 'esp32', stub: true }), { mode: 'soft_reset' }),
    ).rejects.toMatchObject({
      code: 'reset/soft-unsupported',
    });
  });

  it('no_reset_stub leaves everything alone', async () => {
    const stub = new ScriptedLoader({ chip: 'esp32', stub: true });
    await resetAfter(stub, { mode: 'no_reset_stub' });
    expect(stub.log).toHaveLength(0);
    expect(stub.transport.signals).toHaveLength(0);
  });
});
