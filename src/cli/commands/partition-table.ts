// `espflash partition-table <file>`: show, check or convert an ESP-IDF partition table. The input
// kind comes from its content (AA 50 magic = binary); CSV rules follow ESP-IDF v5.5's generator.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { decodePartitionTable, encodePartitionTable, looksLikeBinaryTable } from '../../partition/binary.js';
import { parsePartitionCsv } from '../../partition/csv-parse.js';
import { decodeCsvBytes } from '../../partition/csv-text.js';
import { partitionTableToCsv } from '../../partition/csv-write.js';
import { parseSizeToken } from '../../partition/int-parse.js';
import { parseExtraSubtype } from '../../partition/keywords.js';
import { subtypeName, typeName } from '../../partition/lookup.js';
import { renderPartitionTable } from '../../partition/render.js';
import {
  DEFAULT_TABLE_OFFSET,
  type ExtraSubtype,
  type PartitionTable,
  PartitionType,
  type SecureBootVersion,
} from '../../partition/types.js';
import { verifyPartitionTable } from '../../partition/verify.js';
import { type CommandArgs, defineCommand, required } from '../command.js';
import type { CliContext } from '../context.js';

interface Settings {
  tableOffset: number | undefined;
  bootloaderOffset: number | undefined;
  recoveryBootloaderOffset: number | undefined;
  flashSize: number | null;
  extraSubtypes: ExtraSubtype[];
  secure: SecureBootVersion | null;
  verify: boolean;
}

/** Flags and the <file> positional of `partition-table`. */
const builder = (y: Argv) =>
  required(
    y
      .positional('file', {
        type: 'string',
        describe: 'Partition table: CSV or binary (partition-table.bin)',
      })
      .option('to', {
        choices: ['csv', 'bin'] as const,
        describe: 'Convert instead of showing: csv or bin',
      })
      .option('output', { alias: 'o', type: 'string', describe: 'Write the converted table to this file' })
      .option('flash-size', {
        type: 'string',
        describe: 'Check the table fits, e.g. 4MB (default: no check)',
      })
      .option('offset', { type: 'string', describe: 'Flash offset of the table (default 0x8000)' })
      .option('md5', {
        type: 'boolean',
        default: true,
        describe: 'Add the MD5 record to binaries (--no-md5 to omit)',
      })
      .option('verify', {
        type: 'boolean',
        default: true,
        describe: 'Validate the table (--no-verify to skip)',
      })
      .option('bootloader-offset', {
        type: 'string',
        describe: 'Primary bootloader offset, for `bootloader` rows',
      })
      .option('recovery-bootloader-offset', { type: 'string', describe: 'Recovery bootloader offset' })
      .option('extra-subtype', {
        type: 'string',
        array: true,
        describe: 'Custom subtype keyword type,name,hex (e.g. app,my_app1,0x40); repeatable',
      })
      .option('secure', {
        choices: ['v1', 'v2'] as const,
        describe: 'Secure boot version (v1: app sizes 64K-aligned)',
      }),
    'file',
  );

