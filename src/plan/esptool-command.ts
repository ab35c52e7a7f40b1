// The esptool.py command line equivalent to a plan, for users who want to check or reproduce what
// espflash will do (`esptool.py --chip esp32 -b 460800 … write_flash …`).

import { relative } from 'node:path';
import { hex } from '../core/bytes.js';
import type { FlashPlan } from './types.js';

/** Options for {@link esptoolArgs}. */
export interface EsptoolCommandOptions {
  /** Baud rate (`-b`); default 460800. */
  baud?: number;
  /** Serial port (`-p`); omitted when unknown. */
  port?: string;
  /** Make file paths relative to this directory (default: absolute paths). */
  cwd?: string;
}

/** Default `-b` value, the one ESP-IDF's `idf.py flash` uses. */
export const DEFAULT_ESPTOOL_BAUD = 460800;

/** The argument vector (without `esptool.py`) of the equivalent write_flash. */
export function esptoolArgs(plan: FlashPlan, options: EsptoolCommandOptions = {}): string[] {
  const args = ['--chip', plan.chip.value];
  if (options.port) args.push('-p', options.port);
  args.push('-b', String(options.baud ?? DEFAULT_ESPTOOL_BAUD));
  args.push('--before', plan.before.value, '--after', plan.after.value);
  if (!plan.stub.value) args.push('--no-stub');
  args.push('write_flash');
  args.push('--flash_mode', plan.flash.mode.value, '--flash_size', plan.flash.size.value);
  args.push('--flash_freq', plan.flash.freq.value);

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

/** The command as one shell line (arguments with spaces or quotes are single-quoted). */
export function esptoolCommand(plan: FlashPlan, options: EsptoolCommandOptions = {}): string {
  return ['esptool.py', ...esptoolArgs(plan, options)].map(shellQuote).join(' ');
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
