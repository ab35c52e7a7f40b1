// `espflash write-flash <offset> <file> [<offset> <file> ...]`: esptool's command line, for pasting.
// Every pair is checked before the device is touched (pairs, offsets, files, sector overlaps), then
// written and verified with Device.writeBin (as `write-bin`), the bootloader header patched with the
// --flash-* flags by the same rule `flash` uses (plannedBytes). esptool v4's `write_flash` is an alias.

import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { Device } from '../../api/device.js';
import { parseNumberArg } from '../../api/parse-number.js';
import type { ResolvedOptions } from '../../config/resolve-options.js';
import { hex } from '../../core/protocol/bytes.js';
import { UsageError } from '../../errors.js';
import { plannedBytes } from '../../flash/write-plan.js';
import type { FlashPlan, PlanRegion } from '../../plan/types.js';
import { type Sourced, sourced } from '../../provenance.js';
import { defineCommand } from '../command.js';
import { withDevice } from '../flows/device.js';
import { readBinaryToWrite } from '../flows/input-file.js';
import {
  addCompressOptions,
  addDeviceOptions,
  compressChoice,
  resolveCliOptions,
} from '../shared-options.js';

/** Flash is erased in 4 KiB sectors: regions sharing one would erase each other (esptool's check). */
const SECTOR = 0x1000;

/** One `<offset> <file>` pair, read and checked. */
export interface WritePair {
  offset: number;
  file: string;
  data: Uint8Array;
}

/**
 * Parse `<offset> <file>` pairs and read the files. Throws UsageErrors (exit 2):
 * `usage/unpaired-args` (none or an odd count), `usage/bad-number` (offset), `usage/file-not-found`,
 * `usage/empty-file`, `usage/regions-overlap` (two regions touch one 4 KiB sector).
 */
export async function readWritePairs(args: readonly string[], cwd: string): Promise<WritePair[]> {
  if (args.length === 0 || args.length % 2 !== 0) {
    throw new UsageError(
      'usage/unpaired-args',
      args.length === 0
        ? 'write-flash needs <offset> <file> pairs; none were given'
        : `write-flash needs <offset> <file> pairs; "${args[args.length - 1]}" has no partner`,
      {
        hint: 'Pass pairs like `espflash write-flash 0x1000 bootloader.bin 0x10000 app.bin`.',
        details: { args: [...args] },
      },
    );
  }
  const pairs: WritePair[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const offset = parseNumberArg(args[i]!, { name: `<offset> (pair ${i / 2 + 1})` });
    const file = resolve(cwd, args[i + 1]!);
    const data = await readBinaryToWrite(file, '<file>');
    pairs.push({ offset, file, data });
  }
  const sorted = [...pairs].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const next = sorted[i]!;
    const prevEndSector = Math.ceil((prev.offset + prev.data.length) / SECTOR) * SECTOR;
    if (Math.floor(next.offset / SECTOR) * SECTOR < prevEndSector) {
      throw new UsageError(
        'usage/regions-overlap',
        `${next.file} at ${hex(next.offset)} overlaps ${prev.file} (${hex(prev.offset)}..${hex(prev.offset + prev.data.length)}, erased up to ${hex(prevEndSector)})`,
        {
          hint: 'Flash is erased in 4 KiB sectors: give each file its own sectors (check the offsets).',
          details: {
            first: { file: prev.file, offset: prev.offset, size: prev.data.length },
            second: { file: next.file, offset: next.offset, size: next.data.length },
          },
        },
      );
    }
  }
  return pairs;
}

/** The --flash-* flags as a plan, so the bootloader gets `flash`'s header patch (plannedBytes). */
function headerPlan(device: Device, resolved: ResolvedOptions): FlashPlan {
  const flag = <T extends string>(v: Sourced<T> | undefined, flagName: string): Sourced<T> =>
    v?.source.kind === 'cli' ? v : (sourced('keep', 'default', flagName) as Sourced<T>);
  return {
    chip: sourced(device.chip.name, 'device'),
    flash: {
      mode: flag(resolved.flashMode, '--flash-mode'),
      freq: flag(
        resolved.flashFreq as Sourced<FlashPlan['flash']['freq']['value']> | undefined,
        '--flash-freq',
      ),
      size: flag(
        resolved.flashSize as Sourced<FlashPlan['flash']['size']['value']> | undefined,
        '--flash-size',
      ),
    },
    before: sourced('default_reset', 'default'),
    after: sourced('hard_reset', 'default'),
    stub: sourced(device.loader.isStub, 'device'),
    regions: [],
    buildDir: '',
  };
}

