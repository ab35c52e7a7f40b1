// The binary codec: record layout, MD5 record, end marker and padding, corruption detection
// (magic, MD5, truncation, flag bits, names), and a seeded random round trip.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5 } from '../../src/core/protocol/md5.js';
import { UsageError } from '../../src/errors.js';
import {
  decodePartitionTable,
  encodePartitionTable,
  looksLikeBinaryTable,
} from '../../src/partition/binary.js';
import type { Partition, PartitionTable } from '../../src/partition/types.js';

const table: PartitionTable = {
  md5: true,
  entries: [
    {
      name: 'nvs',
      type: 1,
      subtype: 2,
      offset: 0x9000,
      size: 0x6000,
      flags: { encrypted: false, readonly: false },
    },
    {
      name: 'factory',
      type: 0,
      subtype: 0,
      offset: 0x10000,
      size: 0x100000,
      flags: { encrypted: true, readonly: true },
    },
  ],
};

function decodeFails(bytes: Uint8Array): UsageError {
  try {
    decodePartitionTable(bytes, { file: 'pt.bin' });
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).hint).toBeTruthy();
    return err as UsageError;
  }
  throw new Error('expected decode to fail');
}

describe('encodePartitionTable', () => {
  const bin = encodePartitionTable(table);

  it('writes 32-byte little-endian records, the MD5 record, an end marker and FF padding', () => {
    expect(bin.length).toBe(0xc00);
    const view = new DataView(bin.buffer);
    expect([bin[0], bin[1], bin[2], bin[3]]).toEqual([0xaa, 0x50, 1, 2]);
    expect(view.getUint32(4, true)).toBe(0x9000);
    expect(view.getUint32(8, true)).toBe(0x6000);
    expect(new TextDecoder().decode(bin.subarray(12, 15))).toBe('nvs');
    expect(Array.from(bin.subarray(15, 28)).every((b) => b === 0)).toBe(true);
    expect(view.getUint32(32 + 28, true)).toBe(3);
    const md5Row = bin.subarray(64, 96);
    expect(Array.from(md5Row.subarray(0, 2))).toEqual([0xeb, 0xeb]);
    expect(Array.from(md5Row.subarray(2, 16)).every((b) => b === 0xff)).toBe(true);
    const digest = createHash('md5').update(bin.subarray(0, 64)).digest();
    expect(Buffer.from(md5Row.subarray(16)).equals(digest)).toBe(true);
    expect(Array.from(bin.subarray(96)).every((b) => b === 0xff)).toBe(true);
  });

  it('truncates labels to 16 UTF-8 bytes, filling the whole field', () => {
    const long = encodePartitionTable({
      md5: false,
      entries: [{ ...table.entries[0]!, name: 'abcdefghijklmnopqrs' }],
    });
    expect(new TextDecoder().decode(long.subarray(12, 28))).toBe('abcdefghijklmnop');
    expect(decodePartitionTable(long).entries[0]!.name).toBe('abcdefghijklmnop');
  });

  it('refuses values that do not fit the record', () => {
    const bad = { md5: false, entries: [{ ...table.entries[0]!, type: 256 }] };
    expect(() => encodePartitionTable(bad)).toThrow(UsageError);
    const neg = { md5: false, entries: [{ ...table.entries[0]!, size: -1 }] };
    expect(() => encodePartitionTable(neg)).toThrow(/size -1/);
  });

  it('md5 agrees with node:crypto on assorted lengths', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 3000]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
      expect(Buffer.from(md5(data)).toString('hex')).toBe(createHash('md5').update(data).digest('hex'));
    }
  });
});

