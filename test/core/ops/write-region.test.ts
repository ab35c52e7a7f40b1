import { createHash, randomBytes } from 'node:crypto';
import { deflate, Inflate } from 'pako';
import { describe, expect, it } from 'vitest';
import { readU32 } from '../../../src/core/protocol/bytes.js';
import { OP } from '../../../src/core/protocol/opcodes.js';
import { type WriteRegionOptions, writeRegion } from '../../../src/core/write/write-region.js';
import { isEspflashError } from '../../../src/errors.js';
import { ScriptedLoader, sampleBytes } from './support/scripted-loader.js';

const md5hex = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const words = (d: Uint8Array | undefined) => {
  const out: number[] = [];
  for (let i = 0; d && i + 4 <= d.length; i += 4) out.push(readU32(d, i));
  return out;
};
const base = { index: 0, label: 'factory', role: 'app' };
/** The engine with the fake's event log as its sink. */
const write = (loader: ScriptedLoader, o: Omit<WriteRegionOptions, 'onEvent'>) =>
  writeRegion(loader, { ...o, onEvent: loader.onEvent });

describe('writeRegion with the ROM (uncompressed)', () => {
  it('aligns an unaligned start down to 4 KiB with 0xFF, pads the tail to 4 bytes, sends 0x400 blocks and no END', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32', stub: false });
    loader.flash.fill(0x00, 0x1000, 0x2000); // stale bytes the ROM must erase
    const data = sampleBytes(0x500 + 3);
    const r = await write(loader, { ...base, offset: 0x1234, data, skipIfMatch: false });

    expect(r.offset).toBe(0x1000);
    expect(r.size).toBe(0x234 + 0x504);
    expect(loader.flash.subarray(0x1234, 0x1234 + data.length)).toEqual(data);
    expect(loader.flash.subarray(0x1000, 0x1234).every((b) => b === 0xff)).toBe(true);
    expect(loader.flash[0x1234 + data.length]).toBe(0xff); // the 4-byte tail pad

    const begin = loader.log.find((c) => c.op === OP.FLASH_BEGIN)!;
    // ESP32 ROM: 4 words (no `encrypted` word); erase size = covered bytes; 0x400 blocks.
    expect(words(begin.data)).toEqual([r.size, Math.ceil(r.size / 0x400), 0x400, 0x1000]);
    const blocks = loader.log.filter((c) => c.op === OP.FLASH_DATA);
    expect(blocks).toHaveLength(Math.ceil(r.size / 0x400));
    for (const b of blocks) expect(b.data!.length).toBe(16 + 0x400); // last block padded too
    expect(loader.ops).not.toContain(OP.FLASH_END);
    expect(loader.ops).not.toContain(OP.FLASH_DEFL_BEGIN);
  });

  it('verifies with the ROM ASCII MD5 of the padded, aligned bytes and emits events in order', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32s3', stub: false });
    const data = sampleBytes(3000);
    const r = await write(loader, { ...base, offset: 0x10000, data });
    const padded = new Uint8Array(3000);
    padded.set(data);
    expect(r.md5).toBe(md5hex(padded));
    expect(r.status).toBe('written');
    expect(r.verified).toBe(true);
    const types = loader.events.map((e) => e.type);
    expect(types[0]).toBe('region-start');
    expect(types.at(-1)).toBe('region-verified');
    expect(types.filter((t) => t === 'region-progress')).toHaveLength(Math.ceil(3000 / 0x400));
    // S3 ROM FLASH_BEGIN carries the 5th `encrypted` word.
    expect(words(loader.log.find((c) => c.op === OP.FLASH_BEGIN)!.data)).toHaveLength(5);
  });

  it('compresses to an ESP32-family ROM only when asked, with the size word rounded up to 0x400', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32c3', stub: false });
    const data = sampleBytes(5000);
    await write(loader, { ...base, offset: 0x20000, data, compress: true, skipIfMatch: false });
    const begin = loader.log.find((c) => c.op === OP.FLASH_DEFL_BEGIN)!;
    expect(words(begin.data)[0]).toBe(Math.ceil(5000 / 0x400) * 0x400);
    expect(words(begin.data)[2]).toBe(0x400);
    expect(loader.ops).not.toContain(OP.FLASH_DEFL_END);
    expect(loader.flash.subarray(0x20000, 0x20000 + 5000)).toEqual(data);
  });

  it('never compresses to the ESP8266 ROM and warns that it cannot verify', async () => {
    const loader = new ScriptedLoader({ chip: 'esp8266', stub: false });
    const data = sampleBytes(100);
    const r = await write(loader, { ...base, offset: 0, data, compress: true });
    expect(loader.ops).not.toContain(OP.FLASH_DEFL_BEGIN);
    expect(loader.ops).not.toContain(OP.SPI_FLASH_MD5);
    expect(r.verified).toBe(false);
    const warning = loader.events.find((e) => e.type === 'warning' && e.code === 'flash/unverified');
    expect(warning && 'message' in warning ? warning.message : '').toMatch(
      /ESP8266 ROM loader cannot compute/,
    );
    expect(words(loader.log.find((c) => c.op === OP.FLASH_BEGIN)!.data)).toHaveLength(4);
    expect(loader.flash.subarray(0, 100)).toEqual(data);
  });

  it('in Secure Download Mode, the unverified warning names the mode, not a missing ROM MD5', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32s3', stub: false, sdm: true });
    const data = sampleBytes(0x1800);
    const r = await write(loader, { ...base, offset: 0x10000, data, skipIfMatch: false });
    expect(r.verified).toBe(false);
    expect(loader.ops).not.toContain(OP.SPI_FLASH_MD5);
    const warning = loader.events.find((e) => e.type === 'warning' && e.code === 'flash/unverified');
    const message = warning && 'message' in warning ? warning.message : '';
    expect(message).toMatch(/Secure Download Mode, which blocks the flash MD5/);
    expect(message).not.toMatch(/ROM cannot compute/);
    expect(message).toContain('0x10000');
    expect(loader.flash.subarray(0x10000, 0x10000 + data.length)).toEqual(data);
  });

  it('announces the ESP8266 ROM erase size that compensates its erase bug', async () => {
    const loader = new ScriptedLoader({ chip: 'esp8266', stub: false });
    // 3 sectors starting in sector 15 of a 16-sector block: head = 1 sector, so (3 - 1) sectors.
    await write(loader, { ...base, offset: 0xf000, data: sampleBytes(0x3000) });
    expect(words(loader.log.find((c) => c.op === OP.FLASH_BEGIN)!.data)[0]).toBe(0x2000);
  });
});