export const partitionTableCommand = defineCommand({
  command: 'partition-table <file>',
  describe: 'Show, check or convert an ESP-IDF partition table (CSV or binary)',
  examples: [
    ['$0 partition-table partitions.csv', 'Check the CSV and show the resulting layout with free gaps'],
    ['$0 partition-table build/partition_table/partition-table.bin', 'Show a binary table'],
    [
      '$0 partition-table partitions.csv --to bin -o pt.bin',
      'Write the 3072-byte binary (as gen_esp32part.py does)',
    ],
    ['$0 partition-table pt.bin --to csv', 'Print a binary table as CSV'],
    [
      '$0 partition-table partitions.csv --flash-size 4MB --offset 0x9000',
      'Check against a 4MB flash, table at 0x9000',
    ],
    ['$0 partition-table partitions.csv --json', 'The table as one JSON object'],
  ],
  builder,
  handler: async (args, ctx) => {
    const fileArg = args.file;
    const settings = settingsFrom(args);
    const bytes = await readInput(resolve(ctx.io.cwd, fileArg), fileArg);
    const isBinary = looksLikeBinaryTable(bytes) || extname(fileArg).toLowerCase() === '.bin';
    const table = isBinary
      ? loadBinary(bytes, fileArg, settings, ctx)
      : loadCsv(bytes, fileArg, settings, ctx);
    if (!args.md5) table.md5 = false;
    const shownOffset = settings.tableOffset ?? (isBinary ? inferTableOffset(table) : DEFAULT_TABLE_OFFSET);
    const json: Record<string, unknown> = { input: isBinary ? 'bin' : 'csv', ...tableJson(table, settings) };
    const output = args.output === undefined ? undefined : resolve(ctx.io.cwd, args.output);
    if (args.to === 'bin') {
      if (!output) {
        throw new UsageError('partition/output-required', 'Writing a binary table needs an output file', {
          hint: 'Add -o <file.bin>, e.g. --to bin -o partition-table.bin',
        });
      }
      const bin = encodePartitionTable(table);
      await writeOutput(output, bin);
      json.output = output;
      ctx.print(`Wrote ${args.output} (${bin.length} bytes, ${describeCount(table)})`);
    } else if (args.to === 'csv') {
      const csv = partitionTableToCsv(onFlash(table), { extraSubtypes: settings.extraSubtypes });
      if (output) {
        await writeOutput(output, new TextEncoder().encode(csv));
        json.output = output;
        ctx.print(`Wrote ${args.output} (${describeCount(table)})`);
      } else if (ctx.json) {
        json.csv = csv;
      } else {
        ctx.io.stdout(csv);
      }
    } else if (output) {
      throw new UsageError('partition/output-without-format', '-o needs --to csv or --to bin', {
        hint: 'Add --to bin (binary) or --to csv.',
      });
    } else {
      ctx.print(`${fileArg} (${isBinary ? 'binary' : 'CSV'})`);
      ctx.print(
        renderPartitionTable(table, {
          flashSize: settings.flashSize,
          tableOffset: shownOffset,
          extraSubtypes: settings.extraSubtypes,
        }),
      );
    }
    if (ctx.json) ctx.emitJson(json);
    return 0;
  },
});

function loadCsv(bytes: Uint8Array, file: string, s: Settings, ctx: CliContext): PartitionTable {
  return parsePartitionCsv(decodeCsvBytes(bytes, { file }), {
    tableOffset: s.tableOffset ?? DEFAULT_TABLE_OFFSET,
    ...(s.bootloaderOffset === undefined ? {} : { bootloaderOffset: s.bootloaderOffset }),
    ...(s.recoveryBootloaderOffset === undefined
      ? {}
      : { recoveryBootloaderOffset: s.recoveryBootloaderOffset }),
    flashSize: s.flashSize,
    env: ctx.io.env,
    verify: s.verify,
    file,
    extraSubtypes: s.extraSubtypes,
    secure: s.secure,
    logger: ctx.logger,
  });
}

function loadBinary(bytes: Uint8Array, file: string, s: Settings, ctx: CliContext): PartitionTable {
  const table = decodePartitionTable(bytes, { file });
  if (s.verify) {
    verifyPartitionTable(table, {
      tableOffset: s.tableOffset ?? inferTableOffset(table),
      flashSize: s.flashSize,
      file,
      extraSubtypes: s.extraSubtypes,
      secure: s.secure,
      logger: ctx.logger,
    });
  }
  return table;
}

// A binary does not record where it lives; a primary partition_table row does, else assume 0x8000.
function inferTableOffset(table: PartitionTable): number {
  const row = table.entries.find((p) => p.type === PartitionType.PARTITION_TABLE && p.subtype === 0x00);
  return row?.offset ?? DEFAULT_TABLE_OFFSET;
}

