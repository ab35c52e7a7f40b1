import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppDescriptor, buildImage } from '../../src/image/image-builder.js';
import { hasStackTrace, runCli } from '../support/cli.js';
import { pseudoBytes } from './sample.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'espflash-image-info-'));
  const drom = new Uint8Array(1024);
  drom.set(
    buildAppDescriptor({
      projectName: 'hello_world',
      version: '1.0.0',
      idfVer: 'v5.3.1',
      date: 'Jan  2 2026',
      time: '03:04:05',
    }),
  );
  const app = buildImage({
    chip: 'esp32c6',
    entry: 0x408002f0,
    flashFreq: '80m',
    flashSize: '16MB',
    segments: [
      { loadAddress: 0x42800020, data: drom },
      { loadAddress: 0x40800000, data: pseudoBytes(2000, 1) },
    ],
  });
  writeFileSync(join(dir, 'app.bin'), app);
  const corrupt = app.slice();
  corrupt[600] = corrupt[600]! ^ 0xff;
  writeFileSync(join(dir, 'corrupt.bin'), corrupt);
  writeFileSync(join(dir, 'short.bin'), app.subarray(0, 300));
  writeFileSync(join(dir, 'notimage.bin'), new Uint8Array([0xaa, 0x50, 1, 2, 3, 4, 5, 6, 7, 8]));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('espflash image-info', () => {
  it('decodes header, flash params for the chip, segments and app descriptor', async () => {
    const r = await runCli(['image-info', 'app.bin'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Chip:\s+ESP32-C6 \(chip id 13\)/);
    expect(r.stdout).toMatch(/mode dio, freq 80m, size 16MB/);
    expect(r.stdout).toMatch(/Entry:\s+0x408002f0/);
    expect(r.stdout).toMatch(/load 0x42800020 +length +1024 +at 0x00000020/);
    expect(r.stdout).toMatch(/Checksum:\s+0x[0-9a-f]+ \(valid\)/);
    expect(r.stdout).toMatch(/SHA-256:\s+[0-9a-f]{64} \(valid\)/);
    expect(r.stdout).toMatch(/App:\s+hello_world 1\.0\.0, ESP-IDF v5\.3\.1, built Jan {2}2 2026 03:04:05/);
    expect(r.stdout).toMatch(/Revisions:\s+min v0\.0 \(legacy byte 0\), max v0\.99/);
    expect(r.stdout).toMatch(/Valid:\s+yes/);
  });

  it('--json prints exactly one object', async () => {
    const r = await runCli(['image-info', 'app.bin', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const obj = JSON.parse(lines[0]!);
    expect(obj).toMatchObject({
      chip: 'esp32c6',
      chipId: 13,
      valid: true,
      flash: { mode: 'dio', freq: '80m', size: '16MB', freqCode: 0, sizeCode: 4 },
      appDesc: { projectName: 'hello_world', idfVer: 'v5.3.1' },
      signature: 'none',
    });
    expect(obj.segments).toHaveLength(2);
    expect(obj.sha256.valid).toBe(true);
  });

  it("decodes the frequency nibble with the image's own chip even when --chip names another (issue 9)", async () => {
    const r = await runCli(['image-info', 'app.bin', '--chip', 'ESP32-H2', '--json'], { cwd: dir });
    const obj = JSON.parse(r.stdout);
    expect(obj.flash.freq).toBe('80m'); // the image is for the C6: code 0 there, not the H2's 24m
    expect(obj.valid).toBe(false);
    expect(obj.problems[0].code).toBe('image/chip-mismatch');
    expect(r.code).toBe(1);
  });

  it('a corrupt image still shows its info, then reports the problems with exit 1', async () => {
    const r = await runCli(['image-info', 'corrupt.bin'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Checksum:.*\(INVALID\)/);
    expect(r.stdout).toMatch(/SHA-256:.*\(INVALID\)/);
    expect(r.stderr).toMatch(/error image\/bad-checksum: corrupt\.bin: checksum byte at 0x/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('a truncated image is a coded error with exit 1 and no stack', async () => {
    const r = await runCli(['image-info', 'short.bin'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/image\/truncated: short\.bin: segment 0/);
    expect(r.stderr).toMatch(/hint: .*idf\.py build/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('a partition table is named as such', async () => {
    const r = await runCli(['image-info', 'notimage.bin'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/image\/bad-magic: notimage\.bin is a partition table/);
  });

  it('a missing file exits 2 with a hint', async () => {
    const r = await runCli(['image-info', 'nope.bin'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/image\/file-not-found: nope\.bin does not exist/);
    expect(r.stderr).toMatch(/hint: .*build\//);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('an unknown --chip exits 2', async () => {
    const r = await runCli(['image-info', 'app.bin', '--chip', 'esp99'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/image\/bad-chip/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('--json errors are one JSON error line', async () => {
    const r = await runCli(['image-info', 'nope.bin', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ event: 'error', code: 'image/file-not-found' });
  });
});
