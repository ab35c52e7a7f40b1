// Conformance: esptool-js 0.7.0, unmodified, against the virtual chip through a fake Web Serial
// port. If the sim differed from a real loader where esptool-js depends on it, these runs would fail.
//
// Known esptool-js/PROTOCOL.md differences (the sim follows PROTOCOL.md):
// - The ESP32 ROM rejects GET_SECURITY_INFO with a reply echoing opcode 0x14; esptool-js only maps
//   a *different*-opcode 0x05 reply to UnsupportedCommandError, so it reconnects once and detects
//   the chip by magic instead ("Autodetection failed, trying again...").
// - esptool-js's HardReset never asserts RTS, so after('hard_reset') leaves the chip in the stub.

import { createHash, randomBytes } from 'node:crypto';
import { ESPLoader, Transport as EspJsTransport } from 'esptool-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChipName } from '../../src/chips/chips.js';
import { createSimTransport, type SimTransport } from '../../src/sim/sim-transport.js';
import { TransportWebSerialPort } from './support/web-serial.js';

interface Run {
  sim: SimTransport;
  port: TransportWebSerialPort;
  loader: ESPLoader;
  log: string[];
}

const open: SimTransport[] = [];
// esptool-js traces its read loop with console.log; keep test output readable.
beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  vi.restoreAllMocks();
});

function setup(chip: ChipName, options: { startInDownloadMode?: boolean; baud?: number } = {}): Run {
  const sim = createSimTransport({ chip, startInDownloadMode: options.startInDownloadMode ?? false });
  open.push(sim);
  const port = new TransportWebSerialPort(sim);
  const log: string[] = [];
  const terminal = {
    clean() {},
    writeLine: (s: string) => log.push(s),
    write: (s: string) => log.push(s),
  };
  const transport = new EspJsTransport(
    port as unknown as ConstructorParameters<typeof EspJsTransport>[0],
    false,
  );
  const loader = new ESPLoader({
    transport,
    baudrate: options.baud ?? 921600,
    romBaudrate: 115200,
    terminal,
  });
  return { sim, port, loader, log };
}

const md5 = (data: string | Uint8Array) =>
  createHash('md5')
    .update(typeof data === 'string' ? Buffer.from(data, 'latin1') : data)
    .digest('hex');

/** esptool-js hands the image to calculateMD5Hash as a binary string or bytes depending on version. */
const calculateMD5Hash = (image: unknown) => md5(image as Uint8Array);

function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('esptool-js against the sim', () => {
  it('resets into download mode, uploads the stub, changes baud, writes, verifies, reads and erases (ESP32)', async () => {
    const { sim, port, loader, log } = setup('esp32');
    expect(sim.device.mode).toBe('app');
    const chip = await loader.main('default_reset');
    expect(chip).toContain('ESP32');
    expect(sim.device.mode).toBe('stub');
    expect(sim.device.baud).toBe(921600);
    expect(port.signalLog.some((s) => s.rts && !s.dtr)).toBe(true);
    expect(log.join('\n')).toContain('MAC: 24:0a:c4:5e:1a:00');
    expect(log.join('\n')).toContain('Crystal is 40MHz');

    const boot = pattern(0x5000, 1);
    boot[0] = 0xe9;
    const app = randomBytes(150_000);
    const compressible = new Uint8Array(70_000).fill(0x5a);
    await loader.writeFlash({
      fileArray: [
        { data: boot, address: 0x1000 },
        { data: new Uint8Array(app), address: 0x10000 },
        { data: compressible, address: 0x200000 },
      ],
      flashMode: 'keep',
      flashFreq: 'keep',
      flashSize: 'keep',
      eraseAll: false,
      compress: true,
      calculateMD5Hash,
    });
    const flash = sim.device.flash;
    expect(flash.read(0x1000, boot.length)).toEqual(boot);
    expect(flash.read(0x10000, app.length)).toEqual(new Uint8Array(app));
    expect(flash.read(0x200000, compressible.length)).toEqual(compressible);
    expect(log.filter((l) => l.includes('Hash of data verified')).length).toBe(3);

    const plain = pattern(10_000, 7);
    await loader.writeFlash({
      fileArray: [{ data: plain, address: 0x300000 }],
      flashMode: 'keep',
      flashFreq: 'keep',
      flashSize: 'keep',
      eraseAll: false,
      compress: false,
      calculateMD5Hash,
    });
    expect(flash.read(0x300000, plain.length)).toEqual(plain);
    // Everything after the image up to the end of the sector is erased, not garbage.
    expect(flash.read(0x300000 + plain.length, 0x1000 - (plain.length % 0x1000))).toEqual(
      new Uint8Array(0x1000 - (plain.length % 0x1000)).fill(0xff),
    );

    const back = await loader.readFlash(0x10000, 20_000);
    expect(back).toEqual(new Uint8Array(app).subarray(0, 20_000));

    await loader.eraseFlash();
    expect(flash.read(0, flash.size).every((b) => b === 0xff)).toBe(true);
    expect(flash.counters.chipErases).toBe(1);

    await loader.after('hard_reset');
    expect(sim.device.mode).toBe('stub');
  });

  it('detects an ESP32-S3 by GET_SECURITY_INFO and reads its flash id', async () => {
    const { sim, loader, log } = setup('esp32s3', { startInDownloadMode: true, baud: 460800 });
    await loader.main('no_reset');
    expect(loader.chip.CHIP_NAME).toBe('ESP32-S3');
    expect(log.join('\n')).not.toContain('Autodetection failed');
    expect(sim.device.mode).toBe('stub');
    const id = await loader.readFlashId();
    expect(id).toBe(0x1640ef);
  });

  it('connects to an ESP8266 whose ROM prints at 74880 baud and auto-bauds on SYNC', async () => {
    const { sim, loader } = setup('esp8266', { baud: 115200 });
    await loader.main('default_reset');
    expect(loader.chip.CHIP_NAME).toBe('ESP8266');
    expect(sim.device.mode).toBe('stub');
    const data = pattern(5000, 3);
    await loader.writeFlash({
      fileArray: [{ data, address: 0x0 }],
      flashMode: 'keep',
      flashFreq: 'keep',
      flashSize: 'keep',
      eraseAll: false,
      compress: true,
      calculateMD5Hash,
    });
    expect(sim.device.flash.read(0, data.length)).toEqual(data);
  });
});
