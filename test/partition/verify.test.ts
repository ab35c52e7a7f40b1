// Table-level validation: overlaps, table sector, otadata rules, read-only and NVS rules, app size
// alignment, flash-size fit (with Python's %.1f rounding) and the 94/95 entry limits.

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { encodePartitionTable } from '../../src/partition/binary.js';
import { parsePartitionCsv } from '../../src/partition/csv-parse.js';
import type { Partition, PartitionTable } from '../../src/partition/types.js';
import { maxEntries, pyFixed1, verifyPartitionTable } from '../../src/partition/verify.js';

const part = (
  name: string,
  type: number,
  subtype: number,
  offset: number,
  size: number,
  readonly = false,
): Partition => ({
  name,
  type,
  subtype,
  offset,
  size,
  flags: { encrypted: false, readonly },
});

function verifyFails(
  entries: Partition[],
  options: Partial<Parameters<typeof verifyPartitionTable>[1]> = {},
) {
  try {
    verifyPartitionTable({ entries, md5: true }, { tableOffset: 0x8000, file: 't.bin', ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected verifyPartitionTable to throw');
}

describe('verifyPartitionTable', () => {
  it('accepts a normal table', () => {
    const entries = [part('nvs', 1, 2, 0x9000, 0x6000), part('factory', 0, 0, 0x10000, 0x100000)];
    expect(() =>
      verifyPartitionTable({ entries, md5: true }, { tableOffset: 0x8000, flashSize: 0x400000 }),
    ).not.toThrow();
  });

  it('finds overlaps after sorting by offset', () => {
    const err = verifyFails([part('b', 1, 0x81, 0x20000, 0x1000), part('a', 1, 0x81, 0x10000, 0x10800)]);
    expect(err.code).toBe('partition/overlap');
    expect(err.message).toBe('Partition at 0x20000 overlaps 0x10000-0x207ff');
  });

  it('refuses partitions inside or below the table sector (except primary bootloader/table rows)', () => {
    const err = verifyFails([part('a', 1, 0x81, 0x8000, 0x1000)]);
    expect(err.code).toBe('partition/overlaps-table');
    expect(err.message).toBe('Partition offset 0x8000 is below 0x9000');
    expect(() =>
      verifyPartitionTable(
        { entries: [part('bl', 2, 0, 0x1000, 0x7000), part('pt', 3, 0, 0x8000, 0x1000)], md5: true },
        { tableOffset: 0x8000 },
      ),
    ).not.toThrow();
  });

  it('allows one 8K otadata and one 8K tee_ota', () => {
    const two = verifyFails([part('o1', 1, 0, 0xa000, 0x2000), part('o2', 1, 0, 0xc000, 0x2000)]);
    expect(two.code).toBe('partition/duplicate-otadata');
    expect(verifyFails([part('o', 1, 0, 0xa000, 0x3000)]).message).toBe(
      'otadata partition must have size = 0x2000',
    );
    expect(verifyFails([part('t', 1, 0x90, 0xa000, 0x1000)]).message).toBe(
      'TEE otadata partition must have size = 0x2000',
    );
  });

  it('refuses readonly otadata/coredump and small read-write NVS', () => {
    const ro = verifyFails([part('cd', 1, 3, 0x10000, 0x10000, true)]);
    expect(ro.code).toBe('partition/readonly-not-allowed');
    expect(ro.message).toBe(
      "Partition cd invalid: 'cd' partition of type 1 and subtype 3 is always read-write and cannot be read-only",
    );
    const nvs = verifyFails([part('n', 1, 2, 0x9000, 0x2000)]);
    expect(nvs.code).toBe('partition/nvs-too-small');
    expect(nvs.message).toBe(
      "Partition n invalid: 'n' partition of type 1 and subtype 2 of this size (0x2000) must be flagged as 'readonly' (the size of read/write NVS has to be at least 0x3000)",
    );
    expect(() =>
      verifyPartitionTable(
        { entries: [part('n', 1, 2, 0x9000, 0x1000, true)], md5: true },
        { tableOffset: 0x8000 },
      ),
    ).not.toThrow();
  });

  it('app sizes: 4K-aligned, 64K with secure boot v1', () => {
    const app = [part('f', 0, 0, 0x10000, 0x11000)];
    expect(() => verifyPartitionTable({ entries: app, md5: true }, { tableOffset: 0x8000 })).not.toThrow();
    expect(verifyFails(app, { secure: 'v1' }).message).toBe(
      'Partition f invalid: Size 0x11000 is not aligned to 0x10000',
    );
  });

  it('rejects a negative size left by "-X" before the offset', () => {
    const err = (() => {
      try {
        parsePartitionCsv('a,data,nvs,,0x6000\nb,data,fat,,-0x9000', { file: 'neg.csv' });
      } catch (e) {
        return e as UsageError;
      }
      throw new Error('no error');
    })();
    expect(err.code).toBe('partition/invalid-size');
    expect(err.details).toMatchObject({ file: 'neg.csv', line: 2 });
  });

  it('checks the flash size against the end of the highest-offset partition', () => {
    const entries = [part('nvs', 1, 2, 0x9000, 0x6000), part('big', 1, 0x81, 0x10000, 0x3f8000)];
    const err = verifyFails(entries, { flashSize: 0x400000 });
    expect(err.code).toBe('partition/does-not-fit');
    expect(err.message).toBe(
      "Partitions tables occupies 4.0MB of flash (4227072 bytes) which does not fit in configured flash size 4MB. Change the flash size in menuconfig under the 'Serial Flasher Config' menu.",
    );
    expect(err.hint).toContain('--flash-size');
  });
});

describe('pyFixed1 (Python %.1f)', () => {
  it('rounds exact ties to even and everything else to nearest', () => {
    expect(pyFixed1(4.25)).toBe('4.2');
    expect(pyFixed1(4.75)).toBe('4.8');
    expect(pyFixed1(4.0625)).toBe('4.1');
    expect(pyFixed1(0.05)).toBe('0.1'); // 0.05 is slightly above a tie in binary
    expect(pyFixed1(16)).toBe('16.0');
  });
});

describe('entry limits', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `d${i},data,0x99,,0x1000`).join('\n');
  const table = (n: number, md5: boolean): PartitionTable =>
    parsePartitionCsv(rows(n), { md5, verify: false });

  it('fits 94 entries with MD5 and 95 without', () => {
    expect(maxEntries(true)).toBe(94);
    expect(maxEntries(false)).toBe(95);
    expect(encodePartitionTable(table(94, true)).length).toBe(0xc00);
    expect(encodePartitionTable(table(95, false)).length).toBe(0xc00);
  });

  it('rejects one more, in verify and in encode', () => {
    expect(() => parsePartitionCsv(rows(95))).toThrow('Binary partition table length (3072) longer than max');
    expect(() => encodePartitionTable(table(96, false))).toThrow(
      'Binary partition table length (3072) longer than max',
    );
    try {
      encodePartitionTable(table(95, true));
      expect.unreachable();
    } catch (err) {
      expect((err as UsageError).code).toBe('partition/too-many-entries');
    }
  });
});
