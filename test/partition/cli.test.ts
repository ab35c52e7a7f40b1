// `espflash partition-table` in process: show, --to bin/csv (stdout and -o), --json, --no-md5,
// content-based input detection, and errors (exit 2, code and hint, no stack trace).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { HAVE_SHARED, SHARED_SKIP_NOTE, sharedPath } from '../support/shared-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'espflash-pt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIMPLE =
  '# Name, Type, SubType, Offset, Size, Flags\nnvs,data,nvs,,0x6000,\nphy_init,data,phy,,0x1000,\nfactory,app,factory,,1M,\n';
const write = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('partition-table (synthetic files)', () => {
  const csv = write('simple.csv', SIMPLE);

  it('shows the readable table by default', async () => {
    const r = await runCli(['partition-table', csv, '--flash-size', '4MB']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^factory\s+app\s+factory\s+0x010000\s+1M/m);
    expect(r.stdout).toMatch(/^phy_init\s+data\s+phy\s+0x00f000/m);
    expect(r.stdout).toContain('free at the end');
  });

  it('--to bin -o writes the 3072-byte table, and reading it back gives the same CSV', async () => {
    const out = join(dir, 'sub', 'pt.bin');
    const r = await runCli(['partition-table', csv, '--to', 'bin', '-o', out]);
    expect(r.code).toBe(0);
    const bin = readFileSync(out);
    expect(bin.length).toBe(3072);
    expect([bin[0], bin[1]]).toEqual([0xaa, 0x50]);
    expect([bin[96], bin[97]]).toEqual([0xeb, 0xeb]);
    const back = await runCli(['partition-table', out, '--to', 'csv']);
    expect(back.code).toBe(0);
    expect(back.stdout).toBe(
      '# ESP-IDF Partition Table\n# Name, Type, SubType, Offset, Size, Flags\nnvs,data,nvs,0x9000,24K,\nphy_init,data,phy,0xf000,4K,\nfactory,app,factory,0x10000,1M,\n',
    );
  });

  it('--no-md5 leaves out the MD5 record', async () => {
    const out = join(dir, 'nomd5.bin');
    expect((await runCli(['partition-table', csv, '--to', 'bin', '-o', out, '--no-md5'])).code).toBe(0);
    expect(readFileSync(out)[96]).toBe(0xff);
  });

  it('--offset moves blank offsets', async () => {
    const r = await runCli(['partition-table', csv, '--offset', '0x10000', '--to', 'csv']);
    expect(r.stdout).toContain('nvs,data,nvs,0x11000,24K,');
    expect(r.stdout).toContain('factory,app,factory,0x20000,1M,');
  });

  it('--to csv -o writes the CSV file', async () => {
    const out = join(dir, 'out.csv');
    expect((await runCli(['partition-table', csv, '--to', 'csv', '-o', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('phy_init,data,phy,0xf000,4K,');
  });

  it('--json prints one object with entries and md5', async () => {
    const r = await runCli(['partition-table', csv, '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const obj = JSON.parse(lines[0]!);
    expect(obj.md5).toBe(true);
    expect(obj.entries[2]).toEqual({
      name: 'factory',
      type: 0,
      subtype: 0,
      typeName: 'app',
      subtypeName: 'factory',
      offset: 0x10000,
      size: 0x100000,
      flags: { encrypted: false, readonly: false },
    });
  });

  it('decides the input kind by content, not extension', async () => {
    const out = join(dir, 'table.dat');
    await runCli(['partition-table', csv, '--to', 'bin', '-o', out]);
    const asBin = await runCli(['partition-table', out, '--json']);
    expect(JSON.parse(asBin.stdout).input).toBe('bin');
    const txt = write('table.txt', SIMPLE);
    expect(JSON.parse((await runCli(['partition-table', txt, '--json'])).stdout).input).toBe('csv');
  });

  it('expands environment variables from the CLI environment', async () => {
    const f = write('env.csv', 'nvs,data,nvs,,$NVS_SIZE\n');
    const r = await runCli(['partition-table', f, '--json'], { env: { NVS_SIZE: '0x4000' } });
    expect(JSON.parse(r.stdout).entries[0].size).toBe(0x4000);
  });

  it('accepts custom subtypes with --extra-subtype', async () => {
    const f = write('custom.csv', 'nvs,data,nvs,,0x6000\nmine,app,my_app1,,256K\n');
    const r = await runCli(['partition-table', f, '--extra-subtype', 'app,my_app1,0x40', '--to', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('mine,app,my_app1,0x10000,256K,');
  });
});

describe('partition-table errors', () => {
  const expectUsageError = (r: { code: number; stdout: string; stderr: string }, code: string) => {
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(code);
    expect(r.stderr).toContain('hint:');
    expect(hasStackTrace(r.stderr + r.stdout)).toBe(false);
  };

  it('missing file -> partition/file-not-found', async () => {
    const r = await runCli(['partition-table', join(dir, 'nope.csv')]);
    expectUsageError(r, 'partition/file-not-found');
  });

  it('a bad CSV shows the generator message and the file in the hint', async () => {
    const f = write('overlap.csv', 'nvs,data,nvs,0x9000,0x6000\nphy,data,phy,0xe000,0x1000\n');
    const r = await runCli(['partition-table', f]);
    expectUsageError(r, 'partition/overlap');
    expect(r.stderr).toContain('CSV Error at line 2: Partitions overlap. Partition sets offset 0xe000.');
    expect(r.stderr).toContain('overlap.csv');
  });

  it('a table too big for --flash-size', async () => {
    const f = write('big.csv', 'nvs,data,nvs,,0x6000\nfactory,app,factory,,3M\nstorage,data,spiffs,,1M\n');
    expectUsageError(await runCli(['partition-table', f, '--flash-size', '4MB']), 'partition/does-not-fit');
    expect((await runCli(['partition-table', f, '--flash-size', '8MB'])).code).toBe(0);
  });

  it('--to bin without -o, -o without --to, bad flag values', async () => {
    const f = write('ok.csv', SIMPLE);
    expectUsageError(await runCli(['partition-table', f, '--to', 'bin']), 'partition/output-required');
    expectUsageError(
      await runCli(['partition-table', f, '-o', join(dir, 'x')]),
      'partition/output-without-format',
    );
    expectUsageError(
      await runCli(['partition-table', f, '--flash-size', 'huge']),
      'partition/bad-flash-size',
    );
    expectUsageError(await runCli(['partition-table', f, '--offset', 'zero']), 'partition/invalid-value');
  });

  it('a corrupted binary -> partition/bad-md5, JSON error in --json mode', async () => {
    const f = write('ok2.csv', SIMPLE);
    const out = join(dir, 'corrupt.bin');
    await runCli(['partition-table', f, '--to', 'bin', '-o', out]);
    const bytes = readFileSync(out);
    bytes[8] = (bytes[8]! ^ 0x01) & 0xff;
    writeFileSync(out, bytes);
    expectUsageError(await runCli(['partition-table', out]), 'partition/bad-md5');
    const json = await runCli(['partition-table', out, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ event: 'error', code: 'partition/bad-md5' });
  });

  it('bootloader rows need --bootloader-offset', async () => {
    const f = write('bl.csv', 'bl,bootloader,primary,N/A,N/A\nnvs,data,nvs,,0x6000\n');
    expectUsageError(await runCli(['partition-table', f]), 'partition/missing-bootloader-offset');
    const r = await runCli(['partition-table', f, '--bootloader-offset', '0x1000', '--to', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('bl,bootloader,primary,0x1000,28K,');
  });
});

describe.skipIf(!HAVE_SHARED)(`partition-table on shared fixtures${SHARED_SKIP_NOTE}`, () => {
  it('converts a real CSV to the generator binary byte for byte', async () => {
    const out = join(dir, 'two_ota.bin');
    const csv = sharedPath('partitions', 'esp-idf', 'partitions_two_ota.csv');
    const r = await runCli(['partition-table', csv, '--to', 'bin', '-o', out, '--flash-size', '4MB']);
    expect(r.code).toBe(0);
    const expected = readFileSync(sharedPath('partitions', 'esp-idf', 'partitions_two_ota.bin'));
    expect(readFileSync(out).equals(expected)).toBe(true);
  });

  it('prints a real binary as the generator round-trip CSV', async () => {
    const bin = sharedPath('partitions', 'micropython', 'partitions-4MiB-romfs.bin');
    const r = await runCli(['partition-table', bin, '--to', 'csv']);
    expect(r.stdout).toBe(
      readFileSync(sharedPath('partitions', 'micropython', 'partitions-4MiB-romfs.roundtrip.csv'), 'utf8'),
    );
  });
});

describe('partition-table --help', () => {
  it('lists the options and examples', async () => {
    const r = await runCli(['partition-table', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--flash-size');
    expect(r.stdout).toContain('--no-md5');
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toMatch(/partition-table partitions\.csv\s+--to\s+bin/);
  });
});
