import { describe, expect, it } from 'vitest';
import { CHIPS } from '../../src/chips/chips.js';
import { type ConnectOptions, connect } from '../../src/core/connect/connect.js';
import { readU32 } from '../../src/core/protocol/bytes.js';
import { OP } from '../../src/core/protocol/opcodes.js';
import type { StubImage, StubProvider } from '../../src/core/session/stub-loader.js';
import { EspflashError } from '../../src/errors.js';
import type { FlashEvent } from '../../src/events.js';
import { FakeClock } from './support/fake-clock.js';
import { createScriptedRom, type ScriptedRomOptions } from './support/scripted-rom.js';

const IMAGE: StubImage = {
  entry: 0x4038_0e9a,
  text: Uint8Array.from({ length: 0x1800 * 2 + 100 }, (_, i) => i & 0xff),
  textStart: 0x4038_0000,
  data: Uint8Array.from({ length: 204 }, (_, i) => (i * 7) & 0xff),
  dataStart: 0x3fc9_6d68,
};
const provider: StubProvider = async () => IMAGE;

function run(rom: ScriptedRomOptions, options: Partial<ConnectOptions> = {}) {
  const clock = new FakeClock();
  const { device, state } = createScriptedRom(clock, rom);
  const events: FlashEvent[] = [];
  const promise = connect({
    transport: device,
    clock,
    onEvent: (e) => events.push(e),
    stubProvider: provider,
    ...options,
  });
  return { clock, device, state, events, promise };
}

async function failure(p: Promise<unknown>): Promise<EspflashError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EspflashError);
  return err as EspflashError;
}

const magicReads = (device: ReturnType<typeof run>['device']) =>
  device.requests(OP.READ_REG).filter((r) => readU32(r.data, 0) === 0x40001000).length;

describe('connect: chip detection for every chip', () => {
  it.each(CHIPS.map((c) => [c.name, c.securityInfoLength] as const))('detects %s', async (name, infoLen) => {
    const { promise, device, events } = run({ chip: name, startInDownload: false }, { stub: false });
    const loader = await promise;
    expect(loader.chip.name).toBe(name);
    expect(loader.isStub).toBe(false);
    // chip_id from GET_SECURITY_INFO when the ROM has the 20-byte layout, magic register otherwise.
    expect(magicReads(device)).toBe(infoLen === 20 ? 0 : 1);
    expect(loader.securityInfo?.chipId ?? null).toBe(
      infoLen === 20 ? CHIPS.find((c) => c.name === name)!.imageChipId : null,
    );
    expect(events.at(-1)).toEqual({ type: 'connected', chip: name, baud: 115200, stub: false });
    expect(loader.bootLog).toContain('waiting for download');
  });

  it.each(CHIPS.flatMap((c) => c.magicValues.map((m) => [c.name, m] as const)))(
    'detects %s from magic value %i when security info is unavailable',
    async (name, magic) => {
      const { promise } = run(
        { chip: name, noSecurityInfo: true, regs: { 1073745920: magic } },
        { stub: false, before: 'no_reset' },
      );
      const loader = await promise;
      expect(loader.chip.name).toBe(name);
      expect(loader.securityInfo).toBeNull();
    },
  );

  it('falls back to magic when the ROM rejects GET_SECURITY_INFO with a same-opcode invalid-message', async () => {
    const { promise, device } = run(
      { chip: 'esp32', unsupportedStyle: 'same-op' },
      { stub: false, before: 'no_reset' },
    );
    expect((await promise).chip.name).toBe('esp32');
    expect(device.requests(OP.GET_SECURITY_INFO)).toHaveLength(1);
  });

  it('recognises an ESP32-S2 in Secure Download Mode by its READ_REG refusal', async () => {
    const { promise, events, state } = run({ chip: 'esp32s2', sdm: true }, { before: 'no_reset' });
    const loader = await promise;
    expect(loader.chip.name).toBe('esp32s2');
    expect(loader.secureDownloadMode).toBe(true);
    expect(loader.isStub).toBe(false);
    expect(state.memBegins).toHaveLength(0);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'warning', code: 'stub/secure-download-mode' }),
    );
  });

  it('reports an unknown magic value', async () => {
    const { promise } = run(
      { chip: 'esp32', regs: { 1073745920: 0x12345678 } },
      { before: 'no_reset', stub: false },
    );
    const err = await failure(promise);
    expect(err.code).toBe('connect/unknown-chip');
    expect(err.message).toContain('0x12345678');
  });

  it('fails with connect/chip-mismatch when --chip disagrees', async () => {
    const { promise } = run({ chip: 'esp32c3' }, { chip: 'esp32s3', before: 'no_reset' });
    const err = await failure(promise);
    expect(err.code).toBe('connect/chip-mismatch');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('ESP32-C3');
    expect(err.hint).toContain('--chip');
  });
});

