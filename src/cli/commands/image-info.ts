// `espflash image-info <file>`: decode an ESP image (header flash params for its chip, segments,
// checksum and digest validity, revisions, app/bootloader descriptor); `--json` prints one object.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { CHIP_NAMES, type ChipName, chipByImageId, chipInfo, parseChipName } from '../../chips/chips.js';
import { hex, hex32 } from '../../core/protocol/bytes.js';
import { UsageError } from '../../errors.js';
import { describeHeaderFlashParams } from '../../image/flash-params.js';
import { parseImage, verifyImage } from '../../image/image-parse.js';
import type { EspImage, ImageProblem } from '../../image/image-types.js';
import { defineCommand, required } from '../command.js';

export const imageInfoCommand = defineCommand({
  command: 'image-info <file>',
  describe: 'Decode an ESP application or bootloader image and check its checksum and SHA-256',
  examples: [
    ['$0 image-info build/hello_world.bin', 'Header, segments, validity and app descriptor'],
    ['$0 image-info build/bootloader/bootloader.bin --chip esp32c6', 'Decode and check against a given chip'],
    ['$0 image-info build/app.bin --json', 'The same as one JSON object'],
  ],
  builder: (y: Argv) =>
    required(
      y
        .positional('file', {
          type: 'string',
          describe: 'Image file (.bin from the ESP-IDF build directory)',
        })
        .option('chip', {
          type: 'string',
          describe: 'Chip the image must be for (default: from its header)',
        }),
      'file',
    ),
  handler: async (args, ctx) => {
    const fileArg = args.file;
    const chip = args.chip === undefined ? undefined : chipArg(args.chip);
    const bytes = await readImageFile(resolve(ctx.io.cwd, fileArg), fileArg);
    const image = parseImage(bytes, { file: fileArg, ...(chip ? { chip } : {}) });
    const problems = verifyImage(image, chip ? { chip } : {});
    if (ctx.json) ctx.emitJson(imageToJson(image, { file: fileArg, chip, problems }));
    else {
      ctx.print(renderImage(image, { file: fileArg, chip, problems }));
      for (const p of problems) ctx.io.stderr(`error ${p.code}: ${fileArg}: ${p.message}\n`);
      if (problems.length)
        ctx.io.stderr('  hint: the file is corrupt or not for this chip; rebuild it with `idf.py build`.\n');
    }
    return problems.length ? 1 : 0;
  },
});

function chipArg(text: string): ChipName {
  const chip = parseChipName(text);
  if (!chip) {
    throw new UsageError('image/bad-chip', `--chip "${text}" is not a chip espflash knows`, {
      hint: `Pass --chip with one of: ${CHIP_NAMES.join(', ')}.`,
      details: { value: text },
    });
  }
  return chip;
}

async function readImageFile(path: string, shown: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw new UsageError(
        'image/file-not-found',
        `${shown} ${code === 'EISDIR' ? 'is a directory' : 'does not exist'}`,
        {
          hint: 'Pass the path of a .bin image; ESP-IDF writes them to build/ (run `idf.py build` first).',
          details: { file: path },
          cause: err,
        },
      );
    }
    throw new UsageError('image/unreadable', `${shown} cannot be read (${code ?? 'unknown error'})`, {
      hint: 'Check the file permissions.',
      details: { file: path },
      cause: err,
    });
  }
}

interface RenderOptions {
  file: string;
  chip: ChipName | undefined;
  problems: ImageProblem[];
}

/**
 * The chip used to name the header codes: the image's own chip id (the codes mean what they mean for
 * the chip it was built for, even when --chip names another: that is reported as a mismatch), else --chip.
 */
function decodeChip(image: EspImage, chip: ChipName | undefined): ChipName | null {
  return image.chip ?? chip ?? null;
}

function revision(full: number): string {
  return `v${Math.floor(full / 100)}.${full % 100}`;
}

function chipLine(image: EspImage): string {
  if (!image.extended) return 'ESP8266 (no extended header)';
  const known = chipByImageId(image.extended.chipId);
  return known
    ? `${known.displayName} (chip id ${image.extended.chipId})`
    : `unknown (chip id ${image.extended.chipId})`;
}

