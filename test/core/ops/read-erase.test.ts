import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eraseFlash, eraseRegion } from '../../../src/core/ops/erase.js';
import { flashMd5 } from '../../../src/core/ops/md5-region.js';
import { readFlash } from '../../../src/core/ops/read-flash.js';
import { readU32 } from '../../../src/core/protocol/bytes.js';
import { OP } from '../../../src/core/protocol/opcodes.js';
import { ScriptedLoader, sampleBytes } from './support/scripted-loader.js';

describe('readFlash', () => {
  it('stub: stop-and-wait frames, ACK with running totals, final MD5 frame checked', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32', stub: true });
    const data = sampleBytes(10_000);
    loader.flash.set(data, 0x3000);
    const got = await readFlash(loader, { offset: 0x3000, size: 10_000 });
    expect(got).toEqual(data);
    expect(loader.acks).toEqual([4096, 8192, 10_000]);
    const req = loader.log.find((c) => c.op === OP.READ_FLASH)!;
    expect([0, 1, 2, 3].map((i) => readU32(req.data!, i * 4))).toEqual([0x3000, 10_000, 0x1000, 64]);
    const progress = loader.events.filter((e) => e.type === 'read-progress');
    expect(progress.map((e) => (e.type === 'read-progress' ? e.read : 0))).toEqual([4096, 8192, 10_000]);
  });

  it('stub: a wrong digest frame is flash/read-md5-mismatch', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32s3', stub: true, badReadDigest: true });
    await expect(readFlash(loader, { offset: 0, size: 5000 })).rejects.toMatchObject({
      code: 'flash/read-md5-mismatch',
    });
  });

  it('ROM: READ_FLASH_SLOW in 64-byte steps, keeping only the bytes asked for', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32c3', stub: false });
    const data = sampleBytes(200);
    loader.flash.set(data, 0x100);
    const got = await readFlash(loader, { offset: 0x100, size: 200 });
    expect(got).toEqual(data);
    const reqs = loader.log.filter((c) => c.op === OP.READ_FLASH_SLOW);
    expect(reqs.map((r) => [readU32(r.data!, 0), readU32(r.data!, 4)])).toEqual([
      [0x100, 64],
      [0x140, 64],
      [0x180, 64],
      [0x1c0, 8],
    ]);
    expect(reqs.every((r) => r.responseDataLength === 64)).toBe(true);
  });

  it('ESP8266 ROM cannot read flash: flash/read-needs-stub', async () => {
    const loader = new ScriptedLoader({ chip: 'esp8266', stub: false });
    await expect(readFlash(loader, { offset: 0, size: 16 })).rejects.toMatchObject({
      code: 'flash/read-needs-stub',
    });
    expect(loader.log).toHaveLength(0);
  });
});

describe('erase', () => {
  it('rejects unaligned regions with a usage error before sending anything', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32', stub: true });
    for (const [offset, size] of [
      [0x100, 0x1000],
      [0x1000, 0x800],
      [0x1000, 0],
    ] as const) {
      const err = await eraseRegion(loader, { offset, size }).catch((e) => e);
      expect(err.code).toBe('erase/unaligned');
      expect(err.exitCode).toBe(2);
    }
    expect(loader.log).toHaveLength(0);
  });

  it('stub ERASE_REGION with a 40 s/MB timeout erases exactly the range', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32', stub: true });
    loader.flash.fill(0, 0, 0x400000);
    await eraseRegion(loader, { offset: 0x10000, size: 0x200000 });
    const req = loader.log[0]!;
    expect(req.op).toBe(OP.ERASE_REGION);
    expect(req.timeoutMs).toBe(Math.ceil((40_000 * 0x200000) / 1e6));
    expect(loader.flash[0xffff]).toBe(0);
    expect(loader.flash.subarray(0x10000, 0x210000).every((b) => b === 0xff)).toBe(true);
    expect(loader.flash[0x210000]).toBe(0);
  });

  it('ROM falls back to FLASH_BEGIN(size, 0 blocks) with the erase timeout', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32s2', stub: false });
    loader.flash.fill(0, 0, 0x20000);
    await eraseRegion(loader, { offset: 0x8000, size: 0x4000 });
    const req = loader.log[0]!;
    expect(req.op).toBe(OP.FLASH_BEGIN);
    expect([0, 1, 3].map((i) => readU32(req.data!, i * 4))).toEqual([0x4000, 0, 0x8000]);
    expect(loader.flash.subarray(0x8000, 0xc000).every((b) => b === 0xff)).toBe(true);
    expect(loader.flash[0xc000]).toBe(0);
  });

  it('eraseFlash: stub ERASE_FLASH with 120 s; ROM needs the flash size', async () => {
    const stub = new ScriptedLoader({ chip: 'esp32', stub: true });
    stub.flash.fill(0);
    await eraseFlash(stub);
    expect(stub.log[0]).toMatchObject({ op: OP.ERASE_FLASH, timeoutMs: 120_000 });
    expect(stub.flash.every((b) => b === 0xff)).toBe(true);
    const rom = new ScriptedLoader({ chip: 'esp32', stub: false });
    await expect(eraseFlash(rom)).rejects.toMatchObject({ code: 'erase/size-unknown' });
    await eraseFlash(rom, { flashSize: 4 << 20 });
    expect(rom.log[0]!.op).toBe(OP.FLASH_BEGIN);
  });
});

describe('flashMd5', () => {
  it('decodes the stub raw digest and the ROM ASCII digest with an 8 s/MB timeout', async () => {
    const data = sampleBytes(3_000_000);
    const want = createHash('md5').update(data).digest('hex');
    for (const stub of [true, false]) {
      const loader = new ScriptedLoader({ chip: 'esp32c3', stub });
      loader.flash.set(data, 0);
      expect(await flashMd5(loader, { offset: 0, size: data.length })).toBe(want);
      expect(loader.log[0]!.responseDataLength).toBe(stub ? 16 : 32);
      expect(loader.log[0]!.timeoutMs).toBe(24_000);
    }
  });

  it('is unsupported on the ESP8266 ROM and in Secure Download Mode', async () => {
    await expect(
      flashMd5(new ScriptedLoader({ chip: 'esp8266', stub: false }), { offset: 0, size: 4 }),
    ).rejects.toMatchObject({
      code: 'flash/md5-unsupported',
    });
    await expect(
      flashMd5(new ScriptedLoader({ chip: 'esp32s3', stub: false, sdm: true }), { offset: 0, size: 4 }),
    ).rejects.toMatchObject({
      code: 'flash/md5-unsupported',
    });
  });
});