describe('connect: stub', () => {
  it('uploads text and data in 0x1800 blocks, jumps to the entry and waits for OHAI', async () => {
    const { promise, state, events } = run({ chip: 'esp32c3', noMemEndReply: true });
    const loader = await promise;
    expect(loader.isStub).toBe(true);
    expect(loader.stubReused).toBe(false);
    expect(state.memBegins).toEqual([
      { size: IMAGE.text.length, blocks: 3, blockSize: 0x1800, address: IMAGE.textStart },
      { size: 204, blocks: 1, blockSize: 0x1800, address: IMAGE.dataStart },
    ]);
    expect(state.memBlocks).toEqual([
      { seq: 0, length: 0x1800 },
      { seq: 1, length: 0x1800 },
      { seq: 2, length: 100 },
      { seq: 0, length: 204 },
    ]);
    expect(state.memEnd).toEqual({ flag: 0, entry: IMAGE.entry });
    expect(events).toContainEqual({ type: 'stub-started', chip: 'esp32c3', reused: false });
    expect(events.at(-1)).toEqual({ type: 'connected', chip: 'esp32c3', baud: 115200, stub: true });
  });

  it('uses 0x800 blocks over USB-OTG and skips the ROM MEM_END reply when it does come', async () => {
    const { promise, state } = run({ chip: 'esp32s3' }, { usbOtg: true });
    expect((await promise).isStub).toBe(true);
    expect(state.memBegins.map((m) => m.blockSize)).toEqual([0x800, 0x800]);
    expect(state.memBlocks.filter((b) => b.length === 0x800).length).toBe(6);
  });

  it('fails with stub/no-ohai when the stub never announces itself and nothing can reset the chip', async () => {
    const { promise } = run({ chip: 'esp32', noOhai: true }, { before: 'no_reset' });
    const err = await failure(promise);
    expect(err.code).toBe('stub/no-ohai');
    expect(err.hint).toContain('--no-stub');
    expect(err.hint).toContain('--stub-version');
  });

  it('resets into the ROM loader and goes on without the stub where the port can reset', async () => {
    const { promise, events } = run({ chip: 'esp32', noOhai: true });
    const loader = await promise;
    expect(loader.isStub).toBe(false);
    expect(events).toContainEqual(expect.objectContaining({ type: 'warning', code: 'stub/rom-fallback' }));
    expect(events.at(-1)).toEqual({ type: 'connected', chip: 'esp32', baud: 115200, stub: false });
  });

  it('explains a missing OHAI with the ROM MEM_END error status', async () => {
    const err = await failure(
      run({ chip: 'esp32', memEndStatus: [1, 0x0f] }, { before: 'no_reset' }).promise,
    );
    expect(err.code).toBe('stub/no-ohai');
    expect(String(err.details.memEnd)).toContain('MEM_END failed: invalid RAM binary address');
  });

  it('re-uses a running stub (all SYNC values 0) without uploading', async () => {
    const { promise, state, events } = run({ chip: 'esp32s3', stubRunning: true }, { before: 'no_reset' });
    const loader = await promise;
    expect(loader.isStub).toBe(true);
    expect(loader.stubReused).toBe(true);
    expect(state.memBegins).toHaveLength(0);
    expect(events).toContainEqual({ type: 'stub-started', chip: 'esp32s3', reused: true });
  });

  it('continues with the ROM and warns when no stub exists for the chip', async () => {
    const { promise, events } = run({ chip: 'esp32h2' }, { stubProvider: async () => null });
    expect((await promise).isStub).toBe(false);
    expect(events).toContainEqual(expect.objectContaining({ type: 'warning', code: 'stub/unavailable' }));
  });

  it('propagates a provider failure', async () => {
    const boom: StubProvider = async () => {
      throw new EspflashError('stub/unavailable', 'missing', { hint: '--no-stub' });
    };
    const err = await failure(run({ chip: 'esp32' }, { stubProvider: boom }).promise);
    expect(err.code).toBe('stub/unavailable');
  });
});