/** Human-readable description of a parsed image. */
export function renderImage(image: EspImage, options: RenderOptions): string {
  const chip = decodeChip(image, options.chip);
  const params = chip ? describeHeaderFlashParams(image, chip) : null;
  const bad = new Set(options.problems.map((p) => p.code));
  const ok = (code: ImageProblem['code']) => (bad.has(code) ? 'INVALID' : 'valid');
  const row = (k: string, v: string) => `${`${k}:`.padEnd(12)} ${v}`;
  const lines = [
    row('File', `${options.file} (${image.fileSize} bytes)`),
    row('Chip', chipLine(image)),
    row('Entry', hex32(image.entry)),
    row(
      'Flash',
      `mode ${params?.mode ?? '?'}, freq ${params?.freq ?? `code ${hex(image.flashFreqCode)}`}, ` +
        `size ${params?.size ?? `code ${hex(image.flashSizeCode)}`}` +
        (chip === 'esp32c6' && image.flashFreqCode === 0 ? ' (code 0: 40m or 80m on ESP32-C6)' : ''),
    ),
  ];
  const ext = image.extended;
  if (ext) {
    const max = ext.maxRevFull === 0 || ext.maxRevFull === 0xffff ? 'not set' : revision(ext.maxRevFull);
    lines.push(row('Revisions', `min ${revision(ext.minRevFull)} (legacy byte ${ext.minRev}), max ${max}`));
    lines.push(row('WP pin', ext.wpPin === 0xee ? 'disabled (0xee)' : hex(ext.wpPin)));
  }
  lines.push(row('Segments', String(image.segmentCount)));
  image.segments.forEach((s, i) => {
    lines.push(
      `  ${String(i).padStart(2)}  load ${hex32(s.loadAddress)}  length ${String(s.length).padStart(8)}  at ${hex32(s.fileOffset)}`,
    );
  });
  lines.push(row('Checksum', `${hex(image.checksum.stored)} (${ok('image/bad-checksum')})`));
  lines.push(
    row('SHA-256', image.sha256 ? `${image.sha256.stored} (${ok('image/bad-sha256')})` : 'not appended'),
  );
  const tail = image.trailingBytes ? `, ${image.trailingBytes} bytes follow` : '';
  const sig = image.signature === 'none' ? '' : ` (${image.signature} signature)`;
  lines.push(row('Image end', `${hex(image.dataLength + (image.sha256 ? 32 : 0))}${tail}${sig}`));
  if (image.appDesc) {
    const d = image.appDesc;
    lines.push(row('App', `${d.projectName} ${d.version}, ESP-IDF ${d.idfVer}, built ${d.date} ${d.time}`));
    if (d.secureVersion) lines.push(row('Secure ver', String(d.secureVersion)));
  }
  if (image.bootloaderDesc) {
    const d = image.bootloaderDesc;
    lines.push(row('Bootloader', `version ${d.version}, ESP-IDF ${d.idfVer}, built ${d.dateTime}`));
  }
  if (options.chip && bad.has('image/chip-mismatch'))
    lines.push(row('Expected', chipInfo(options.chip).displayName));
  lines.push(row('Valid', options.problems.length ? 'no' : 'yes'));
  return lines.join('\n');
}

/** The `--json` object. */
export function imageToJson(image: EspImage, options: RenderOptions): Record<string, unknown> {
  const chip = decodeChip(image, options.chip);
  const params = chip ? describeHeaderFlashParams(image, chip) : null;
  return {
    file: options.file,
    size: image.fileSize,
    chip: image.chip,
    chipId: image.extended?.chipId ?? null,
    entry: image.entry,
    flash: {
      mode: params?.mode ?? null,
      freq: params?.freq ?? null,
      size: params?.size ?? null,
      modeCode: image.flashMode,
      freqCode: image.flashFreqCode,
      sizeCode: image.flashSizeCode,
    },
    extended: image.extended,
    segments: image.segments,
    checksum: { ...image.checksum, valid: image.checksum.stored === image.checksum.computed },
    sha256: image.sha256 ? { ...image.sha256, valid: image.sha256.stored === image.sha256.computed } : null,
    dataLength: image.dataLength,
    trailingBytes: image.trailingBytes,
    signature: image.signature,
    appDesc: image.appDesc ?? null,
    bootloaderDesc: image.bootloaderDesc ?? null,
    valid: options.problems.length === 0,
    problems: options.problems,
  };
}
