// Every shared partition fixture: CSV -> binary byte-identical to the generator's .bin, binary -> CSV
// equal to the .roundtrip.csv, and every bad/ CSV rejected with the generator's v5.5.5 message.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { decodePartitionTable, encodePartitionTable } from '../../src/partition/binary.js';
import { parsePartitionCsv } from '../../src/partition/csv-parse.js';
import { decodeCsvBytes } from '../../src/partition/csv-text.js';
import { partitionTableToCsv } from '../../src/partition/csv-write.js';
import { parseExtraSubtype } from '../../src/partition/keywords.js';
import type { ExtraSubtype } from '../../src/partition/types.js';
import { HAVE_SHARED, SHARED_SKIP_NOTE } from '../support/shared-fixtures.js';
import {
  acceptedFixtures,
  badFixtures,
  parseCommand,
  type RecordedRun,
  recordedRun,
} from './fixture-index.js';

function extraOf(run: RecordedRun): ExtraSubtype[] {
  const out: ExtraSubtype[] = [];
  for (const text of run.extraSubtypes) out.push(parseExtraSubtype(text, out));
  return out;
}

function parseFixture(file: string, run: RecordedRun, rel: string) {
  const { extraSubtypes: _, secure, ...rest } = run;
  return parsePartitionCsv(decodeCsvBytes(new Uint8Array(readFileSync(file)), { file: rel }), {
    ...rest,
    extraSubtypes: extraOf(run),
    ...(secure ? { secure } : {}),
    file: rel,
  });
}

const accepted = HAVE_SHARED ? acceptedFixtures() : [];
const bad = HAVE_SHARED ? badFixtures() : [];

describe.skipIf(!HAVE_SHARED)(`accepted partition fixtures${SHARED_SKIP_NOTE}`, () => {
  it('finds the fixture folders (quirks and several vendors included)', () => {
    expect(accepted.length).toBeGreaterThan(40);
    expect(accepted.some((f) => f.rel.startsWith('quirks/'))).toBe(true);
    expect(new Set(accepted.map((f) => f.rel.split('/')[0])).size).toBeGreaterThan(5);
  });

  describe.each(accepted.map((f) => [f.rel, f] as const))('%s', (rel, f) => {
    const run = recordedRun(rel);
    const expectedBin = new Uint8Array(readFileSync(f.bin));

    it('encodes byte-identical to the generator', () => {
      const bin = encodePartitionTable(parseFixture(f.csv, run, rel));
      expect(bin.length).toBe(0xc00);
      expect(Buffer.from(bin).equals(Buffer.from(expectedBin))).toBe(true);
    });

    it('decodes the .bin to the .roundtrip.csv', () => {
      const csv = partitionTableToCsv(decodePartitionTable(expectedBin, { file: f.bin }), {
        extraSubtypes: extraOf(run),
      });
      expect(csv).toBe(readFileSync(f.roundtrip, 'utf8'));
    });

    it('re-encodes the decoded .bin to the same bytes', () => {
      const table = decodePartitionTable(expectedBin);
      expect(Buffer.from(encodePartitionTable(table)).equals(Buffer.from(expectedBin))).toBe(true);
    });
  });

  it('matches the golden sha256 of the default single-app table', () => {
    const f = accepted.find((x) => x.rel === 'esp-idf/partitions_singleapp.csv')!;
    const bin = encodePartitionTable(parseFixture(f.csv, recordedRun(f.rel), f.rel));
    expect(createHash('sha256').update(bin).digest('hex')).toBe(
      '7f00b6c042a89b15b0cac534f82ed988caf29278ff5700b0c511eb1b5bb7c820',
    );
  });

  it('strips the UTF-8 BOM: the BOM and BOM-less CSVs give the same binary', () => {
    const withBom = accepted.find((x) => x.rel.endsWith('partitions-utf8-bom.csv'))!;
    const without = accepted.find((x) => x.rel.endsWith('partitions-utf8_without-bom.csv'))!;
    expect(readFileSync(withBom.csv).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const a = encodePartitionTable(parseFixture(withBom.csv, recordedRun(withBom.rel), withBom.rel));
    const b = encodePartitionTable(parseFixture(without.csv, recordedRun(without.rel), without.rel));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(decodePartitionTable(a).entries[0]!.name).toBe('nvs');
  });
});

// The v5.x generator appends this ESP-IDF-build-specific advice to every CSV line error; espflash
// keeps the generator's message and puts its own advice (naming the file and line) in the hint.
const IDF_BUILD_ADVICE = 'Please check extra_partition_subtypes.inc file in build/config directory';

describe.skipIf(!HAVE_SHARED)(`rejected partition fixtures (bad/)${SHARED_SKIP_NOTE}`, () => {
  it('finds the bad/ cases', () => {
    expect(bad.length).toBeGreaterThan(10);
  });

  describe.each(bad.map((b) => [b.rel, b] as const))('%s', (rel, b) => {
    const run = parseCommand(b.command.replace(/^.*?\(v5\.5\.5\) /, ''));
    const attempt = (): unknown => {
      try {
        encodePartitionTable(parseFixture(b.csv, run, rel));
      } catch (err) {
        return err;
      }
      return undefined;
    };

    it('is rejected with the v5.5.5 message', () => {
      const err = attempt();
      expect(err).toBeInstanceOf(UsageError);
      const expected = b.stderr
        .split('\n')
        .filter((l) => l !== IDF_BUILD_ADVICE)
        .join('\n');
      expect((err as UsageError).message.trimEnd()).toBe(expected);
    });

    it('has a partition/ code, the file in details and a hint naming the CSV', () => {
      const err = attempt() as UsageError;
      expect(err.code).toMatch(/^partition\/[a-z-]+$/);
      expect(err.exitCode).toBe(2);
      expect(err.details.file).toBe(rel);
      expect(err.hint).toContain(basename(rel));
      const line = /line (\d+)/.exec(err.message)?.[1];
      if (line) expect(err.details.line).toBe(Number(line));
    });
  });

  it('uses distinct, specific codes for the different causes', () => {
    const codes = new Map<string, string>();
    for (const b of bad) {
      const run = parseCommand(b.command.replace(/^.*?\(v5\.5\.5\) /, ''));
      try {
        encodePartitionTable(parseFixture(b.csv, run, b.rel));
      } catch (err) {
        codes.set(basename(b.rel, '.csv'), (err as UsageError).code);
      }
    }
    expect(codes.get('overlap')).toBe('partition/overlap');
    expect(codes.get('out_of_order_offsets')).toBe('partition/overlap');
    expect(codes.get('misaligned_app')).toBe('partition/misaligned');
    expect(codes.get('duplicate_names')).toBe('partition/duplicate-name');
    expect(codes.get('unknown_flag')).toBe('partition/unknown-flag');
    expect(codes.get('too_many_entries_96')).toBe('partition/too-many-entries');
    expect(codes.get('table_beyond_flash_size_4MB')).toBe('partition/does-not-fit');
    expect(codes.get('invalid_type')).toBe('partition/invalid-type');
    expect(codes.get('unknown_subtype')).toBe('partition/invalid-subtype');
    expect(codes.get('empty_size')).toBe('partition/empty-size');
  });
});
