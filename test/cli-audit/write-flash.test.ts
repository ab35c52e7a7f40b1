// `espflash write-flash <offset> <file> ...` as pasted from esptool: every pair written and verified
// on the virtual ESP32 (its flash file read back), the bootloader header patched by --flash-* flags
// only at the bootloader offset, v4's `write_flash` spelling and esptool's flags accepted, and bad
// command lines refused with coded usage errors (exit 2) before the device is touched.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleBootloader } from '../../src/example/example-images.js';
import { runCli } from '../support/cli.js';

let dir = '';
let flashFile = '';
let bootloader: Uint8Array;
const port = () => `sim://esp32?flashFile=${flashFile}`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'espflash-write-flash-'));
  flashFile = join(dir, 'flash.bin');
  bootloader = exampleBootloader({
    chip: 'esp32',
    seed: 7,
    flash: { mode: 'qio', freq: '80m', size: '2MB' },
    idfVer: 'v5.3',
    withDescriptor: true,
  });
  writeFileSync(join(dir, 'bootloader.bin'), bootloader);
  writeFileSync(join(dir, 'a.bin'), new Uint8Array(5000).fill(0xa5));
  writeFileSync(join(dir, 'b.bin'), new Uint8Array(300).fill(0x5b));
  writeFileSync(join(dir, 'empty.bin'), '');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const flash = () => new Uint8Array(readFileSync(flashFile));
const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

describe('write-flash', () => {
  it('writes and verifies every pair; the bootloader keeps its header without --flash-* flags', async () => {
    const r = await runCli(
      ['write-flash', '0x1000', 'bootloader.bin', '0x10000', 'a.bin', '80k', 'b.bin', '-p', port()],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const f = flash();
    expect(bytesEqual(f.subarray(0x1000, 0x1000 + bootloader.length), bootloader)).toBe(true);
    expect(f.subarray(0x10000, 0x10000 + 5000).every((b) => b === 0xa5)).toBe(true);
    expect(f.subarray(0x14000, 0x14000 + 300).every((b) => b === 0x5b)).toBe(true);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Wrote .*bootloader\.bin at 0x1000 and verified it \(md5 [0-9a-f]{32}\)/);
    expect(lines[2]).toMatch(/b\.bin at 0x14000 and verified/);
  });

  it("patches --flash-mode/--flash-size into the bootloader only (esptool's rule), v4 spellings too", async () => {
    const r = await runCli(
      [
        'write_flash',
        '--flash_mode',
        'dio',
        '--flash-size',
        '4MB',
        '0x1000',
        'bootloader.bin',
        '0x20000',
        'a.bin',
      ],
      { cwd: dir, env: { ESPTOOL_PORT: port() } },
    );
    expect(r.code, r.stderr).toBe(0);
    const f = flash();
    expect(f[0x1000 + 2]).toBe(2); // dio
    expect(f[0x1000 + 3]! >> 4).toBe(2); // 4MB
    expect(f[0x1000 + 3]! & 0x0f).toBe(bootloader[3]! & 0x0f); // freq kept
    expect(bytesEqual(f.subarray(0x1000 + 4, 0x1000 + 24), bootloader.subarray(4, 24))).toBe(true);
    expect(f.subarray(0x20000, 0x20000 + 5000).every((b) => b === 0xa5)).toBe(true);
    expect(r.stdout).toMatch(
      /bootloader\.bin at 0x1000 with the --flash-\* settings in its header and verified/,
    );
    expect(r.stdout).not.toMatch(/a\.bin at 0x20000 with/);
  });

  it("accepts esptool's -z/-u/--verify/--no-progress/--erase-all and --json reports each region", async () => {
    writeFileSync(flashFile, new Uint8Array(4 * 1024 * 1024).fill(0x77));
    const r = await runCli(
      [
        'write-flash',
        '-z',
        '--verify',
        '--no-progress',
        '--erase-all',
        '0x9000',
        'b.bin',
        '-p',
        port(),
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.some((e) => e.event === 'region-progress' || e.event === 'erase-progress')).toBe(false);
    expect(events.filter((e) => e.event === 'written')).toMatchObject([
      { offset: 0x9000, size: 300, status: 'written' },
    ]);
    const f = flash();
    expect(f[0x20000]).toBe(0xff); // erased by --erase-all
    expect(f[0x9000]).toBe(0x5b);
    const plain = await runCli(['write-flash', '-u', '0xa000', 'b.bin', '-p', port()], { cwd: dir });
    expect(plain.code, plain.stderr).toBe(0);
  });

  it('takes an esptool command line as pasted: connection flags before the command, v5 reset names', async () => {
    const r = await runCli(
      ['--chip', 'esp32', '-p', port(), '-b', '460800', '--before', 'default-reset', '-a', 'no-reset'].concat(
        ['write-flash', '0x9000', 'b.bin'],
      ),
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(flash()[0x9000]).toBe(0x5b);
  });

  it.each([
    [['0x1000'], 'usage/unpaired-args', /"0x1000" has no partner/],
    [[], 'usage/unpaired-args', /none were given/],
    [['0x1000', 'a.bin', 'zz', 'b.bin'], 'usage/bad-number', /pair 2/],
    [['0x1000', 'missing.bin'], 'usage/file-not-found', /missing\.bin/],
    [['0x1000', 'empty.bin'], 'usage/empty-file', /empty/],
    [
      ['0x10000', 'a.bin', '0x11000', 'b.bin'],
      'usage/regions-overlap',
      /b\.bin at 0x11000 overlaps .*a\.bin/,
    ],
    [['0x10800', 'b.bin', '0x10000', 'b.bin'], 'usage/regions-overlap', /overlaps/],
  ])('%j → %s (exit 2) without touching the device', async (pairs, code, message) => {
    const r = await runCli(['write-flash', ...pairs, '-p', port()], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error ${code}:`);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/hint: /);
    // The virtual chip was never opened: its flash file does not exist.
    expect(() => readFileSync(flashFile)).toThrow();
  });
});