describe('connect: baud change', () => {
  it('switches the ROM to the target baud before uploading the stub, once', async () => {
    const { promise, state, device, events } = run({ chip: 'esp32s3' }, { baud: 460800 });
    const loader = await promise;
    // ROM form (second word 0), and no second change once the stub runs at that baud.
    expect(state.baudArgs).toEqual([{ newBaud: 460800, second: 0 }]);
    expect(device.bauds).toEqual([460800]);
    expect(loader.isStub).toBe(true);
    expect(loader.baud).toBe(460800);
    const order = events.map((e) => e.type).filter((t) => t === 'baud-changed' || t === 'stub-started');
    expect(order).toEqual(['baud-changed', 'stub-started']);
    expect(events.at(-1)).toMatchObject({ type: 'connected', baud: 460800 });
  });

  it('sends the old baud as the second word to a stub that is already running', async () => {
    const { promise, state, device } = run(
      { chip: 'esp32s3', stubRunning: true },
      { baud: 460800, before: 'no_reset' },
    );
    const loader = await promise;
    expect(state.baudArgs).toEqual([{ newBaud: 460800, second: 115200 }]);
    expect(device.bauds).toEqual([460800]);
    expect(loader.baud).toBe(460800);
  });

  it('sends 0 as the second word to a ROM', async () => {
    const { promise, state } = run({ chip: 'esp32c6' }, { baud: 921600, stub: false });
    await promise;
    expect(state.baudArgs).toEqual([{ newBaud: 921600, second: 0 }]);
  });

  it('corrects for the ESP32 ROM crystal calibration', async () => {
    // cali = 0x2000 → rom clock = 8192 × 15625 × 40 / 40 = 128 MHz (> 33 MHz, so real = 40 MHz).
    const regs = { 1073082476: 0x2000 << 7, 1073061904: 40 };
    const { promise, state } = run({ chip: 'esp32', regs }, { baud: 460800, stub: false });
    await promise;
    const romHz = 0x2000 * 15625;
    expect(state.baudArgs[0]!.newBaud).toBe(Math.floor((460800 * romHz) / 40e6));
    expect(state.baudArgs[0]!.second).toBe(0);
  });

  it('applies the C2 ROM 26 MHz trick when UART_CLKDIV says 26 MHz', async () => {
    // 115200 × 226 / 1e6 ≈ 26.0 MHz
    const { promise, state } = run(
      { chip: 'esp32c2', regs: { 1610612756: 226 } },
      { baud: 460800, stub: false },
    );
    await promise;
    expect(state.baudArgs[0]!.newBaud).toBe(Math.floor((460800 * 40) / 26));
  });

  it('leaves the baud alone on a transport without one (raw TCP) unless told the far end follows', async () => {
    const { promise, state, device } = run(
      { chip: 'esp32', capabilities: { baudRate: false } },
      { baud: 921600 },
    );
    const loader = await promise;
    expect(state.baudArgs).toHaveLength(0);
    expect(device.bauds).toHaveLength(0);
    expect(loader.baud).toBe(115200);
  });

  it('over raw TCP with remoteBaud, only the stub switches the chip (no ROM switch before the upload)', async () => {
    const { promise, state, device, events } = run(
      { chip: 'esp32', capabilities: { baudRate: false } },
      { baud: 921600, remoteBaud: true },
    );
    const loader = await promise;
    // The stub form (second word = the old rate), sent once, after the stub started.
    expect(state.baudArgs).toEqual([{ newBaud: 921600, second: 115200 }]);
    expect(device.bauds).toEqual([921600]);
    expect(loader.isStub).toBe(true);
    expect(loader.baud).toBe(921600);
    const order = events.map((e) => e.type).filter((t) => t === 'baud-changed' || t === 'stub-started');
    expect(order).toEqual(['stub-started', 'baud-changed']);
  });

  it('keeps the baud on an ESP8266 ROM and warns', async () => {
    const { promise, state, device, events } = run({ chip: 'esp8266' }, { baud: 460800, stub: false });
    expect((await promise).baud).toBe(115200);
    expect(state.baudArgs).toHaveLength(0);
    expect(device.bauds).toHaveLength(0);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'warning', code: 'connect/baud-unchanged' }),
    );
  });
});

