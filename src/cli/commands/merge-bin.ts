// `espflash merge-bin -o factory.bin`: one image of the whole build for factory programmers. The plan
// is derived as `flash`/`plan` derive it (same options and overrides), the bootloader header patched
// as `flash` patches it, and the regions written at their offsets into one raw or Intel HEX file.

import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { parseNumberArg } from '../../api/parse-number.js';
import { hex } from '../../core/protocol/bytes.js';
import { UsageError } from '../../errors.js';
import { loadRegion, plannedBytes } from '../../flash/write-plan.js';
import { describeHeaderFlashParams, flashSizeToBytes } from '../../image/flash-params.js';
import { parseImage } from '../../image/image-parse.js';
import { type MergeRegion, mergeHex, mergeLayout, mergeRaw } from '../../plan/merge-image.js';
import type { FlashPlan, PlanRegion } from '../../plan/types.js';
import { defineCommand } from '../command.js';
import { planFromCli } from '../flows/plan.js';
import { addProjectOptions } from '../shared-options.js';

export const mergeBinCommand = defineCommand({
  command: 'merge-bin',
  describe: 'Merge the whole build into one image for factory programmers (raw or Intel HEX)',
  examples: [
    ['$0 merge-bin -o factory.bin', 'One raw image from flash offset 0x0, gaps filled with 0xFF'],
    ['$0 merge-bin -o factory.bin --fill-flash-size 4MB', 'Padded with 0xFF to the full 4 MB flash'],
    ['$0 merge-bin -o factory.hex --format hex', 'Intel HEX with the regions at their flash addresses'],
    [
      '$0 merge-bin -o app-and-data.bin --target-offset 0x10000 --only app,storage',
      'Only two regions, image starts at 0x10000',
    ],
  ],
  builder: (y: Argv) =>
    addProjectOptions(y)
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'File to write' })
      .option('format', {
        alias: 'f',
        choices: ['raw', 'hex'],
        default: 'raw',
        describe: 'raw: a flash image; hex: Intel HEX (regions only, at their flash addresses)',
      })
      .option('fill-flash-size', {
        type: 'string',
        describe: 'raw: pad with 0xFF up to this flash size, e.g. 4MB (error if the regions do not fit)',
      })
      .option('target-offset', {
        alias: 't',
        type: 'string',
        describe: 'raw: the flash offset the image will be written at (default 0x0)',
      })
      .option('hex-record-bytes', {
        type: 'number',
        choices: [16, 32],
        default: 16,
        describe: 'hex: data bytes per record line',
      })
      .option('allow-stale', {
        type: 'boolean',
        default: false,
        describe: 'Merge even if the app image was not built from the ELF next to it',
      }),
  handler: async (args, ctx) => {
    const format = args.format === 'hex' ? 'hex' : 'raw';
    const output = resolve(ctx.io.cwd, args.output);
    if (format === 'hex') {
      for (const flag of ['fill-flash-size', 'target-offset'] as const) {
        if (args[flag] !== undefined)
          throw new UsageError('merge/raw-only-option', `--${flag} applies to --format raw only`, {
            hint: `Leave out --${flag} (a HEX file carries absolute flash addresses), or use --format raw.`,
            details: { flag: `--${flag}` },
          });
      }
    }
    const { plan } = await planFromCli(args, ctx, { allowStale: args.allowStale });
    const targetOffset =
      args.targetOffset === undefined ? 0 : parseNumberArg(args.targetOffset, { name: '--target-offset' });
    const fillSize = args.fillFlashSize === undefined ? undefined : parseFillSize(args.fillFlashSize);
    if (plan.regions.some((r) => resolve(r.file) === output)) {
      throw new UsageError('merge/output-is-input', `--output ${output} is one of the build's own files`, {
        hint: 'Pass another --output path (e.g. factory.bin).',
        details: { output },
      });
    }
    if (plan.regions.some((r) => r.encrypted))
      ctx.logger.warn(
        'the merged image holds plaintext: regions marked encrypted must be encrypted by the chip while writing (write them with --encrypt), not from this image',
      );

    if (plan.flash.size.value === 'detect')
      ctx.logger.info(
        'flash size "detect": there is no chip to detect here, so the bootloader header keeps its own size (pass --flash-size to set one)',
      );
    const regions: Array<MergeRegion & { region: PlanRegion; patched: boolean }> = [];
    for (const region of plan.regions) {
      const file = await loadRegion(region);
      const bytes = plannedBytes({
        region,
        plan,
        bytes: file,
        detectedSize: null,
        secure: false,
        logger: ctx.logger,
      });
      regions.push({
        offset: region.offset,
        bytes,
        label: region.label ?? region.role,
        region,
        patched: bytes !== file && !sameBytes(bytes, file),
      });
    }
    const raw = format === 'raw';
    const layout = raw
      ? mergeLayout({ regions, targetOffset, ...(fillSize === undefined ? {} : { fillSize }) })
      : mergeLayout({ regions });
    const data = raw
      ? mergeRaw({ regions, targetOffset, ...(fillSize === undefined ? {} : { fillSize }) })
      : new TextEncoder().encode(mergeHex(regions, { recordBytes: args.hexRecordBytes }));
    await writeOutput(output, data);
    const md5 = createHash('md5').update(data).digest('hex');
    const at = raw ? layout.start : layout.regions[0]!.offset;
    const rel = (p: string) => relative(ctx.io.cwd, p) || p;
    const shown = rel(output);
    const how = flashHint({ plan, file: shown, format, offset: at });

    if (ctx.json) {
      ctx.emitJson({
        event: 'merged',
        output: { file: output, format, size: data.length, md5, start: at, end: layout.end },
        regions: layout.regions.map((r) => {
          const full = regions.find((x) => x === r)!;
          return {
            offset: r.offset,
            size: r.bytes.length,
            label: full.region.label,
            role: full.region.role,
            file: full.region.file,
            patched: full.patched,
          };
        }),
        flash: how,
      });
      return 0;
    }
    const lines = [`Merged ${layout.regions.length} regions of ${rel(plan.buildDir)}:`];
    for (const r of layout.regions) {
      const full = regions.find((x) => x === r)!;
      const note = full.patched ? ` (header set to ${headerText(r.bytes, plan)})` : '';
      lines.push(
        `  ${hex(r.offset).padEnd(10)} ${r.label.padEnd(16)} ${String(r.bytes.length).padStart(9)} bytes  ${rel(full.region.file)}${note}`,
      );
    }
    const span = `flash ${hex(layout.start)}..${hex(layout.end)}`;
    lines.push(
      `Wrote ${shown}: ${data.length} bytes (${format}, ${span}${fillSize === undefined ? '' : ', filled to the flash size'}), md5 ${md5}`,
    );
    lines.push(`Flash it with: ${how.espflash ?? how.esptool}`);
    if (how.espflash) lines.push(`  or with esptool v5: ${how.esptool}`);
    ctx.print(lines.join('\n'));
    return 0;
  },
});

