import { describe, expect, it } from 'vitest';
import { defaultCostModel, diffSectors, eraseMs, runCostMs, SECTOR } from '../../src/flash/sector-diff.js';

/** Deterministic pseudo-random bytes (incompressible, so wire time is realistic). */
function noise(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const stub921k = defaultCostModel({ baud: 921600 });
const OFFSET = 0x10000;

function changed(base: Uint8Array, at: number[]): Uint8Array {
  const next = base.slice();
  for (const a of at) next[a] = next[a]! ^ 0x5a;
  return next;
}

describe('diffSectors', () => {
  const old = noise(256 * 1024);

  it('gives no runs for identical input', () => {
    const d = diffSectors({ old, next: old.slice(), offset: OFFSET, model: stub921k });
    expect(d.runs).toEqual([]);
    expect(d.changedSectors).toBe(0);
    expect(d.bytesWritten).toBe(0);
  });

  it('turns a single-byte change into exactly one 4 KiB run at its sector', () => {
    const d = diffSectors({ old, next: changed(old, [5 * SECTOR + 123]), offset: OFFSET, model: stub921k });
    expect(d.runs).toEqual([{ start: 5 * SECTOR, length: SECTOR, sectors: 1, changedSectors: 1 }]);
    expect(d.estimatedMs).toBeLessThan(d.fullWriteMs / 10);
  });

  it('writes changes in adjacent sectors as one run', () => {
    const d = diffSectors({
      old,
      next: changed(old, [3 * SECTOR + 4000, 4 * SECTOR + 10]),
      offset: OFFSET,
      model: stub921k,
    });
    expect(d.runs).toEqual([{ start: 3 * SECTOR, length: 2 * SECTOR, sectors: 2, changedSectors: 2 }]);
  });

  it('merges two nearby changes when per-run overhead outweighs the gap (slow round trips)', () => {
    const next = changed(old, [10 * SECTOR + 1, 12 * SECTOR + 1]);
    const laggy = defaultCostModel({ baud: 921600, roundTripMs: 30 });
    const d = diffSectors({ old, next, offset: OFFSET, model: laggy });
    expect(d.runs).toEqual([{ start: 10 * SECTOR, length: 3 * SECTOR, sectors: 3, changedSectors: 2 }]);
    // On a fast link the 45 ms erase of the unchanged sector is not worth it.
    const fast = diffSectors({ old, next, offset: OFFSET, model: stub921k });
    expect(fast.runs.map((r) => r.start)).toEqual([10 * SECTOR, 12 * SECTOR]);
  });

  it('keeps far-apart changes as separate runs even on a slow link', () => {
    const next = changed(old, [2 * SECTOR, 50 * SECTOR]);
    const laggy = defaultCostModel({ baud: 921600, roundTripMs: 30 });
    const d = diffSectors({ old, next, offset: OFFSET, model: laggy });
    expect(d.runs.map((r) => [r.start, r.sectors])).toEqual([
      [2 * SECTOR, 1],
      [50 * SECTOR, 1],
    ]);
  });

  it('bridges one unchanged sector when that lets a whole 64 KiB block be erased at once', () => {
    // Region at 0x10000 (block aligned): every sector of its first block changed except sector 7.
    const at = Array.from({ length: 16 }, (_, k) => k * SECTOR + 9).filter((_, k) => k !== 7);
    const d = diffSectors({ old, next: changed(old, at), offset: OFFSET, model: stub921k });
    expect(d.runs).toEqual([{ start: 0, length: 16 * SECTOR, sectors: 16, changedSectors: 15 }]);
    // The same pattern shifted off the block boundary gains nothing from merging.
    const shifted = diffSectors({
      old,
      next: changed(
        old,
        at.map((a) => a + 2 * SECTOR),
      ),
      offset: OFFSET,
      model: stub921k,
    });
    expect(shifted.runs).toHaveLength(2);
  });

  it('writes the new tail sectors when the image grows', () => {
    const next = new Uint8Array(old.length + 6000);
    next.set(old);
    next.set(noise(6000, 9), old.length);
    const d = diffSectors({ old, next, offset: OFFSET, model: stub921k });
    expect(d.runs).toEqual([{ start: old.length, length: 6000, sectors: 2, changedSectors: 2 }]);
  });

  it('writes a partial last sector that now extends past the old end', () => {
    const shortOld = old.subarray(0, 10 * SECTOR + 100);
    const next = old.subarray(0, 10 * SECTOR + 200);
    const d = diffSectors({ old: shortOld, next, offset: OFFSET, model: stub921k });
    expect(d.runs).toEqual([{ start: 10 * SECTOR, length: 200, sectors: 1, changedSectors: 1 }]);
  });

  it('writes nothing beyond the new end when the image shrinks', () => {
    const unchanged = diffSectors({
      old,
      next: old.subarray(0, 40 * SECTOR + 64),
      offset: OFFSET,
      model: stub921k,
    });
    expect(unchanged.runs).toEqual([]);
    const next = changed(old.subarray(0, 40 * SECTOR + 64), [40 * SECTOR + 10]);
    const d = diffSectors({ old, next, offset: OFFSET, model: stub921k });
    expect(d.runs).toEqual([{ start: 40 * SECTOR, length: 64, sectors: 1, changedSectors: 1 }]);
  });

  it('writes everything after an insertion that shifts the rest of the image', () => {
    const at = 25 * SECTOR + 300;
    const next = new Uint8Array(old.length + 16);
    next.set(old.subarray(0, at));
    next.set(noise(16, 3), at);
    next.set(old.subarray(at), at + 16);
    const d = diffSectors({ old, next, offset: OFFSET, model: stub921k });
    expect(d.runs).toEqual([
      { start: 25 * SECTOR, length: next.length - 25 * SECTOR, sectors: 40, changedSectors: 40 },
    ]);
  });

  it('rejects a region offset that is not sector aligned', () => {
    expect(() => diffSectors({ old, next: old, offset: 0x10010, model: stub921k })).toThrow(RangeError);
  });
});

describe('the cost model', () => {
  it('erases whole 64 KiB blocks where they fit, sectors elsewhere', () => {
    expect(eraseMs(stub921k, 0x10000, 0x20000)).toBe(150);
    expect(eraseMs(stub921k, 0x11000, 0x21000)).toBe(16 * 45);
    expect(eraseMs(stub921k, 0xf000, 0x21000)).toBe(45 + 150 + 45);
  });

  it('overlaps wire and flash work for the stub but not for the ROM', () => {
    const run = { absStart: 0x10000, length: 0x10000, wireBytes: 0x10000 };
    const stub = runCostMs(defaultCostModel({ baud: 115200, md5MsPerMiB: 0 }), run);
    const rom = runCostMs(defaultCostModel({ baud: 115200, stub: false, md5MsPerMiB: 0 }), run);
    const program = 256 * 0.7;
    expect(rom - stub).toBeCloseTo(150 + program, 0);
  });

  it('charges wire time by the baud rate', () => {
    const run = { absStart: 0x10000, length: SECTOR, wireBytes: 100_000 };
    const slow = runCostMs(defaultCostModel({ baud: 115200 }), run);
    const fast = runCostMs(defaultCostModel({ baud: 921600 }), run);
    expect(slow / fast).toBeGreaterThan(7);
  });
});
