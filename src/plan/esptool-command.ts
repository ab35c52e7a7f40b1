// The command lines equivalent to a plan, for users who want to check or reproduce what espflash
// will do: esptool v5 (`esptool --chip esp32 … write-flash --flash-mode dio …`), the deprecated
// esptool.py v4 spelling (`write_flash --flash_mode`), and ESP-IDF's `idf.py -p PORT flash`.

import { basename, dirname, join, relative, resolve } from 'node:path';
import { hex } from '../core/protocol/bytes.js';
import type { FlashPlan } from './types.js';

/** esptool generation: v5 (dashed names, `esptool`) or v4 (underscores, `esptool.py`; deprecated in v5). */
export type EsptoolDialect = 'v5' | 'v4';

/** Options for {@link esptoolArgs}. */
export interface EsptoolCommandOptions {
  /** Baud rate (`-b`); default 460800. */
  baud?: number;
  /** Serial port (`-p`); omitted when unknown. */
  port?: string;
  /** Make file paths relative to this directory (default: absolute paths). */
  cwd?: string;
  /** Default `v5`. */
  dialect?: EsptoolDialect;
}

/** Default `-b` value, the one ESP-IDF's `idf.py flash` uses. */
export const DEFAULT_ESPTOOL_BAUD = 460800;

/** Names that differ between the dialects (v5 dashes what v4 wrote with underscores). */
function spell(name: string, dialect: EsptoolDialect): string {
  return dialect === 'v5' ? name.replace(/_/g, '-') : name.replace(/-/g, '_');
}

/** The argument vector (without the program name) of the equivalent write-flash / write_flash. */
export function esptoolArgs(plan: FlashPlan, options: EsptoolCommandOptions = {}): string[] {
  const dialect = options.dialect ?? 'v5';
  const flag = (name: string) => `--${dialect === 'v5' ? name : name.replace(/-/g, '_')}`;
  const args = ['--chip', plan.chip.value];
  if (options.port) args.push('-p', options.port);
  args.push('-b', String(options.baud ?? DEFAULT_ESPTOOL_BAUD));
  args.push('--before', spell(plan.before.value, dialect), '--after', spell(plan.after.value, dialect));
  if (!plan.stub.value) args.push('--no-stub');
  args.push(spell('write_flash', dialect));
  const settings: Array<[string, string]> =
    dialect === 'v5'
      ? [
          ['flash-mode', plan.flash.mode.value],
          ['flash-freq', plan.flash.freq.value],
          ['flash-size', plan.flash.size.value],
        ]
      : [
          ['flash-mode', plan.flash.mode.value],
          ['flash-size', plan.flash.size.value],
          ['flash-freq', plan.flash.freq.value],
        ];
  for (const [name, value] of settings) args.push(flag(name), value);

  const path = (file: string) => (options.cwd ? relative(options.cwd, file) || file : file);
  const regions = [...plan.regions].sort((a, b) => a.offset - b.offset);
  const encrypted = regions.filter((r) => r.encrypted);
  const plain = regions.filter((r) => !r.encrypted);
  if (encrypted.length > 0 && plain.length === 0) args.push('--encrypt');
  for (const r of plain.length && encrypted.length ? plain : regions) args.push(hex(r.offset), path(r.file));
  if (plain.length && encrypted.length) {
    args.push('--encrypt-files');
    for (const r of encrypted) args.push(hex(r.offset), path(r.file));
  }
  return args;
}

/** The esptool command as one shell line (arguments with spaces or quotes are single-quoted). */
export function esptoolCommand(plan: FlashPlan, options: EsptoolCommandOptions = {}): string {
  const program = (options.dialect ?? 'v5') === 'v5' ? 'esptool' : 'esptool.py';
  return [program, ...esptoolArgs(plan, options)].map(shellQuote).join(' ');
}

/** Options for {@link idfPyArgs}. */
export interface IdfPyCommandOptions {
  /** Directory the command is run from. */
  cwd: string;
  /** Serial port; `PORT` is printed when unknown. */
  port?: string;
  /** Baud rate (`-b`), only when given (idf.py's default is 460800). */
  baud?: number;
  /** The ESP-IDF project directory when known (`--project`); else the build dir's parent when it is named `build`. */
  projectDir?: string;
}

/**
 * The `idf.py … flash` argument vector (without `idf.py`): `-C <project>` when the project is not the
 * current directory, `-B <build>` when the build dir is not `<project>/build`, then `-p`, `-b`.
 */
export function idfPyArgs(plan: FlashPlan, options: IdfPyCommandOptions): string[] {
  const cwd = resolve(options.cwd);
  const buildDir = resolve(plan.buildDir);
  const projectDir = options.projectDir
    ? resolve(cwd, options.projectDir)
    : basename(buildDir) === 'build'
      ? dirname(buildDir)
      : cwd;
  const rel = (p: string) => relative(cwd, p) || '.';
  const args: string[] = [];
  if (projectDir !== cwd) args.push('-C', rel(projectDir));
  if (buildDir !== join(projectDir, 'build')) args.push('-B', rel(buildDir));
  args.push('-p', options.port ?? 'PORT');
  if (options.baud !== undefined) args.push('-b', String(options.baud));
  args.push('flash');
  return args;
}

/** The idf.py command as one shell line. */
export function idfPyCommand(plan: FlashPlan, options: IdfPyCommandOptions): string {
  return ['idf.py', ...idfPyArgs(plan, options)].map(shellQuote).join(' ');
}

/**
 * What `idf.py flash` would do differently from this plan: it writes every region of the build with
 * the build's own settings, so values from the CLI, env or a config file (and `--only`/`--to`) are lost.
 * Empty when the two are equivalent.
 */
export function idfPyDifferences(plan: FlashPlan, options: { regionsSelected?: boolean } = {}): string[] {
  const settings: Array<[string, { source: { kind: string } }]> = [
    ['flash mode', plan.flash.mode],
    ['flash freq', plan.flash.freq],
    ['flash size', plan.flash.size],
    ['before', plan.before],
    ['after', plan.after],
    ['stub', plan.stub],
  ];
  const out = settings
    .filter(([, v]) => v.source.kind === 'cli' || v.source.kind === 'env' || v.source.kind === 'config')
    .map(([name]) => name);
  if (options.regionsSelected) out.push('regions (--only/--to)');
  return out;
}

/** Every equivalent command of a plan, as `espflash plan --json` carries them. */
export interface EquivalentCommands {
  /** esptool v5. */
  esptool: string;
  /** esptool.py v4 spelling (deprecated by v5, still accepted by it with warnings). */
  esptoolV4: string;
  /** `idf.py … flash`. */
  idfPy: string;
  /** What idf.py would do differently (empty when equivalent). */
  idfPyDiffers: string[];
}

/** Build {@link EquivalentCommands}. */
export function equivalentCommands(
  plan: FlashPlan,
  options: Omit<EsptoolCommandOptions, 'dialect'> & {
    cwd: string;
    projectDir?: string;
    regionsSelected?: boolean;
  },
): EquivalentCommands {
  const esptool = {
    cwd: options.cwd,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.baud === undefined ? {} : { baud: options.baud }),
  };
  return {
    esptool: esptoolCommand(plan, esptool),
    esptoolV4: esptoolCommand(plan, { ...esptool, dialect: 'v4' }),
    idfPy: idfPyCommand(plan, {
      ...esptool,
      ...(options.projectDir === undefined ? {} : { projectDir: options.projectDir }),
    }),
    idfPyDiffers: idfPyDifferences(plan, { regionsSelected: options.regionsSelected ?? false }),
  };
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