/** Flash sizes `--fill-flash-size` accepts (esptool's list). */
const FILL_SIZES = ['256KB', '512KB', '1MB', '2MB', '4MB', '8MB', '16MB', '32MB', '64MB', '128MB'];

function parseFillSize(text: string): number {
  const bytes = (() => {
    try {
      return flashSizeToBytes(text);
    } catch {
      return null;
    }
  })();
  if (bytes === null || !FILL_SIZES.some((s) => flashSizeToBytes(s) === bytes)) {
    throw new UsageError('merge/bad-fill-size', `--fill-flash-size "${text}" is not a flash size`, {
      hint: `Pass --fill-flash-size with one of: ${FILL_SIZES.join(', ')}.`,
      details: { value: text },
    });
  }
  return bytes;
}

async function writeOutput(file: string, data: Uint8Array): Promise<void> {
  try {
    await writeFile(file, data);
  } catch (err) {
    throw new UsageError('merge/cannot-write', `cannot write ${file}`, {
      hint: 'Check --output: its folder must exist and be writable.',
      details: { file },
      cause: err,
    });
  }
}

/** `dio 40m 4MB`: the flash settings a patched bootloader header now carries. */
function headerText(bytes: Uint8Array, plan: FlashPlan): string {
  const p = describeHeaderFlashParams(parseImage(bytes), plan.chip.value);
  return `${p.mode} ${p.freq ?? '?'} ${p.size ?? '?'}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** How to write the merged file: espflash (raw only) and esptool v5. */
function flashHint(options: { plan: FlashPlan; file: string; format: 'raw' | 'hex'; offset: number }): {
  espflash: string | null;
  esptool: string;
} {
  const { plan, file, format, offset } = options;
  const quoted = /^[\w@%+=:,./-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
  return {
    espflash: format === 'raw' ? `espflash write-bin ${hex(offset)} ${quoted}` : null,
    esptool: `esptool --chip ${plan.chip.value} write-flash ${hex(offset)} ${quoted}`,
  };
}