describe('decodePartitionTable', () => {
  const bin = encodePartitionTable(table);

  it('round-trips and reports the MD5 record', () => {
    expect(decodePartitionTable(bin)).toEqual(table);
    expect(decodePartitionTable(encodePartitionTable({ ...table, md5: false }))).toEqual({
      ...table,
      md5: false,
    });
  });

  it('ignores bytes after the end marker (a signed table is 3140 bytes long)', () => {
    const signed = new Uint8Array(3140).fill(0x5a);
    signed.set(bin);
    expect(decodePartitionTable(signed)).toEqual(table);
  });

  it('reads a whole 4 KiB flash sector and an empty (all-FF) table', () => {
    const sector = new Uint8Array(0x1000).fill(0xff);
    sector.set(bin);
    expect(decodePartitionTable(sector)).toEqual(table);
    expect(decodePartitionTable(new Uint8Array(0xc00).fill(0xff))).toEqual({ entries: [], md5: false });
  });

  it('detects a flipped MD5 digest byte', () => {
    const copy = bin.slice();
    copy[64 + 20]! ^= 0x01;
    const err = decodeFails(copy);
    expect(err.code).toBe('partition/bad-md5');
    expect(err.message).toContain("MD5 checksums don't match!");
    expect(err.details.file).toBe('pt.bin');
  });

  it('detects a changed entry (MD5 no longer matches)', () => {
    const copy = bin.slice();
    copy[8]! ^= 0x10;
    expect(decodeFails(copy).code).toBe('partition/bad-md5');
  });

  it('detects a wrong magic', () => {
    const copy = bin.slice();
    copy[32] = 0xab;
    const err = decodeFails(copy);
    expect(err.code).toBe('partition/bad-magic');
    expect(err.message).toContain('entry 1');
    expect(err.details).toMatchObject({ entry: 1, offset: 32 });
  });

  it('detects truncation: not a multiple of 32, or no end marker', () => {
    expect(decodeFails(bin.subarray(0, 100)).code).toBe('partition/truncated');
    const err = decodeFails(bin.subarray(0, 96));
    expect(err.code).toBe('partition/truncated');
    expect(err.message).toContain('end-of-table marker');
    expect(decodeFails(new Uint8Array(0)).code).toBe('partition/truncated');
  });

  it('refuses unknown flag bits and labels that are not UTF-8', () => {
    const flags = encodePartitionTable({ ...table, md5: false });
    flags[28] = 0x04;
    expect(decodeFails(flags).code).toBe('partition/unknown-flags');
    const name = encodePartitionTable({ ...table, md5: false });
    name[12] = 0xc3;
    name[13] = 0x28;
    expect(decodeFails(name).code).toBe('partition/bad-name');
  });

  it('looksLikeBinaryTable checks the AA 50 magic', () => {
    expect(looksLikeBinaryTable(bin)).toBe(true);
    expect(looksLikeBinaryTable(new TextEncoder().encode('nvs,data'))).toBe(false);
    expect(looksLikeBinaryTable(new Uint8Array([0xaa]))).toBe(false);
  });
});

// Deterministic PRNG (mulberry32) so a failure reproduces.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const LABEL_CHARS = 'abcdefghijklmnopqrstuvwxyz_0123456789ÄéИ€';

function randomTable(next: () => number): PartitionTable {
  const md5On = next() < 0.7;
  const count = Math.floor(next() * ((md5On ? 94 : 95) + 1));
  const entries: Partition[] = [];
  for (let i = 0; i < count; i++) {
    let name = '';
    const len = Math.floor(next() * 9);
    for (let j = 0; j < len; j++) name += LABEL_CHARS[Math.floor(next() * LABEL_CHARS.length)];
    // labels must stay within 16 UTF-8 bytes to survive unchanged (8 chars of at most 3 bytes... 24 > 16)
    while (new TextEncoder().encode(name).length > 16) name = name.slice(0, -1);
    entries.push({
      name,
      type: Math.floor(next() * 255),
      subtype: Math.floor(next() * 256),
      offset: Math.floor(next() * 2 ** 32),
      size: Math.floor(next() * 2 ** 32),
      flags: { encrypted: next() < 0.5, readonly: next() < 0.5 },
    });
  }
  return { entries, md5: md5On };
}

describe('random round trip', () => {
  it('decode(encode(t)) equals t for 300 random valid tables', () => {
    const next = rng(0x5eed);
    for (let i = 0; i < 300; i++) {
      const t = randomTable(next);
      const bin = encodePartitionTable(t);
      expect(bin.length).toBe(0xc00);
      expect(decodePartitionTable(bin)).toEqual(t);
    }
  });
});
