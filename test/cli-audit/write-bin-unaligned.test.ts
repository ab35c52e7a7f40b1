// Issue 9 #1: write-bin at an offset (or with a size) that is not 4 KiB-aligned keeps the bytes
// around it (read-modify-write of the partial sectors, verified), with the stub and with --no-stub,
// and reports the offset the user gave. Also: negative offsets and empty files are usage errors.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let dir = '';
let flashFile = '';
const port = () => `sim://esp32?flashFile=${flashFile}`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'espflash-write-bin-'));
  flashFile = join(dir, 'flash.bin');
  writeFileSync(join(dir, 'pat.bin'), new Uint8Array(12 * 1024).fill(0x11));
  writeFileSync(join(dir, 'blob.bin'), new Uint8Array(4096).fill(0x22));
  writeFileSync(join(dir, 'small.bin'), new Uint8Array(100).fill(0x33));
  writeFileSync(join(dir, 'empty.bin'), '');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function write(args: string[]) {
  return runCli(['write-bin', ...args, '--port', port()], { cwd: dir });
}

function flash(): Uint8Array {
  return new Uint8Array(readFileSync(flashFile));
}

describe('write-bin keeps the neighbours of an unaligned write', () => {
  for (const stub of [[], ['--no-stub']]) {
    it(`offset 0x9001 inside a pattern ${stub.join(' ') || '(stub)'}`, async () => {
      expect((await write(['0x9000', 'pat.bin'])).code).toBe(0);
      const r = await write(['0x9001', 'blob.bin', ...stub]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('at 0x9001 and verified');
      const f = flash();
      expect(f[0x9000]).toBe(0x11);
      expect(f.subarray(0x9001, 0xa001).every((b) => b === 0x22)).toBe(true);
      expect(f.subarray(0xa001, 0xc000).every((b) => b === 0x11)).toBe(true);
    });
  }

  it('an aligned offset with a short file keeps the rest of its sector', async () => {
    expect((await write(['0x9000', 'pat.bin'])).code).toBe(0);
    const r = await write(['0xa000', 'small.bin']);
    expect(r.code, r.stderr).toBe(0);
    const f = flash();
    expect(f.subarray(0xa000, 0xa064).every((b) => b === 0x33)).toBe(true);
    expect(f.subarray(0xa064, 0xc000).every((b) => b === 0x11)).toBe(true);
  });

  it('--json reports the offset and size given, plus the rewritten span', async () => {
    await write(['0x9000', 'pat.bin']);
    const r = await runCli(['write-bin', '0x9001', 'blob.bin', '--port', port(), '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const written = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.event === 'written');
    expect(written).toMatchObject({ offset: 0x9001, size: 4096, span: { offset: 0x9000, size: 0x2000 } });
  });
});

describe('write-bin where the loader cannot read flash back', () => {
  it('the ESP8266 ROM refuses an unaligned write naming what would be erased', async () => {
    const r = await runCli(
      ['write-bin', '0x9001', 'blob.bin', '--no-stub', '--port', `sim://esp8266?flashFile=${flashFile}`],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error flash\/unaligned-write: .*erase 0x9000\.\.0x9001 and 0xa001\.\.0xb000/m);
    expect(r.stderr).toMatch(/hint: Drop --no-stub/);
  });
});

describe('write-bin bad input', () => {
  it('an empty file is a usage error before connecting', async () => {
    const r = await write(['0x9000', 'empty.bin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error usage\/empty-file:/m);
    expect(r.stderr).not.toContain('Connecting');
  });

  it('a negative hex offset is a coded number error, not a yargs message', async () => {
    const r = await write(['-0x1000', 'blob.bin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error usage\/bad-number: "-0x1000" is negative/m);
    expect(r.stderr).not.toContain('Not enough non-option arguments');
  });
});
