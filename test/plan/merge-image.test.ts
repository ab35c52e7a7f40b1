// merge-bin's pure layout: regions at their offsets, 0xFF gaps, target offset, fill size, refusals.

import { describe, expect, it } from 'vitest';
import { isEspflashError } from '../../src/errors.js';
import { type MergeRegion, mergeHex, mergeLayout, mergeRaw } from '../../src/plan/merge-image.js';

const fill = (length: number, value: number) => new Uint8Array(length).fill(value);
const region = (
  offset: number,
  length: number,
  value: number,
  label = `r${offset.toString(16)}`,
): MergeRegion => ({
  offset,
  bytes: fill(length, value),
  label,
});

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isEspflashError(e) ? `${e.code} (exit ${e.exitCode}): ${e.message}` : String(e);
  }
  return 'no error';
}

describe('merge layout', () => {
  const regions = [region(0x8000, 0x100, 0x22, 'partition-table'), region(0x1000, 0x30, 0x11, 'bootloader')];

  it('puts each region at its offset from 0 and fills the gaps with 0xFF', () => {
    const out = mergeRaw({ regions });
    expect(out.length).toBe(0x8100);
    expect(out.subarray(0, 0x1000).every((b) => b === 0xff)).toBe(true);
    expect(out.subarray(0x1000, 0x1030).every((b) => b === 0x11)).toBe(true);
    expect(out.subarray(0x1030, 0x8000).every((b) => b === 0xff)).toBe(true);
    expect(out.subarray(0x8000).every((b) => b === 0x22)).toBe(true);
  });

  it('with a target offset the file starts at that flash offset', () => {
    const out = mergeRaw({ regions, targetOffset: 0x1000 });
    expect(out.length).toBe(0x7100);
    expect(out[0]).toBe(0x11);
    expect(out[0x7000]).toBe(0x22);
    expect(out[0x30]).toBe(0xff);
    expect(mergeLayout({ regions, targetOffset: 0x1000 })).toMatchObject({ start: 0x1000, end: 0x8100 });
  });

  it('--fill-flash-size pads to the flash size (the file ends at that offset, minus the target offset)', () => {
    const out = mergeRaw({ regions, fillSize: 0x10000 });
    expect(out.length).toBe(0x10000);
    expect(out.subarray(0x8100).every((b) => b === 0xff)).toBe(true);
    expect(mergeRaw({ regions, fillSize: 0x10000, targetOffset: 0x1000 }).length).toBe(0xf000);
    // Regions ending exactly at the size fit.
    expect(mergeRaw({ regions, fillSize: 0x8100 }).length).toBe(0x8100);
  });

  it('refuses regions beyond the fill size, below the target offset, overlapping, or none', () => {
    expect(code(() => mergeRaw({ regions, fillSize: 0x8000 }))).toMatch(
      /^merge\/exceeds-fill-size \(exit 2\): partition-table ends at 0x8100/,
    );
    expect(code(() => mergeRaw({ regions, targetOffset: 0x2000 }))).toMatch(
      /^merge\/below-target-offset \(exit 2\): bootloader starts at 0x1000/,
    );
    expect(code(() => mergeRaw({ regions: [...regions, region(0x8080, 0x10, 0x33, 'nvs')] }))).toMatch(
      /^merge\/overlap \(exit 2\): nvs at 0x8080 overlaps partition-table/,
    );
    expect(code(() => mergeRaw({ regions: [] }))).toMatch(/^merge\/no-regions/);
    // Touching is not overlapping.
    expect(mergeRaw({ regions: [...regions, region(0x8100, 0x10, 0x33)] }).length).toBe(0x8110);
  });

  it('HEX carries the regions at their absolute offsets, without the gaps', () => {
    const text = mergeHex(regions);
    const dataRecords = text.split('\n').filter((l) => l.slice(7, 9) === '00');
    const total = dataRecords.reduce((n, l) => n + Number.parseInt(l.slice(1, 3), 16), 0);
    expect(total).toBe(0x130);
    expect(dataRecords[0]!.slice(3, 7)).toBe('1000');
    expect(text).toContain(':108000002222');
    expect(code(() => mergeHex([...regions, region(0x1010, 4, 1)]))).toMatch(/^merge\/overlap/);
  });
});
