// Boot-app choice, label lookup, keyword names, and the readable table view with free gaps.

import { describe, expect, it } from 'vitest';
import { parsePartitionCsv } from '../../src/partition/csv-parse.js';
import {
  findBootAppPartition,
  findPartitionByLabel,
  subtypeName,
  typeName,
} from '../../src/partition/lookup.js';
import { renderPartitionTable } from '../../src/partition/render.js';

const parse = (csv: string) => parsePartitionCsv(csv, { verify: false });

describe('findBootAppPartition', () => {
  it('prefers factory wherever it is', () => {
    const t = parse('ota_0,app,ota_0,0x10000,1M\nfactory,app,factory,0x110000,1M');
    expect(findBootAppPartition(t)?.name).toBe('factory');
  });

  it('else takes the lowest ota_N slot, not the first row', () => {
    const t = parse('b,app,ota_3,0x10000,1M\na,app,ota_1,0x110000,1M\nt,app,test,0x210000,1M');
    expect(findBootAppPartition(t)?.name).toBe('a');
  });

  it('returns null without factory or OTA apps (test apps do not count)', () => {
    expect(findBootAppPartition(parse('n,data,nvs,0x9000,0x6000\nt,app,test,0x10000,1M'))).toBeNull();
  });
});

describe('findPartitionByLabel', () => {
  const t = parse('nvs,data,nvs,0x9000,0x6000\nthis_name_is_way_too_long,data,fat,0x10000,1M');

  it('finds by exact label and returns null for unknown labels', () => {
    expect(findPartitionByLabel(t, 'nvs')?.offset).toBe(0x9000);
    expect(findPartitionByLabel(t, 'NVS')).toBeNull();
  });

  it('matches a long label by its 16-byte on-flash form', () => {
    expect(findPartitionByLabel(t, 'this_name_is_way')?.offset).toBe(0x10000);
  });
});

describe('typeName / subtypeName', () => {
  it('gives keywords, and hex for numbers without one', () => {
    expect(typeName(0)).toBe('app');
    expect(typeName(3)).toBe('partition_table');
    expect(typeName(0x40)).toBe('0x40');
    expect(subtypeName(0, 0x11)).toBe('ota_1');
    expect(subtypeName(1, 0x83)).toBe('littlefs');
    expect(subtypeName(1, 0x8f)).toBe('0x8f');
    expect(subtypeName(2, 2)).toBe('recovery');
    expect(subtypeName(0x40, 0)).toBe('0x00');
    expect(subtypeName(0, 0x40, [{ type: 0, name: 'my_app1', subtype: 0x40 }])).toBe('my_app1');
  });
});

describe('renderPartitionTable', () => {
  const t = parsePartitionCsv(
    'nvs,data,nvs,,0x6000\nkeys,data,nvs_keys,,0x1000,encrypted\nfactory,app,factory,,1M',
  );

  it('lists each partition with type, subtype, offset, size and flags', () => {
    const text = renderPartitionTable(t);
    const row = text.split('\n').find((l) => l.startsWith('keys'))!;
    expect(row.split(/\s{2,}/)).toEqual([
      'keys',
      'data',
      'nvs_keys',
      '0x00f000',
      '4K (0x1000)',
      '0x010000',
      'encrypted',
    ]);
    expect(text).toMatch(/^Name\s+Type\s+SubType\s+Offset\s+Size\s+End\s+Flags$/m);
  });

  it('shows the table sector, free gaps and the free space at the end of the flash', () => {
    const text = renderPartitionTable(t, { tableOffset: 0x8000, flashSize: 0x400000 });
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^\(partition table\)\s+0x008000\s+4K/);
    // keys ends at 0x10000 exactly where factory starts: no gap; factory ends at 0x110000
    expect(lines.filter((l) => l.startsWith('(free)'))).toHaveLength(0);
    expect(text).toContain('3008K (0x2f0000) free at the end');
    const gap = renderPartitionTable(parse('a,data,nvs,0x9000,0x3000\nb,data,fat,0x20000,0x1000'));
    expect(gap).toMatch(/^\(free\)\s+0x00c000\s+80K \(0x14000\)\s+0x020000$/m);
  });

  it('says when the table runs past the end of the flash', () => {
    expect(renderPartitionTable(t, { flashSize: 0x100000 })).toContain('PAST the end');
  });
});