// What the device will hold: labels cut to 16 bytes (CSV output then equals `gen_esp32part.py x.bin`).
function onFlash(table: PartitionTable): PartitionTable {
  return decodePartitionTable(encodePartitionTable(table));
}

function tableJson(table: PartitionTable, s: Settings): Record<string, unknown> {
  return {
    entries: table.entries.map((p) => ({
      name: p.name,
      type: p.type,
      subtype: p.subtype,
      typeName: typeName(p.type),
      subtypeName: subtypeName(p.type, p.subtype, s.extraSubtypes),
      offset: p.offset,
      size: p.size,
      flags: { encrypted: p.flags.encrypted, readonly: p.flags.readonly },
    })),
    md5: table.md5,
  };
}

function describeCount(table: PartitionTable): string {
  const n = table.entries.length;
  return `${n} partition${n === 1 ? '' : 's'}${table.md5 ? ', MD5' : ''}`;
}

async function readInput(path: string, shown: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UsageError('partition/file-not-found', `Partition table file not found: ${shown}`, {
        hint: 'Check the path: ESP-IDF projects keep partitions.csv in the project dir and the binary in build/partition_table/partition-table.bin.',
        details: { file: shown },
      });
    }
    throw new UsageError('partition/read-failed', `Cannot read ${shown}: ${(err as Error).message}`, {
      hint: `Pass a readable partition table file instead of ${shown}.`,
      details: { file: shown },
      cause: err,
    });
  }
}

async function writeOutput(path: string, data: Uint8Array): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
  } catch (err) {
    throw new UsageError('partition/write-failed', `Cannot write ${path}: ${(err as Error).message}`, {
      hint: 'Choose another path with -o.',
      details: { file: path },
      cause: err,
    });
  }
}

function settingsFrom(args: CommandArgs<typeof builder>): Settings {
  const extraSubtypes: ExtraSubtype[] = [];
  for (const item of args.extraSubtype ?? []) {
    for (const one of item.split(/\s+/).filter(Boolean))
      extraSubtypes.push(parseExtraSubtype(one, extraSubtypes));
  }
  return {
    tableOffset: numberFlag(args.offset, '--offset'),
    bootloaderOffset: numberFlag(args.bootloaderOffset, '--bootloader-offset'),
    recoveryBootloaderOffset: numberFlag(args.recoveryBootloaderOffset, '--recovery-bootloader-offset'),
    flashSize: args.flashSize === undefined ? null : parseFlashSize(args.flashSize),
    extraSubtypes,
    secure: args.secure ?? null,
    verify: args.verify,
  };
}

function numberFlag(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    const n = parseSizeToken(String(value), flag);
    if (n < 0) throw new Error('negative');
    return n;
  } catch {
    throw new UsageError('partition/invalid-value', `${flag} '${String(value)}' is not a valid offset`, {
      hint: `Pass ${flag} as a number such as 0x8000 or 32K.`,
      details: { flag, value },
    });
  }
}

/** `4MB`, `4M`, `4MiB`, `512KB` or a byte count such as `0x400000`. */
function parseFlashSize(text: string): number {
  const m = /^\s*(\d+)\s*([KM])(?:i?B)?\s*$/i.exec(text);
  const bytes = m ? Number(m[1]) * (m[2]!.toUpperCase() === 'K' ? 1024 : 1024 * 1024) : tryNumber(text);
  if (bytes === null || bytes <= 0) {
    throw new UsageError('partition/bad-flash-size', `flash size '${text}' is not a valid size`, {
      hint: 'Pass --flash-size like 2MB, 4MB, 8MB or 16MB.',
      details: { value: text },
    });
  }
  return bytes;
}

function tryNumber(text: string): number | null {
  try {
    return parseSizeToken(text);
  } catch {
    return null;
  }
}
