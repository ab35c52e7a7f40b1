// `espflash demo`: the whole job end to end without hardware: generate an example ESP-IDF build,
// flash it to `--port` (default the virtual ESP32), read every region back and prove it matches.

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { type ChipName, parseChipName } from '../../chips/chips.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import { bytesEqual, hex } from '../../core/protocol/bytes.js';
import { EspflashError, UsageError } from '../../errors.js';
import { generateExampleBuild } from '../../example/example-build.js';
import { plannedBytes } from '../../flash/write-plan.js';
import { derivePlan } from '../../plan/derive-plan.js';
import { sourced } from '../../provenance.js';
import { defineCommand } from '../command.js';
import { withDevice } from '../flows/device.js';
import { formatBytes } from '../reporter/describe-event.js';
import { addDeviceOptions, resolveCliOptions } from '../shared-options.js';

/** One region's read-back proof. */
export interface DemoRegion {
  label: string;
  offset: number;
  size: number;
  status: string;
  md5: string | null;
  readBackIdentical: boolean;
}

/**
 * The demo's chip: --chip (or ESPFLASH_CHIP/config), else the chip named by a sim:// port, else null
 * (detect it on the connected board). Without any port the virtual ESP32 is used.
 */
function demoChip(resolved: ResolvedOptions): ChipName | null {
  if (resolved.chip) return resolved.chip.value;
  const port = resolved.port?.value;
  if (port === undefined) return 'esp32';
  const fromSim = /^sim:\/\/([a-z0-9_-]+)/i.exec(port)?.[1];
  if (fromSim === undefined) return null;
  const chip = parseChipName(fromSim);
  if (!chip) {
    throw new UsageError(
      'usage/unknown-chip',
      `"${fromSim}" in --port ${port} is not a chip espflash knows`,
      {
        hint: 'Use --port sim://esp32, sim://esp32s3, sim://esp32c3, …',
        details: { chip: fromSim },
      },
    );
  }
  return chip;
}

export const demoCommand = defineCommand({
  command: 'demo',
  describe:
    'Generate an example build, flash it (default: the virtual ESP32) and prove every region by reading it back',
  examples: [
    ['$0 demo', 'Flash an example build to sim://esp32 and verify it'],
    ['$0 demo --port sim://esp32c3', 'The same on a virtual ESP32-C3'],
    [
      '$0 demo --dir examples/demo --port /dev/ttyUSB0',
      'Keep the build in examples/demo and use a real board',
    ],
  ],
  builder: (y: Argv) =>
    addDeviceOptions(y)
      .option('dir', {
        type: 'string',
        describe:
          'Project directory for the example build (default: a temporary directory, removed afterwards); must be new, empty or an earlier demo',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'Let --dir overwrite a non-empty directory the demo did not create',
      }),
  handler: async (args, ctx) => {
    const resolved = await resolveCliOptions(args, ctx);
    const wanted = demoChip(resolved);
    const defaultPort = `sim://${wanted ?? 'esp32'}`;
    const port = resolved.port?.value ?? defaultPort;
    const keep = args.dir !== undefined;
    const dir =
      args.dir !== undefined
        ? resolve(ctx.io.cwd, args.dir)
        : await mkdtemp(join(tmpdir(), 'espflash-demo-'));
    if (keep) await assertUsableDir(dir, args.force);
    try {
      const { chip, regions } = await withDevice(
        resolved,
        ctx,
        async ({ device, reporter }) => {
          const chip = device.chip.name;
          const build = await generateExampleBuild({ dir, chip });
          const plan = await derivePlan({
            buildDir: build.buildDir,
            overrides: { chip: sourced(chip, 'device', port) },
            logger: ctx.logger,
          });
          ctx.print(
            `Example ${chip} build in ${keep ? build.buildDir : 'a temporary directory'}; flashing ${port}`,
          );
          const summary = await device.flash(plan, { force: true });
          const out: DemoRegion[] = [];
          for (const [i, region] of plan.regions.entries()) {
            const expected = plannedBytes({
              region,
              plan,
              bytes: new Uint8Array(await readFile(region.file)),
              detectedSize: device.flashInfo.id?.sizeName ?? null,
              secure: false,
            });
            const back = await device.readFlash(region.offset, expected.length);
            const r = summary.regions[i]!;
            out.push({
              label: region.label ?? region.role,
              offset: region.offset,
              size: expected.length,
              status: r.status,
              md5: r.md5,
              readBackIdentical: bytesEqual(back, expected),
            });
          }
          reporter.finish();
          return { chip, regions: out };
        },
        { defaultPort, ...(wanted === null ? {} : { open: { chip: wanted } }) },
      );
      const bad = regions.filter((r) => !r.readBackIdentical);
      if (ctx.json) ctx.emitJson({ event: 'demo-summary', port, chip, regions, ok: bad.length === 0 });
      else {
        for (const r of regions) {
          ctx.print(
            `  ${r.label.padEnd(16)} ${hex(r.offset).padEnd(9)} ${formatBytes(r.size).padStart(10)}  md5 ${r.md5}  read back: ${r.readBackIdentical ? 'identical' : 'DIFFERENT'}`,
          );
        }
        if (bad.length === 0)
          ctx.print(`All ${regions.length} regions written, verified by MD5 and read back byte for byte.`);
      }
      if (bad.length > 0) {
        throw new EspflashError(
          'demo/read-back-mismatch',
          `read-back differs for ${bad.map((r) => r.label).join(', ')}`,
          {
            hint: 'Run with --verbose and report it; the device did not keep what was written.',
            details: { regions: bad },
          },
        );
      }
      return 0;
    } finally {
      if (!keep) await rm(dir, { recursive: true, force: true });
    }
  },
});

/** Written into a `--dir` the demo fills, so a later demo may overwrite it again. */
export const DEMO_MARKER = '.espflash-demo';

/**
 * `--dir` must not exist yet, be empty, or hold an earlier demo (its marker file): the demo writes
 * CMakeLists.txt, partitions.csv and build/, and must not overwrite a real project's (`--force` does).
 */
async function assertUsableDir(dir: string, force: boolean): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new UsageError('usage/bad-dir', `--dir ${dir} cannot be used as a folder for the example build`, {
      hint: 'Pass --dir <folder> naming a directory (or a path that does not exist yet).',
      details: { dir },
      cause: err,
    });
  }
  const entries = await readdir(dir);
  if (entries.length > 0 && !entries.includes(DEMO_MARKER) && !force) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', …' : '');
    throw new UsageError(
      'demo/dir-not-empty',
      `--dir ${dir} is not empty (${shown}) and was not made by espflash demo; the demo would overwrite its CMakeLists.txt, partitions.csv and build/`,
      {
        hint: 'Pass --dir with a new or empty directory, or add --force to overwrite it.',
        details: { dir, entries: entries.slice(0, 20) },
      },
    );
  }
  await writeFile(
    join(dir, DEMO_MARKER),
    'Made by `espflash demo`: a later `espflash demo --dir` may overwrite this directory.\n',
  );
}
