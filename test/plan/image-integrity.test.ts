// Issue 9 #5: an app or bootloader image with a bad checksum or SHA-256 digest is refused by `plan`,
// `flash` and `watch`'s planner before any device is touched (image/bad-checksum, image/bad-digest);
// `flash --force` writes it anyway with a warning.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { parseImage } from '../../src/image/image-parse.js';
import { runCli } from '../support/cli.js';

let dir = '';
let buildDir = '';
let app = '';

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'espflash-integrity-'));
  mkdirSync(join(dir, '.git'));
  buildDir = (await generateExampleBuild({ dir: join(dir, 'proj'), chip: 'esp32' })).buildDir;
  app = join(buildDir, 'hello_world.bin');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function flipSegmentByte(): void {
  const bytes = new Uint8Array(readFileSync(app));
  const seg = parseImage(bytes).segments[1]!;
  const at = seg.fileOffset + 8 + 5;
  bytes[at] = bytes[at]! ^ 0x01;
  writeFileSync(app, bytes);
}

function flipDigestByte(): void {
  const bytes = new Uint8Array(readFileSync(app));
  const image = parseImage(bytes);
  bytes[image.dataLength + 3] = bytes[image.dataLength + 3]! ^ 0xff;
  writeFileSync(app, bytes);
}

describe('corrupt images are refused before connecting', () => {
  it('plan: a flipped segment byte is image/bad-checksum', async () => {
    flipSegmentByte();
    const r = await runCli(['plan', '--build-dir', buildDir], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error image\/bad-checksum: .*hello_world\.bin \(app\)/m);
    expect(r.stderr).toMatch(/hint: .*--force/);
  });

  it('plan: a flipped digest byte is image/bad-digest', async () => {
    flipDigestByte();
    const r = await runCli(['plan', '--build-dir', buildDir], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error image\/bad-digest:/m);
  });

  it('flash refuses it without connecting', async () => {
    flipSegmentByte();
    const r = await runCli(['flash', '--build-dir', buildDir, '--port', 'sim://esp32'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error image\/bad-checksum:/m);
    expect(r.stderr).not.toContain('Connecting');
  });

  it('flash --force writes it with a warning', async () => {
    flipSegmentByte();
    const r = await runCli(['flash', '--build-dir', buildDir, '--port', 'sim://esp32', '--force'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*hello_world\.bin \(app\): checksum .*writing it anyway \(--force\)/);
  });

  it('an intact build still plans', async () => {
    const r = await runCli(['plan', '--build-dir', buildDir], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });
});
