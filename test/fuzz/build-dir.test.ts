// Fuzz whole ESP-IDF build directories: a valid-looking build with its files mutated, removed,
// swapped for directories or emptied, read through readBuildOutput and derivePlan. The result is a
// plan whose regions are sane (inside 32-bit flash, sector-aligned, non-overlapping, non-empty
// files) or a coded error — never a raw fs error or a TypeError.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { buildImage } from '../../src/image/image-builder.js';
import { encodePartitionTable } from '../../src/partition/binary.js';
import { parsePartitionCsv } from '../../src/partition/csv-parse.js';
import { derivePlan } from '../../src/plan/derive-plan.js';
import { sourced } from '../../src/provenance.js';
import { fuzzFailure, guardAsync } from './support/expect-coded.js';
import { iterationSeed, mutateMany, mutateText, Prng } from './support/prng.js';

const root = mkdtempSync(join(tmpdir(), 'espflash-fuzz-build-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FLASHER_ARGS = JSON.stringify(
  {
    write_flash_args: ['--flash_mode', 'dio', '--flash_size', '4MB', '--flash_freq', '40m'],
    flash_settings: { flash_mode: 'dio', flash_size: '4MB', flash_freq: '40m' },
    flash_files: {
      '0x1000': 'bootloader/bootloader.bin',
      '0x10000': 'app.bin',
      '0x8000': 'partition_table/partition-table.bin',
    },
    bootloader: { offset: '0x1000', file: 'bootloader/bootloader.bin', encrypted: 'false' },
    app: { offset: '0x10000', file: 'app.bin', encrypted: 'false' },
    'partition-table': { offset: '0x8000', file: 'partition_table/partition-table.bin', encrypted: 'false' },
    extra_esptool_args: { after: 'hard_reset', before: 'default_reset', stub: true, chip: 'esp32' },
  },
  null,
  2,
);
const FLASH_ARGS =
  '--flash_mode dio --flash_freq 40m --flash_size 4MB\n0x1000 bootloader/bootloader.bin\n0x10000 app.bin\n0x8000 partition_table/partition-table.bin\n';
const DESCRIPTION = JSON.stringify({
  project_name: 'app',
  target: 'esp32',
  app_bin: 'app.bin',
  app_elf: 'app.elf',
  git_revision: 'v5.3',
});
const image = (n: number) =>
  buildImage({
    chip: 'esp32',
    entry: 0x40080000,
    segments: [{ loadAddress: 0x3f400020, data: new Uint8Array(n).fill(0x5a) }],
  });
const TABLE = encodePartitionTable(
  parsePartitionCsv('nvs,data,nvs,,0x6000,\nphy_init,data,phy,,0x1000,\nfactory,app,factory,,1M,\n'),
);

function files(rng: Prng): Record<string, string | Uint8Array | 'dir' | null> {
  const maybe = <T>(value: T, mutated: () => T): T | 'dir' | null => {
    const roll = rng.below(20);
    if (roll === 0) return null;
    if (roll === 1) return 'dir';
    return roll < 8 ? mutated() : value;
  };
  return {
    'flasher_args.json': rng.chance(0.7) ? maybe(FLASHER_ARGS, () => mutateText(rng, FLASHER_ARGS)) : null,
    flash_args: rng.chance(0.4) ? maybe(FLASH_ARGS, () => mutateText(rng, FLASH_ARGS)) : null,
    'project_description.json': rng.chance(0.6)
      ? maybe(DESCRIPTION, () => mutateText(rng, DESCRIPTION))
      : null,
    'bootloader/bootloader.bin': maybe(image(64), () => mutateMany(rng, image(64))),
    'partition_table/partition-table.bin': maybe(TABLE, () =>
      mutateMany(rng, TABLE, { lengthFields: [4, 8, 36, 40, 68, 72] }),
    ),
    'app.bin': maybe(image(1000), () => (rng.chance(0.2) ? new Uint8Array(0) : mutateMany(rng, image(1000)))),
    sdkconfig: rng.chance(0.5)
      ? mutateText(rng, 'CONFIG_IDF_TARGET="esp32"\nCONFIG_PARTITION_TABLE_OFFSET=0x8000\n')
      : null,
  };
}

describe('fuzz: build directories → flash plan', () => {
  it('derivePlan on mutated builds: a sane plan or a coded error', { timeout: 60_000 }, async () => {
    let planned = 0;
    for (let i = 0; i < 80; i++) {
      const seed = iterationSeed(0xbd01, i);
      const rng = new Prng(seed);
      const dir = join(root, `b${i}`);
      const layout = files(rng);
      // Data files first, layout files last, so the images are not "older than" the layout by accident.
      for (const [name, content] of Object.entries(layout)
        .sort(([a], [b]) => Number(a.endsWith('.bin')) - Number(b.endsWith('.bin')) || a.localeCompare(b))
        .reverse()) {
        if (content === null) continue;
        const path = join(dir, name);
        if (content === 'dir') {
          mkdirSync(path, { recursive: true });
          continue;
        }
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
      }
      const summary = Object.fromEntries(
        Object.entries(layout).map(([k, v]) => [
          k,
          v === null ? 'absent' : v === 'dir' ? 'dir' : `${v.length}`,
        ]),
      );
      const overrides = {
        ...(rng.chance(0.2) ? { chip: sourced(rng.pick(['esp32', 'esp32s3'] as const), 'cli') } : {}),
        ...(rng.chance(0.15)
          ? { flashSize: sourced(rng.pick(['4MB', '1MB', 'keep', 'detect']), 'cli') }
          : {}),
        ...(rng.chance(0.15) ? { to: rng.pick(['factory', 'nvs', 'nope', '']) } : {}),
        ...(rng.chance(0.15)
          ? { only: [rng.pick(['app', 'bootloader', 'nvs', 'nope', 'partition-table'])] }
          : {}),
      };
      const ctx = { seed, input: JSON.stringify({ summary, overrides: Object.keys(overrides) }) };
      const r = await guardAsync(
        () => derivePlan({ buildDir: dir, overrides, allowStale: rng.chance(0.7) }),
        ctx,
      );
      if (!r.ok) continue;
      planned++;
      const regions = [...r.value.regions].sort((a, b) => a.offset - b.offset);
      regions.forEach((reg, k) => {
        if (
          !Number.isSafeInteger(reg.offset) ||
          reg.offset < 0 ||
          reg.offset + reg.size > 2 ** 32 ||
          reg.offset % 0x1000 !== 0
        )
          throw fuzzFailure(`region at ${reg.offset} is outside 32-bit flash or misaligned`, ctx);
        if (reg.size <= 0) throw fuzzFailure(`empty region ${reg.file}`, ctx);
        const next = regions[k + 1];
        if (next && reg.offset + reg.size > next.offset)
          throw fuzzFailure(`regions overlap at ${next.offset}`, ctx);
      });
    }
    if (planned < 10) throw new Error(`only ${planned} of 80 mutated builds produced a plan`);
  });
});
