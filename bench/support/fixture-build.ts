// A real ESP-IDF build's shape for the real-ROM bench: the flasher_args.json, flash_args and
// partition table of a shared fixture (v4.4, ESP32, 25 KiB bootloader + 3 KiB table + 629 KiB app),
// with generated images of the sizes its BUILD_INFO.txt lists. The fixture holds no binaries; the
// images mix code-like bytes with incompressible runs so zlib shrinks them about as much as real
// firmware (~62 %), which decides how the time splits between the wire and the chip.

import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { codeBytes, createRng, rodataBytes } from '../../src/example/example-content.js';
import { buildImage } from '../../src/image/image-builder.js';

/** The fixture: closest in shape to the build the issue measured. */
export const FIXTURE = 'v4.4_esp32_earphones-controller';

/** Share of 1 KiB chunks that are incompressible (real firmware: tables, keys, compiled code). */
const RANDOM_SHARE = 0.4;

function firmwareBytes(length: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += 1024) {
    const n = Math.min(1024, length - at);
    const roll = rng.below(100);
    if (roll < RANDOM_SHARE * 100) {
      for (let i = 0; i < n; i++) out[at + i] = rng.below(256);
    } else if (roll < 85) out.set(codeBytes(n, rng), at);
    else out.set(rodataBytes(n, rng), at);
  }
  return out;
}

/** An ESP32 image of exactly `size` bytes (header, two segments, checksum, SHA-256). */
function imageOfSize(size: number, seed: number, entry: number): Uint8Array {
  // header 24 + 2 × segment header 8 + checksum block ≤ 16 + SHA-256 32.
  const payload = size - 24 - 16 - 16 - 32;
  const first = Math.floor(payload / 8 / 4) * 4;
  const second = Math.floor((payload - first) / 4) * 4;
  const image = buildImage({
    chip: 'esp32',
    entry,
    flashSize: '2MB',
    segments: [
      { loadAddress: 0x3f400020, data: firmwareBytes(first, seed) },
      { loadAddress: 0x400d0020, data: firmwareBytes(second, seed + 1) },
    ],
  });
  return image;
}

/** Sizes of the fixture's binaries from its BUILD_INFO.txt (`path  blob=…  bytes=N`). */
function buildInfoSizes(dir: string): Map<string, number> {
  const text = readFileSync(join(dir, 'BUILD_INFO.txt'), 'utf8');
  const sizes = new Map<string, number>();
  for (const m of text.matchAll(/^ {2}build\/(\S+) {2}blob=\w+ {2}bytes=(\d+)/gm))
    sizes.set(m[1]!, Number(m[2]));
  return sizes;
}

/** Copy the fixture to `<dir>/build` and write its images; returns the build dir. */
export function prepareFixtureBuild(options: { sharedFixtures: string; dir: string; seed?: number }): string {
  const source = join(options.sharedFixtures, 'idf-build', FIXTURE);
  const buildDir = join(options.dir, 'build');
  mkdirSync(buildDir, { recursive: true });
  cpSync(source, buildDir, { recursive: true });
  const args = JSON.parse(readFileSync(join(buildDir, 'flasher_args.json'), 'utf8')) as {
    flash_files: Record<string, string>;
  };
  const sizes = buildInfoSizes(buildDir);
  const seed = options.seed ?? 1;
  for (const file of Object.values(args.flash_files)) {
    const path = join(buildDir, file);
    if (existsSync(path)) continue;
    const size = sizes.get(file);
    if (size === undefined) throw new Error(`${FIXTURE}: no size for ${file} in BUILD_INFO.txt`);
    const bootloader = file.endsWith('bootloader.bin');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      imageOfSize(size, seed + (bootloader ? 100 : 200), bootloader ? 0x40080694 : 0x40081234),
    );
  }
  return buildDir;
}
