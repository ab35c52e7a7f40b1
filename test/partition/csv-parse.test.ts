// CSV parsing rules on small synthetic tables: columns, comments, blank offsets and alignment,
// negative sizes, flags, env variables, bootloader/partition_table rows, custom subtypes, warnings.

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { decodePartitionTable, encodePartitionTable } from '../../src/partition/binary.js';
import { parsePartitionCsv } from '../../src/partition/csv-parse.js';
import { parseExtraSubtype } from '../../src/partition/keywords.js';

function fails(text: string, options: Parameters<typeof parsePartitionCsv>[1] = {}): UsageError {
  try {
    parsePartitionCsv(text, { file: 'p.csv', ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected parsePartitionCsv to throw');
}

const offsets = (text: string, options = {}) => parsePartitionCsv(text, options).entries.map((p) => p.offset);

describe('columns and lines', () => {
  it('skips comments and blank lines, strips fields, ignores columns past the 6th', () => {
    const t = parsePartitionCsv(
      '# c\n\n  nvs ,\tdata , nvs , 0x9000 , 0x6000 , , extra, more\n   # indented comment\n',
    );
    expect(t.entries).toEqual([
      {
        name: 'nvs',
        type: 1,
        subtype: 2,
        offset: 0x9000,
        size: 0x6000,
        flags: { encrypted: false, readonly: false },
      },
    ]);
    expect(t.md5).toBe(true);
  });

  it('accepts rows without a flags column, CRLF line ends and a BOM in the text', () => {
    const t = parsePartitionCsv('\ufeffnvs,data,nvs,0x9000,0x6000\r\nfactory,app,factory,0x10000,1M\r\n');
    expect(t.entries.map((p) => p.name)).toEqual(['nvs', 'factory']);
  });

  it('has no end-of-line comments: "# note" lands in the flags column', () => {
    const err = fails('nvs,data,nvs,0x9000,0x6000, # note');
    expect(err.code).toBe('partition/unknown-flag');
    expect(err.message).toBe("Error at line 1: CSV flag column contains unknown flag '# note'");
    expect(err.details).toMatchObject({ file: 'p.csv', line: 1 });
  });

  it('keyword lookups are case-insensitive; numbers work for types and subtypes', () => {
    const t = parsePartitionCsv('a,DATA,NVS,,0x3000\nb,0x40,0x7,,0x1000\nc,data,0x99,,4K');
    expect(t.entries.map((p) => [p.type, p.subtype])).toEqual([
      [1, 2],
      [0x40, 7],
      [1, 0x99],
    ]);
  });

  it('a blank data subtype becomes undefined (0x06), a blank app subtype is an error', () => {
    expect(parsePartitionCsv('x,data,,,0x1000').entries[0]!.subtype).toBe(0x06);
    expect(parsePartitionCsv('x,0x41,,,0x1000').entries[0]!.subtype).toBe(0x06);
    expect(fails('x,app,,,1M').message).toBe('Error at line 1: App partition cannot have an empty subtype');
  });

  it('reports an empty type, a bad value, and out-of-range numbers with the line', () => {
    expect(fails('\nx,,nvs,,0x1000').message).toBe("Error at line 2: Field 'type' can't be left empty.");
    const bad = fails('x,data,nvs,0x9000,lots');
    expect(bad.code).toBe('partition/invalid-value');
    expect(bad.message).toBe('Error at line 1: Invalid field value lots');
    expect(fails('x,0x100,0,,0x1000').code).toBe('partition/out-of-range');
    expect(fails('x,data,300,,0x1000').code).toBe('partition/out-of-range');
  });

  it('lists custom types as numbers only (no subtype keywords)', () => {
    expect(fails('x,0x40,nvs,,0x1000').message).toBe('Error at line 1: Invalid field value nvs');
  });
});

describe('blank offsets, alignment and negative sizes', () => {
  it('starts after the table sector and aligns apps to 64K, others to 4K', () => {
    const csv =
      'a,data,nvs,,0x5000\nk,data,nvs_keys,,0x1000\nf,app,factory,,1M\nd,data,fat,,0x800\ne,data,spiffs,,4K';
    // 0x9000+0x5000=0xe000; keys 0xe000; app rounds 0xf000 up to 0x10000; then 0x110000; fat ends 0x110800 -> 0x111000
    expect(offsets(csv)).toEqual([0x9000, 0xe000, 0x10000, 0x110000, 0x111000]);
  });

  it('moves with the table offset', () => {
    expect(offsets('a,data,nvs,,0x6000\nf,app,factory,,1M', { tableOffset: 0x10000 })).toEqual([
      0x11000, 0x20000,
    ]);
  });

  it('a negative size -X means "up to address X"', () => {
    const t = parsePartitionCsv('a,data,nvs,,0x6000\nf,app,factory,,-0x200000');
    expect(t.entries[1]).toMatchObject({ offset: 0x10000, size: 0x200000 - 0x10000 });
  });

  it('rejects offsets that go backwards, with the first-row wording for row one', () => {
    const first = fails('nvs,data,nvs,0x8000,0x6000');
    expect(first.code).toBe('partition/overlap');
    expect(first.message).toBe(
      'CSV Error at line 1: Partitions overlap. Partition sets offset 0x8000. But partition table occupies the whole sector 0x8000. Use a free offset 0x9000 or higher.',
    );
    const later = fails('# x\na,data,nvs,,0x6000\nb,data,phy,0xe000,0x1000');
    expect(later.message).toBe(
      'CSV Error at line 3: Partitions overlap. Partition sets offset 0xe000. Previous partition ends 0xf000',
    );
    expect(later.details.line).toBe(3);
  });
});

describe('flags', () => {
  it('parses encrypted and readonly in any order', () => {
    const t = parsePartitionCsv('a,data,fat,,0x1000,readonly:encrypted\nb,data,fat,,0x1000,encrypted');
    expect(t.entries.map((p) => p.flags)).toEqual([
      { encrypted: true, readonly: true },
      { encrypted: true, readonly: false },
    ]);
  });

  it('does not strip spaces around ":"', () => {
    expect(fails('a,data,fat,,0x1000,encrypted: readonly').message).toBe(
      "Error at line 1: CSV flag column contains unknown flag ' readonly'",
    );
  });
});

describe('environment variables', () => {
  it('expands variables from options.env', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell-style ${VAR} syntax is under test
    const t = parsePartitionCsv('$NAME,data,nvs,,${SIZE}', { env: { NAME: 'store', SIZE: '0x4000' } });
    expect(t.entries[0]).toMatchObject({ name: 'store', size: 0x4000 });
  });

  it('an unknown variable at the start is an error, elsewhere it fails as a value', () => {
    expect(fails('$NAME,data,nvs,,0x4000').code).toBe('partition/unknown-variable');
    expect(fails('a,data,nvs,,$SIZE').message).toBe('Error at line 1: Invalid field value $SIZE');
  });
});

describe('bootloader and partition_table rows', () => {
  const csv = [
    'bl,bootloader,primary,N/A,N/A',
    'pt,partition_table,primary,N/A,N/A',
    'nvs,data,nvs,,0x6000',
    'factory,app,factory,,1M',
    'rec,bootloader,recovery,N/A,N/A',
  ].join('\n');

  it('take offsets and sizes from the options and do not shift blank offsets', () => {
    const t = parsePartitionCsv(csv, { bootloaderOffset: 0x2000, recoveryBootloaderOffset: 0x3f0000 });
    expect(t.entries.map((p) => [p.offset, p.size])).toEqual([
      [0x2000, 0x6000],
      [0x8000, 0x1000],
      [0x9000, 0x6000],
      [0x10000, 0x100000],
      [0x3f0000, 0x6000],
    ]);
  });

  it('need the bootloader offsets', () => {
    const err = fails(csv);
    expect(err.code).toBe('partition/missing-bootloader-offset');
    expect(err.message).toBe('Error at line 1: Primary bootloader offset is not provided');
    expect(fails(csv, { bootloaderOffset: 0x1000 }).message).toBe(
      'Error at line 5: Recovery bootloader offset is not provided',
    );
  });

  it('refuse a bootloader offset at or above the table', () => {
    expect(fails('a,data,nvs,,0x6000', { bootloaderOffset: 0x8000 }).code).toBe(
      'partition/bootloader-above-table',
    );
  });
});

describe('custom subtypes', () => {
  it('resolve names given as extraSubtypes and list them among the known keywords', () => {
    const extra = [parseExtraSubtype('app,my_app1,0x40')];
    const t = parsePartitionCsv('nvs,data,nvs,,0x6000\nmine,app,my_app1,,256K', { extraSubtypes: extra });
    expect(t.entries[1]).toMatchObject({ type: 0, subtype: 0x40, offset: 0x10000 });
    expect(fails('mine,app,my_app2,,256K', { extraSubtypes: extra }).message).toMatch(
      /Known keywords: .*tee_1, my_app1$/,
    );
  });

  it('parseExtraSubtype reads hex with or without 0x and refuses taken values and unknown types', () => {
    expect(parseExtraSubtype('data, my_fs ,99')).toEqual({ type: 1, name: 'my_fs', subtype: 0x99 });
    expect(() => parseExtraSubtype('app,again,0x10')).toThrow('duplicate value');
    expect(() => parseExtraSubtype('blob,x,0x40')).toThrow(UsageError);
    expect(() => parseExtraSubtype('app,x')).toThrow(UsageError);
  });
});

describe('options', () => {
  it('md5: false is carried into the table and the binary', () => {
    const t = parsePartitionCsv('nvs,data,nvs,,0x6000', { md5: false });
    expect(t.md5).toBe(false);
    const bin = encodePartitionTable(t);
    expect(Array.from(bin.subarray(32, 64)).every((b) => b === 0xff)).toBe(true);
  });

  it('verify: false skips validation', () => {
    expect(() => parsePartitionCsv('f,app,factory,0x18000,1M', { verify: false })).not.toThrow();
    expect(fails('f,app,factory,0x18000,1M').code).toBe('partition/misaligned');
  });

  it('keeps long names whole; the binary holds the first 16 bytes', () => {
    const t = parsePartitionCsv('this_name_is_way_too_long,data,nvs,,0x6000');
    expect(t.entries[0]!.name).toBe('this_name_is_way_too_long');
    expect(decodePartitionTable(encodePartitionTable(t)).entries[0]!.name).toBe('this_name_is_way');
  });

  it('warns through the logger when a name is another type or subtype keyword', () => {
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m) };
    parsePartitionCsv('app,data,nvs,,0x6000\nnvs,data,fat,,0x6000\nfactory,app,factory,,1M', { logger });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("name 'app' which is a partition type");
    expect(warnings[1]).toContain("name 'nvs' which is a partition subtype");
  });
});
