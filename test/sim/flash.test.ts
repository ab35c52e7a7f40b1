// NOR flash semantics, flash-file persistence, and the sim:// URL / option parsers.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NorFlash, pagesTouched, planErase } from '../../src/sim/nor-flash.js';
import { createSimTransport, parseSimUrl } from '../../src/sim/sim-transport.js';
import { expectOk, TestHost, words } from './support/host.js';

const KB = 1024;

describe('NOR flash', () => {
  it('starts erased and only clears bits when programming', () => {
    const f = new NorFlash({ size: 64 * KB });
    expect(f.read(0, 4)).toEqual(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    expect(f.program(0, new Uint8Array([0xf0, 0x0f])).verified).toBe(true);
    const again = f.program(0, new Uint8Array([0x3c, 0x3c]));
    expect(again.verified).toBe(false);
    expect(f.read(0, 2)).toEqual(new Uint8Array([0x30, 0x0c]));
    // Writing a subset of the remaining 1-bits is fine.
    expect(f.program(0, new Uint8Array([0x10, 0x04])).verified).toBe(true);
  });

  it('erases sectors, blocks and the chip, and counts every operation', () => {
    const f = new NorFlash({ size: 128 * KB });
    f.program(0, new Uint8Array(128 * KB));
    f.eraseSector(0x1234);
    expect(Array.from(f.read(0x0fff, 2))).toEqual([0x00, 0xff]);
    expect(Array.from(f.read(0x1fff, 2))).toEqual([0xff, 0x00]);
    f.eraseBlock(0x10010);
    expect(f.read(0x10000, 0x10000).every((b) => b === 0xff)).toBe(true);
    expect(f.read(0xffff, 1)[0]).toBe(0x00);
    f.eraseChip();
    expect(f.read(0x2000, 1)[0]).toBe(0xff);
    expect(f.counters).toMatchObject({
      sectorsErased: 1,
      blocksErased: 1,
      chipErases: 1,
      bytesProgrammed: 128 * KB,
      writeOps: 1,
    });
  });

  it('wraps addresses past the end like a real part', () => {
    const f = new NorFlash({ size: 64 * KB });
    f.program(64 * KB + 5, new Uint8Array([0x12]));
    expect(f.read(5, 1)[0]).toBe(0x12);
  });

  it('plans erases as sectors to a 64 KiB boundary, then blocks, then sectors', () => {
    expect(planErase(0xe000, 0x22000)).toEqual([
      { kind: 'sector', offset: 0xe000 },
      { kind: 'sector', offset: 0xf000 },
      { kind: 'block', offset: 0x10000 },
      { kind: 'sector', offset: 0x20000 },
      { kind: 'sector', offset: 0x21000 },
    ]);
    expect(pagesTouched(0xff, 2)).toBe(2);
    expect(pagesTouched(0x100, 0x100)).toBe(1);
  });
});

describe('flash file persistence', () => {
  it('saves on close and loads into the next device', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'espflash-sim-'));
    const file = join(dir, 'flash.bin');
    const t1 = createSimTransport({ chip: 'esp32c3', flashSize: 1024 * KB, flashFile: file });
    const host = new TestHost(t1);
    await expectOk(host, 0x0d, words(0, 0));
    t1.device.flash.program(0x2000, new Uint8Array([1, 2, 3]));
    await t1.close();
    const saved = new Uint8Array(readFileSync(file));
    expect(saved.length).toBe(1024 * KB);
    expect(Array.from(saved.subarray(0x2000, 0x2004))).toEqual([1, 2, 3, 0xff]);
    const t2 = createSimTransport({ chip: 'esp32c3', flashSize: 1024 * KB, flashFile: file });
    expect(Array.from(t2.device.flash.read(0x2000, 3))).toEqual([1, 2, 3]);
    await t2.close();
  });

  it('pads a short file with 0xFF and refuses one larger than the flash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'espflash-sim-'));
    const small = join(dir, 'small.bin');
    writeFileSync(small, Buffer.from([0, 0]));
    const t = createSimTransport({ chip: 'esp32', flashSize: 1024 * KB, flashFile: small });
    expect(Array.from(t.device.flash.read(0, 3))).toEqual([0, 0, 0xff]);
    void t.close();
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(2048 * KB));
    expect(() => createSimTransport({ chip: 'esp32', flashSize: 1024 * KB, flashFile: big })).toThrow(
      expect.objectContaining({ code: 'sim/flash-file-size', exitCode: 2 }),
    );
  });
});

describe('parseSimUrl', () => {
  it('reads chip, size, file, MAC, timing and download', () => {
    expect(parseSimUrl('sim://esp32?flashSize=4MB&flashFile=x.bin&timing=0')).toEqual({
      chip: 'esp32',
      flashSize: 4 * 1024 * KB,
      flashFile: 'x.bin',
      timing: false,
    });
    expect(parseSimUrl('sim://ESP32-S3?flashSize=16M&mac=24:0a:c4:00:00:01&download=0')).toEqual({
      chip: 'esp32s3',
      flashSize: 16 * 1024 * KB,
      mac: '24:0a:c4:00:00:01',
      startInDownloadMode: false,
    });
  });

  it.each([
    ['sim://esp99', 'sim/bad-chip'],
    ['sim://esp32?flashSize=3MB', 'sim/bad-flash-size'],
    ['sim://esp32?flashSize=lots', 'sim/bad-url'],
    ['sim://esp32?colour=blue', 'sim/bad-url'],
    ['sim://esp32?timing=maybe', 'sim/bad-url'],
    ['sim://esp32?mac=zz', 'sim/bad-mac'],
    ['serial:///dev/ttyUSB0', 'sim/bad-url'],
  ])('rejects %s with %s and a hint', (url, code) => {
    let err: unknown;
    try {
      parseSimUrl(url);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code, exitCode: 2 });
    expect((err as { hint?: string }).hint).toBeTruthy();
  });
});
