// Intel HEX encoder: records decoded back independently here (checksums, types, addresses).

import { describe, expect, it } from 'vitest';
import { isEspflashError } from '../../src/errors.js';
import { encodeIntelHex, hexRecord } from '../../src/plan/intel-hex.js';

interface Record {
  type: number;
  address16: number;
  data: number[];
}

/** Parse every line, checking the format and that each record's bytes sum to 0 mod 256. */
function parseRecords(text: string): Record[] {
  expect(text.endsWith('\n')).toBe(true);
  const bad: string[] = [];
  const records = text
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      const bytes = (line.slice(1).match(/../g) ?? []).map((h) => Number.parseInt(h, 16));
      const wellFormed = /^:([0-9A-F]{2})+$/.test(line) && bytes.length === bytes[0]! + 5;
      if (!wellFormed || (bytes.reduce((a, b) => a + b, 0) & 0xff) !== 0) bad.push(line);
      return { type: bytes[3]!, address16: (bytes[1]! << 8) | bytes[2]!, data: bytes.slice(4, -1) };
    });
  expect(bad, 'malformed records or bad checksums').toEqual([]);
  return records;
}

/** Rebuild the sparse memory the records describe (absolute address → byte). */
function decode(records: Record[]): Map<number, number> {
  const memory = new Map<number, number>();
  let upper = 0;
  records.forEach((r, i) => {
    if (r.type === 0x04) upper = ((r.data[0]! << 8) | r.data[1]!) * 0x10000;
    else if (r.type === 0x00) {
      for (const [k, b] of r.data.entries()) memory.set(upper + r.address16 + k, b);
    } else {
      expect(r.type).toBe(0x01);
      expect(i).toBe(records.length - 1);
    }
  });
  return memory;
}

function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
}

describe('Intel HEX records', () => {
  it('data, extended linear address and EOF records match the format standard examples', () => {
    const data = Uint8Array.from([
      0x21, 0x46, 0x01, 0x36, 0x01, 0x21, 0x47, 0x01, 0x36, 0x00, 0x7e, 0xfe, 0x09, 0xd2, 0x19, 0x01,
    ]);
    expect(hexRecord(0x00, 0x0100, data)).toBe(':10010000214601360121470136007EFE09D2190140');
    expect(hexRecord(0x04, 0, Uint8Array.from([0x00, 0x01]))).toBe(':020000040001F9');
    expect(hexRecord(0x01, 0, new Uint8Array(0))).toBe(':00000001FF');
  });

  it('below 64 KiB: no address records, 16-byte records, EOF last', () => {
    const bytes = pattern(40, 1);
    const text = encodeIntelHex([{ address: 0x1000, bytes }]);
    const records = parseRecords(text);
    expect(records.map((r) => [r.type, r.address16, r.data.length])).toEqual([
      [0, 0x1000, 16],
      [0, 0x1010, 16],
      [0, 0x1020, 8],
      [1, 0, 0],
    ]);
    const memory = decode(records);
    expect(memory.size).toBe(40);
    for (let i = 0; i < 40; i++) expect(memory.get(0x1000 + i)).toBe(bytes[i]);
  });

  it('an ELA record before the first data and at every 64 KiB boundary; no record crosses one', () => {
    const a = pattern(0x40, 2);
    const b = pattern(0x30, 3); // 0xfff8 .. 0x10028: crosses 0x10000
    const c = pattern(0x24, 7); // 0x1fff0 .. 0x20014: crosses 0x20000
    const text = encodeIntelHex([
      { address: 0x1fff0, bytes: c },
      { address: 0xfff8, bytes: b },
      { address: 0x100, bytes: a },
    ]);
    const records = parseRecords(text);
    const ela = records
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.type === 0x04)
      .map(({ r, i }) => [i, (r.data[0]! << 8) | r.data[1]!]);
    expect(ela.map(([, upper]) => upper)).toEqual([0, 1, 2]);
    expect(ela[0]![0]).toBe(0);
    // The record before each later ELA ends exactly at the boundary.
    for (const [i] of ela.slice(1)) {
      const prev = records[i! - 1]!;
      expect(prev.address16 + prev.data.length).toBe(0x10000);
      expect(records[i! + 1]!.address16).toBe(0);
    }
    const crossing = records.filter((x) => x.type === 0 && x.address16 + x.data.length > 0x10000);
    expect(crossing).toEqual([]);
    const memory = decode(records);
    expect(memory.size).toBe(a.length + b.length + c.length);
    expect(Uint8Array.from(a, (_, i) => memory.get(0x100 + i) ?? -1)).toEqual(a);
    expect(Uint8Array.from(b, (_, i) => memory.get(0xfff8 + i) ?? -1)).toEqual(b);
    expect(Uint8Array.from(c, (_, i) => memory.get(0x1fff0 + i) ?? -1)).toEqual(c);
  });

  it('32 bytes per record on request; touching segments flow into one record, gaps break records', () => {
    const text = encodeIntelHex(
      [
        { address: 0x20, bytes: pattern(10, 4) },
        { address: 0x2a, bytes: pattern(30, 5) },
        { address: 0x100, bytes: pattern(3, 6) },
      ],
      { recordBytes: 32 },
    );
    const records = parseRecords(text);
    expect(records.map((r) => [r.type, r.address16, r.data.length])).toEqual([
      [0, 0x20, 32],
      [0, 0x40, 8],
      [0, 0x100, 3],
      [1, 0, 0],
    ]);
  });

  it('refuses overlapping segments and impossible record sizes', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isEspflashError(e) ? e.code : String(e);
      }
      return 'no error';
    };
    expect(
      err(() =>
        encodeIntelHex([
          { address: 0, bytes: new Uint8Array(8) },
          { address: 4, bytes: new Uint8Array(8) },
        ]),
      ),
    ).toBe('merge/overlap');
    expect(err(() => encodeIntelHex([], { recordBytes: 0 }))).toBe('merge/bad-hex-record-size');
    expect(err(() => encodeIntelHex([], { recordBytes: 256 }))).toBe('merge/bad-hex-record-size');
    expect(encodeIntelHex([])).toBe(':00000001FF\n');
  });
});