describe('writeRegion with the stub (compressed)', () => {
  it('compresses the whole image once, sends exact size in 0x4000 blocks, ends with DEFL_END(1)', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32', stub: true });
    const data = sampleBytes(100_001);
    const r = await write(loader, { ...base, offset: 0x10001, data, skipIfMatch: false });
    const compressed = deflate(data, { level: 9 });

    expect(r.offset).toBe(0x10001); // the stub writes unaligned starts as they are
    expect(r.size).toBe(100_004);
    const begin = loader.log.find((c) => c.op === OP.FLASH_DEFL_BEGIN)!;
    const padded = new Uint8Array(100_004).fill(0xff);
    padded.set(data);
    const paddedCompressed = deflate(padded, { level: 9 });
    const blocks = Math.ceil(paddedCompressed.length / 0x4000);
    expect(words(begin.data)).toEqual([100_004, blocks, 0x4000, 0x10001, 0]);
    expect(compressed.length).toBeLessThan(data.length);
    const sent = loader.log.filter((c) => c.op === OP.FLASH_DEFL_DATA);
    expect(sent).toHaveLength(blocks);
    expect(sent.at(-1)!.data!.length).toBe(16 + (paddedCompressed.length - (blocks - 1) * 0x4000)); // not padded
    const endIdx = loader.ops.lastIndexOf(OP.FLASH_DEFL_END);
    expect(words(loader.log[endIdx]!.data)).toEqual([1]);
    expect(loader.ops.slice(endIdx + 1)).toEqual([OP.SPI_FLASH_MD5]);
    expect(loader.flash.subarray(0x10001, 0x10001 + data.length)).toEqual(data);
    expect(r.wireBytes).toBe(paddedCompressed.length);
  });

  it('times each stub block by the longer of its own and the previous block’s work (ACK before or after writing)', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32s3', stub: true, flashSize: 16 << 20 });
    const data = new Uint8Array(4 << 20).fill(0x5a); // compresses extremely well: few blocks, huge inflation
    data.set(sampleBytes(200_000), 1_000_000);
    await write(loader, { ...base, offset: 0, data, skipIfMatch: false });

    const compressed = deflate(data, { level: 9 });
    const inflater = new Inflate();
    let produced = 0;
    inflater.onData = (c) => {
      produced += (c as Uint8Array).length;
    };
    const expected: number[] = [];
    let prev = 3000;
    for (let at = 0; at < compressed.length; at += 0x4000) {
      const before = produced;
      inflater.push(compressed.subarray(at, at + 0x4000), 2);
      const n = produced - before;
      const erase = (Math.ceil(n / 32768) + 1) * 65536;
      const own = Math.min(240_000, Math.max(3000, Math.ceil((40_000 * (n + erase)) / 1e6)));
      prev = Math.max(prev, own);
      expected.push(prev);
    }
    const timeouts = loader.log.filter((c) => c.op === OP.FLASH_DEFL_DATA).map((c) => c.timeoutMs);
    expect(timeouts).toEqual(expected);
    expect(new Set(timeouts).size).toBeGreaterThan(1);
  });

  it('skips the write when the device already holds the bytes', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32c6', stub: true });
    const data = sampleBytes(40_000);
    await write(loader, { ...base, offset: 0x8000, data });
    const before = loader.log.length;
    loader.events.length = 0;
    const r = await write(loader, { ...base, index: 3, offset: 0x8000, data });
    expect(r.status).toBe('skipped');
    expect(r.wireBytes).toBe(0);
    // The last 4 KiB first (an image ends in its hash), then the whole region.
    expect(loader.ops.slice(before)).toEqual([OP.SPI_FLASH_MD5, OP.SPI_FLASH_MD5]);
    expect(loader.events.map((e) => e.type)).toEqual(['region-start', 'region-skipped']);
  });

  it('writes uncompressed 0x4000 blocks with a FLASH_END(1) barrier when compression is off', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32', stub: true });
    const data = sampleBytes(0x4000 + 10);
    await write(loader, { ...base, offset: 0x1000, data, compress: false, skipIfMatch: false });
    expect(loader.log.filter((c) => c.op === OP.FLASH_DATA).map((c) => c.data!.length)).toEqual([
      16 + 0x4000,
      16 + 0x4000,
    ]);
    const end = loader.log.find((c) => c.op === OP.FLASH_END)!;
    expect(words(end.data)).toEqual([1]);
    expect(loader.flash.subarray(0x1000, 0x1000 + data.length)).toEqual(data);
  });

  it('sends data that does not shrink uncompressed, even with the stub', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32c3', stub: true });
    const data = new Uint8Array(randomBytes(20_000));
    expect(deflate(data, { level: 9 }).length).toBeGreaterThanOrEqual(data.length);
    await write(loader, { ...base, offset: 0x20000, data, skipIfMatch: false });
    expect(loader.ops).not.toContain(OP.FLASH_DEFL_BEGIN);
    expect(loader.ops).toContain(OP.FLASH_DATA);
    expect(loader.flash.subarray(0x20000, 0x20000 + data.length)).toEqual(data);
  });

  it('honours a block size override (0x800 for the stub over USB-OTG)', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32s3', stub: true });
    await write(loader, {
      ...base,
      offset: 0,
      data: sampleBytes(100_000),
      blockSize: 0x800,
      skipIfMatch: false,
    });
    const begin = loader.log.find((c) => c.op === OP.FLASH_DEFL_BEGIN)!;
    expect(words(begin.data)[2]).toBe(0x800);
    expect(
      loader.log.filter((c) => c.op === OP.FLASH_DEFL_DATA).every((c) => c.data!.length <= 16 + 0x800),
    ).toBe(true);
  });

  it('fails with flash/verify-failed naming the region, offset and both digests when out of restarts', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32', stub: true, corruptAt: 0x9010 });
    const data = sampleBytes(0x1000);
    const err = await write(loader, {
      ...base,
      index: 2,
      label: 'nvs',
      offset: 0x9000,
      data,
      restarts: 0,
    }).catch((e) => e);
    expect(isEspflashError(err)).toBe(true);
    expect(err.code).toBe('flash/verify-failed');
    expect(err.message).toContain('nvs');
    expect(err.message).toContain('0x9000');
    expect(err.details.expected).toBe(md5hex(data));
    expect(err.details.actual).toBe(md5hex(loader.flash.subarray(0x9000, 0xa000)));
    expect(err.details.actual).not.toBe(err.details.expected);
    expect(loader.events.some((e) => e.type === 'region-verified')).toBe(false);
  });

  it('stops between blocks when the signal aborts', async () => {
    const loader = new ScriptedLoader({ chip: 'esp32', stub: true });
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(
      write(loader, { ...base, offset: 0, data: sampleBytes(100_000), signal: ac.signal }),
    ).rejects.toThrow('stop');
    expect(loader.ops).not.toContain(OP.FLASH_DEFL_DATA);
  });
});
