// Sector merging for writes off the 4 KiB grid: which sectors are read back, where the data lands,
// and the refusal (naming what would be erased) where the loader cannot read flash.

import { describe, expect, it } from 'vitest';
import { isEspflashError } from '../../src/errors.js';
import { type MergeSource, mergeIntoSectors, sectorSpan } from '../../src/flash/unaligned-write.js';

/** A device whose sector at `at` holds the byte `at >> 12` everywhere; records what was read. */
function device(canRead = true): MergeSource & { reads: number[] } {
  const reads: number[] = [];
  return {
    canRead,
    secureDownloadMode: false,
    reads,
    readSector: async (at) => {
      reads.push(at);
      return new Uint8Array(0x1000).fill(at >> 12);
    },
  };
}

describe('mergeIntoSectors', () => {
  it('passes an aligned write through untouched, reading nothing', async () => {
    const source = device();
    const data = new Uint8Array(0x2000).fill(0x22);
    const r = await mergeIntoSectors({ offset: 0x9000, data, source });
    expect(r.bytes).toBe(data);
    expect(r.span).toEqual({ offset: 0x9000, size: 0x2000 });
    expect(source.reads).toEqual([]);
  });

  it('keeps the bytes before and after the data from the first and last sectors', async () => {
    const source = device();
    const data = new Uint8Array(0x1000).fill(0x22);
    const r = await mergeIntoSectors({ offset: 0x9001, data, source });
    expect(r.span).toEqual(sectorSpan(0x9001, 0x1000));
    expect(r.span).toEqual({ offset: 0x9000, size: 0x2000 });
    expect(source.reads).toEqual([0x9000, 0xa000]);
    expect(r.bytes[0]).toBe(0x09);
    expect(r.bytes.subarray(1, 0x1001).every((b) => b === 0x22)).toBe(true);
    expect(r.bytes.subarray(0x1001).every((b) => b === 0x0a)).toBe(true);
  });

  it('reads a sector once when the data starts and ends inside it', async () => {
    const source = device();
    const r = await mergeIntoSectors({ offset: 0x9010, data: new Uint8Array(16).fill(0x22), source });
    expect(source.reads).toEqual([0x9000]);
    expect(r.span).toEqual({ offset: 0x9000, size: 0x1000 });
    expect([...r.bytes.subarray(0x0f, 0x21)]).toEqual([0x09, ...new Array(16).fill(0x22), 0x09]);
  });

  it('refuses, naming the ranges that would be erased, where the loader cannot read them', async () => {
    const source = device(false);
    const err = await mergeIntoSectors({ offset: 0x9001, data: new Uint8Array(0x1000), source }).catch(
      (e) => e,
    );
    expect(isEspflashError(err) && err.code).toBe('flash/unaligned-write');
    expect(err.message).toContain('0x9000..0x9001');
    expect(err.message).toContain('0xa001..0xb000');
    expect(err.hint).toContain('--no-stub');
    expect(source.reads).toEqual([]);
  });
});