export const writeFlashCommand = defineCommand({
  command: ['write-flash [pairs..]', 'write_flash'],
  describe: "esptool's write-flash: write <offset> <file> pairs and verify each (MD5)",
  examples: [
    [
      '$0 write-flash 0x1000 bootloader.bin 0x8000 partition-table.bin 0x10000 app.bin -p /dev/ttyUSB0',
      'Write three files, as esptool would',
    ],
    [
      '$0 write-flash --flash-mode dio --flash-size 4MB 0x1000 bootloader.bin',
      "Write the bootloader with these flash settings in its header (esptool's rule)",
    ],
  ],
  builder: (y: Argv) =>
    addCompressOptions(addDeviceOptions(y))
      .positional('pairs', {
        type: 'string',
        array: true,
        describe: '<offset> <file> pairs (offset: 0x hex, decimal, k/M suffix)',
      })
      .alias('compress', 'z')
      .option('flash-mode', {
        alias: 'flash_mode',
        type: 'string',
        describe: 'qio, qout, dio, dout or keep (default): patched into the bootloader header',
      })
      .option('flash-freq', {
        alias: 'flash_freq',
        type: 'string',
        describe: 'e.g. 40m, 80m, or keep (default): patched into the bootloader header',
      })
      .option('flash-size', {
        alias: 'flash_size',
        type: 'string',
        describe: 'e.g. 4MB, detect, or keep (default): patched into the bootloader header',
      })
      .option('erase-all', {
        alias: ['e', 'erase_all'],
        type: 'boolean',
        default: false,
        describe: 'Erase the whole flash first',
      })
      .option('verify', {
        type: 'boolean',
        describe: 'Accepted for esptool command lines; espflash always verifies each region by MD5',
      })
      .option('progress', {
        type: 'boolean',
        default: true,
        describe: 'Show progress bars (--no-progress hides them)',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'Write even where the device already holds these bytes',
      }),
  handler: async (args, ctx) => {
    const pairs = await readWritePairs((args.pairs ?? []).map(String), ctx.io.cwd);
    const resolved = await resolveCliOptions(args, ctx);
    const results = await withDevice(
      resolved,
      ctx,
      async ({ device }) => {
        if (args.eraseAll) {
          ctx.logger.info('Erasing the whole flash (--erase-all)...');
          await device.eraseFlash();
        }
        const plan = headerPlan(device, resolved);
        const secure =
          device.loader.secureDownloadMode || (device.loader.securityInfo?.secureBootEnabled ?? false);
        const out = [];
        for (const pair of pairs) {
          const region: PlanRegion = {
            offset: pair.offset,
            size: pair.data.length,
            file: pair.file,
            sha256: '',
            role: 'data',
            label: null,
            encrypted: false,
            source: { kind: 'cli', detail: 'write-flash' },
          };
          const data = plannedBytes({
            region,
            plan,
            bytes: pair.data,
            detectedSize: device.flashInfo.id?.sizeName ?? null,
            secure,
            logger: ctx.logger,
          });
          const result = await device.writeBin(pair.offset, data, {
            force: args.force,
            ...compressChoice(args),
          });
          const patched = data !== pair.data && data.some((b, i) => b !== pair.data[i]);
          out.push({ file: pair.file, patched, ...result });
        }
        return out;
      },
      { progress: args.progress },
    );
    for (const result of results) {
      if (ctx.json) {
        ctx.emitJson({ event: 'written', ...result });
        continue;
      }
      const { span } = result;
      const kept =
        span.offset !== result.offset || span.size !== result.size
          ? ` (sectors ${hex(span.offset)}..${hex(span.offset + span.size)} rewritten, the bytes around it kept and verified)`
          : '';
      const patched = result.patched ? ' with the --flash-* settings in its header' : '';
      ctx.print(
        result.status === 'skipped'
          ? `${result.file} is already at ${hex(result.offset)} (md5 ${result.md5}); nothing written`
          : `Wrote ${result.file} at ${hex(result.offset)}${patched} and verified it (md5 ${result.md5})${kept}`,
      );
    }
    return 0;
  },
});
