// Decodes code addresses to `function at file:line` with the toolchain's addr2line (via execa).
// Finds the ELF and tool prefix from the build's project_description.json or the chip; when the
// tool or ELF is missing it says so once and decodes nothing.

import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { CpuArch } from './backtrace.js';

/** One decoded address. */
export interface DecodedAddress {
  address: number;
  /** `app_main at /path/main.c:12`, plus ` (inlined by) …` lines joined with newlines. */
  text: string;
}

/** Decodes addresses; never throws. */
export interface Symbolizer {
  /** Decoded addresses (unknown ones left out); empty once the tool failed. */
  decode(addresses: number[]): Promise<DecodedAddress[]>;
  /** A one-time notice explaining why nothing is decoded, taken by the first caller; null otherwise. */
  takeNote(): string | null;
}

/** Options for {@link resolveSymbolSource}. */
export interface SymbolSourceOptions {
  /** ELF given by the user (`--elf`, config `monitor.elf`). */
  elf?: string;
  /** Tool prefix given by the user, e.g. `xtensa-esp32s3-elf-`. */
  toolPrefix?: string;
  /** Build directory holding project_description.json. */
  buildDir?: string;
  /** Chip name (`esp32c3`), for the prefix when the build does not name one. */
  chip?: string;
}

/** Where decoding information comes from; fields null when unknown. */
export interface SymbolSource {
  elf: string | null;
  toolPrefix: string | null;
  arch: CpuArch | null;
}

const XTENSA_CHIPS = new Set(['esp32', 'esp32s2', 'esp32s3']);

/** The toolchain prefix ESP-IDF uses for a chip: `xtensa-esp32-elf-`, `riscv32-esp-elf-`. */
export function toolPrefixForChip(chip: string): string {
  if (chip === 'esp8266') return 'xtensa-lx106-elf-';
  return XTENSA_CHIPS.has(chip) ? `xtensa-${chip}-elf-` : 'riscv32-esp-elf-';
}

/** CPU family of a chip name or tool prefix. */
export function archOf(chipOrPrefix: string): CpuArch {
  if (chipOrPrefix.includes('riscv')) return 'riscv';
  if (chipOrPrefix.includes('xtensa') || chipOrPrefix === 'esp8266' || XTENSA_CHIPS.has(chipOrPrefix))
    return 'xtensa';
  return 'riscv';
}

/**
 * Work out the ELF and addr2line prefix: explicit options first, then project_description.json's
 * `app_elf` / `monitor_toolprefix` / `target` in `buildDir`, then the chip.
 */
export async function resolveSymbolSource(options: SymbolSourceOptions): Promise<SymbolSource> {
  const desc = options.buildDir ? await readDescription(options.buildDir) : null;
  let elf = options.elf ?? null;
  if (elf === null && desc?.appElf && options.buildDir) {
    elf = isAbsolute(desc.appElf) ? desc.appElf : join(options.buildDir, desc.appElf);
    // A description copied from another machine: look for the ELF next to it instead.
    if (!(await exists(elf))) elf = join(options.buildDir, desc.appElf.split(/[\\/]/).pop()!);
  }
  const chip = options.chip ?? desc?.target ?? null;
  const toolPrefix =
    options.toolPrefix ?? desc?.toolPrefix ?? (chip !== null ? toolPrefixForChip(chip) : null);
  const arch = chip !== null ? archOf(chip) : toolPrefix !== null ? archOf(toolPrefix) : null;
  return { elf: elf === null ? null : resolve(elf), toolPrefix, arch };
}

/** Options for {@link createSymbolizer}. */
export interface CreateSymbolizerOptions {
  source: SymbolSource;
  /** Environment for the tool (PATH); default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Per-call limit (default 10 s). */
  timeoutMs?: number;
}

/** A symbolizer running `<prefix>addr2line -pfiaC -e <elf> <addr>…`. */
export function createSymbolizer(options: CreateSymbolizerOptions): Symbolizer {
  const { elf, toolPrefix } = options.source;
  let note: string | null = null;
  let disabled = false;
  let checked = false;
  const tool = `${toolPrefix ?? ''}addr2line`;
  const disable = (why: string) => {
    disabled = true;
    note = `${why}; backtraces are shown undecoded.`;
  };
  return {
    takeNote() {
      const n = note;
      note = null;
      return n;
    },
    async decode(addresses) {
      if (disabled || addresses.length === 0) return [];
      if (!checked) {
        checked = true;
        if (elf === null)
          disable(
            'No app ELF to decode addresses with (pass --elf, or set monitor.elf, or build the project first)',
          );
        else if (toolPrefix === null)
          disable('No toolchain known for addr2line (pass --chip or --elf with a build)');
        else if (!(await exists(elf))) disable(`The app ELF ${elf} does not exist (pass --elf or rebuild)`);
        if (disabled) return [];
      }
      // Loaded on the first address to decode, not at start-up.
      const { execa } = await import('execa');
      const result = await execa(tool, ['-pfiaC', '-e', elf!, ...addresses.map(hex)], {
        env: options.env ?? process.env,
        extendEnv: false,
        reject: false,
        timeout: options.timeoutMs ?? 10_000,
        stdin: 'ignore',
      });
      if (result.failed) {
        const missing = (result as { code?: unknown }).code === 'ENOENT';
        disable(
          missing
            ? `${tool} is not on PATH (activate ESP-IDF: \`. $IDF_PATH/export.sh\`)`
            : `${tool} failed: ${firstLine(String(result.stderr || result.shortMessage || 'unknown error'))}`,
        );
        return [];
      }
      return parseAddr2line(String(result.stdout));
    },
  };
}

/**
 * Parse `addr2line -pfiaC` output: `0x400d1234: app_main at /p/main.c:12` entries, each optionally
 * followed by ` (inlined by) …` lines. Entries addr2line could not resolve (`?? ??:0`) are dropped.
 */
export function parseAddr2line(stdout: string): DecodedAddress[] {
  const out: DecodedAddress[] = [];
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trimEnd();
    const entry = /^0x([0-9a-f]+):\s*(.*)$/i.exec(line);
    if (entry) {
      out.push({ address: Number.parseInt(entry[1]!, 16), text: entry[2]! });
    } else if (/^\s*\(inlined by\)/.test(line) && out.length > 0) {
      out[out.length - 1]!.text += `\n${line.trim()}`;
    }
  }
  return out.filter((d) => !/^\?\? \?\?:0$|^\?\?$/.test(d.text) && !/^\?\? at \?\?:\d+$/.test(d.text));
}

/** `0x400d1234` (8 hex digits). */
export function hex(address: number): string {
  return `0x${address.toString(16).padStart(8, '0')}`;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function readDescription(
  buildDir: string,
): Promise<{ appElf: string | null; toolPrefix: string | null; target: string | null } | null> {
  let root: unknown;
  try {
    root = JSON.parse(await readFile(join(buildDir, 'project_description.json'), 'utf8'));
  } catch {
    return null;
  }
  if (typeof root !== 'object' || root === null) return null;
  const r = root as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  return { appElf: str(r.app_elf), toolPrefix: str(r.monitor_toolprefix), target: str(r.target) };
}