describe('connect: reset strategies and modes', () => {
  it('cycles strategies across attempts and reports each attempt', async () => {
    const { promise, events } = run(
      { chip: 'esp32', bootMode: 'app', startInDownload: false },
      { attempts: 6 },
    );
    await failure(promise);
    expect(
      events.filter((e) => e.type === 'connect-attempt').map((e) => (e as { strategy: string }).strategy),
    ).toEqual([
      'unix-tight(50)',
      'unix-tight(550)',
      'classic(50)',
      'classic(550)',
      'unix-tight(50)',
      'unix-tight(550)',
    ]);
  });

  it('connects on a later attempt when an earlier one fails', async () => {
    const clock = new FakeClock();
    const { device, state } = createScriptedRom(clock, { chip: 'esp32', startInDownload: false });
    const inner = device.responder;
    // The first reset does not take: the chip only answers after the second strategy ran.
    device.responder = (req, d) => {
      if (state.resets >= 2) inner?.(req, d);
    };
    const loader = await connect({ transport: device, clock, stub: false });
    expect(loader.chip.name).toBe('esp32');
    expect(state.resets).toBe(2);
  });

  it('uses a custom sequence instead of the built-ins', async () => {
    const { promise, device, events } = run(
      { chip: 'esp32', startInDownload: false },
      { stub: false, resetSequence: 'D0|R1|W10|D1|R0|W5|D0' },
    );
    await promise;
    expect(events[0]).toEqual({ type: 'connect-attempt', attempt: 1, strategy: 'custom' });
    expect(device.signalLog.map((s) => `${+s.dtr}${+s.rts}`)).toEqual(['00', '01', '11', '10', '00']);
  });

  it('rejects a bad custom sequence before touching the port', async () => {
    const { promise, device } = run({ chip: 'esp32' }, { resetSequence: 'D0|Q1' });
    const err = await failure(promise);
    expect(err.code).toBe('reset/bad-sequence');
    expect(device.sent).toHaveLength(0);
  });

  it('uses the USB-JTAG reset and disables the watchdogs over USB-Serial/JTAG', async () => {
    const { promise, events, state } = run(
      { chip: 'esp32c3', startInDownload: false },
      { usbJtagSerial: true, stub: false },
    );
    await promise;
    expect(events[0]).toEqual({ type: 'connect-attempt', attempt: 1, strategy: 'usb-jtag-serial' });
    const c3 = CHIPS.find((c) => c.name === 'esp32c3')!.watchdog!;
    expect(state.writes.map((w) => [w.address, w.value])).toEqual([
      [c3.wprotect, 0x50d83aa1],
      [c3.config0, 0],
      [c3.wprotect, 0],
      [c3.swdWprotect, c3.swdKey],
      [c3.swdConf, (1 << 31) >>> 0],
      [c3.swdWprotect, 0],
    ]);
  });

  it('skips the reset (warning once) on a transport without modem lines', async () => {
    const { promise, device, events } = run(
      { chip: 'esp32', capabilities: { modemLines: false } },
      { stub: false },
    );
    await promise;
    expect(device.signalLog).toHaveLength(0);
    expect(events.filter((e) => e.type === 'warning' && e.code === 'connect/no-modem-lines')).toHaveLength(1);
  });

  it('says no reset was done on a transport without modem lines, and is quiet with --before no_reset', async () => {
    const loud = run({ chip: 'esp32', capabilities: { modemLines: false } }, { stub: false });
    await loud.promise;
    const warning = loud.events.find((e) => e.type === 'warning' && e.code === 'connect/no-modem-lines');
    expect(warning && 'message' in warning ? warning.message : '').toMatch(/no reset was done/);
    for (const before of ['no_reset', 'no-reset'] as const) {
      const quiet = run(
        { chip: 'esp32', capabilities: { modemLines: false } },
        { before: before as never, stub: false },
      );
      await quiet.promise;
      expect(quiet.device.signalLog).toHaveLength(0);
      expect(quiet.events.filter((e) => e.type === 'warning')).toEqual([]);
    }
  });

  it('uploads the stub in 1 KiB blocks where nothing could reset a chip whose stub arrived damaged', async () => {
    const resettable = run({ chip: 'esp32' });
    await resettable.promise;
    expect(resettable.state.memBegins.map((b) => b.blockSize)).toEqual([0x1800, 0x1800]);
    const { promise, state } = run({ chip: 'esp32', capabilities: { modemLines: false } });
    await promise;
    expect(state.memBegins[0]).toEqual({
      size: IMAGE.text.length,
      blocks: Math.ceil(IMAGE.text.length / 0x400),
      blockSize: 0x400,
      address: IMAGE.textStart,
    });
    expect(state.memBlocks.every((b) => b.length <= 0x400)).toBe(true);
  });

  it('connects without a reset, and without a warning, over a raw stream (raw TCP)', async () => {
    // Decided by the capability, not by the description's URL scheme.
    const { promise, device, events } = run(
      {
        chip: 'esp32',
        description: 'tcp-bridge',
        capabilities: { modemLines: false, baudRate: false, rawStream: true },
      },
      { stub: false },
    );
    await promise;
    expect(device.signalLog).toHaveLength(0);
    expect(events[0]).toEqual({ type: 'connect-attempt', attempt: 1, strategy: 'no-reset' });
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
  });

  it('resets a transport whose description looks like a socket URL but that has modem lines', async () => {
    const { promise, device } = run(
      { chip: 'esp32', description: 'socket://127.0.0.1:5555' },
      { stub: false },
    );
    await promise;
    expect(device.signalLog.length).toBeGreaterThan(0);
  });

  it('no_reset_no_sync sends no SYNC at all', async () => {
    const { promise, device } = run({ chip: 'esp32s3' }, { before: 'no_reset_no_sync', stub: false });
    expect((await promise).chip.name).toBe('esp32s3');
    expect(device.requests(OP.SYNC)).toHaveLength(0);
    expect(device.signalLog).toHaveLength(0);
  });

  it('accepts the hyphen spelling of --before', async () => {
    const { promise, device } = run({ chip: 'esp32s3' }, { before: 'no-reset' as never, stub: false });
    await promise;
    expect(device.signalLog).toHaveLength(0);
    expect(device.requests(OP.SYNC).length).toBeGreaterThan(0);
  });

  it('syncs through boot noise delivered one byte at a time', async () => {
    const { promise } = run({ chip: 'esp32', startInDownload: false, chunkSize: 1 }, { stub: false });
    expect((await promise).bootLog).toContain('boot:0x3');
  });
});

describe('connect: failure diagnosis', () => {
  const cases: Array<[string, ScriptedRomOptions, string, RegExp]> = [
    [
      'wrong boot mode',
      { chip: 'esp32', bootMode: 'app', startInDownload: false },
      'connect/wrong-boot-mode',
      /0x13/,
    ],
    ['download mode but no replies', { chip: 'esp32', txDown: true }, 'connect/no-sync-tx-down', /TX path/],
    ['silence', { chip: 'esp32', silent: true }, 'connect/no-serial-data', /No serial data/],
    ['garbage', { chip: 'esp32', garbage: true }, 'connect/garbage', /wrong baud/],
  ];
  it.each(cases)('%s', async (_label, rom, code, message) => {
    const { promise } = run(rom, { attempts: 2, syncTries: 2 });
    const err = await failure(promise);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.hint).toBeTruthy();
    expect(err.details.attempts).toBe(2);
  });

  it('mentions rfc2217 and BOOT in the relevant hints', async () => {
    const silent = await failure(run({ chip: 'esp32', silent: true }, { attempts: 1, syncTries: 1 }).promise);
    expect(silent.hint).toContain('rfc2217://');
    const boot = await failure(
      run({ chip: 'esp32', bootMode: 'app', startInDownload: false }, { attempts: 1, syncTries: 1 }).promise,
    );
    expect(boot.message).toBe(
      'Wrong boot mode detected (0x13) on fake://device: the chip is not in download mode',
    );
    expect(boot.hint).toContain('BOOT');
    expect(boot.hint).toContain('--before');
  });

  it('stops at once when aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    const { promise } = run({ chip: 'esp32' }, { signal: ac.signal });
    await expect(promise).rejects.toThrow('stop');
  });
});
