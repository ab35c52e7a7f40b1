// Parser for ESP-IDF's build/flasher_args.json across every generation (v3.3 … v6, ESP8266 RTOS SDK,
// hand-written subsets): flash files with their entry names, flash settings and esptool extras.

import { UsageError } from '../errors.js';
import { jsonErrorPosition } from './json-position.js';

/** One image the build wants written. */
export interface FlasherArgsEntry {
  offset: number;
  /** Path as written in the file (relative to the build dir). */
  file: string;
  /** Entry name (`bootloader`, `app`, `partition-table`, `otadata`, `phy`, `storage`, …) or null when unnamed. */
  name: string | null;
  /** The entry's `encrypted` flag; null when the file predates it (before v4.3) or the entry is unnamed. */
  encrypted: boolean | null;
}

/** What flasher_args.json says, normalised; absent values are null. */
export interface FlasherArgs {
  entries: FlasherArgsEntry[];
  flashMode: string | null;
  flashFreq: string | null;
  flashSize: string | null;
  chip: string | null;
  before: string | null;
  after: string | null;
  stub: boolean | null;
  /**
   * False when none of the keys ESP-IDF always writes (`flash_settings`, `write_flash_args`,
   * `extra_esptool_args`) is present: a hand-written file with only `flash_files`.
   */
  generatedByIdf: boolean;
}

/** Top-level keys that are not per-image entries. */
const RESERVED_KEYS = new Set(['write_flash_args', 'flash_settings', 'flash_files', 'extra_esptool_args']);

/**
 * Parse the text of a flasher_args.json. Throws `project/bad-flasher-args` (with the parser's position)
 * for malformed JSON or a wrong shape. Empty keys/values (v3.3 placeholders) are ignored.
 */
export function parseFlasherArgs(text: string, options: { file: string }): FlasherArgs {
  const root = parseJson(text, options.file);
  if (!isRecord(root)) throw badShape(options.file, 'the top level is not a JSON object');

  const named = readNamedEntries(root, options.file);
  const files = readFlashFiles(root.flash_files, options.file);
  const entries = files ? mergeEntries(files, named) : named;
  if (entries.length === 0)
    throw badShape(options.file, 'it lists no files to flash (no `flash_files`, no entries)');

  const settings = readSettings(root);
  const extra = isRecord(root.extra_esptool_args) ? root.extra_esptool_args : {};
  return {
    entries,
    ...settings,
    chip: nonEmptyString(extra.chip),
    before: nonEmptyString(extra.before),
    after: nonEmptyString(extra.after),
    stub: parseStub(extra.stub),
    generatedByIdf: ['flash_settings', 'write_flash_args', 'extra_esptool_args'].some((k) => k in root),
  };
}

/** Parse a `0x…` (any case) or decimal offset string; null for empty or invalid text. */
export function parseOffsetText(text: string): number | null {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  if (/^[0-9]+$/.test(t)) return Number.parseInt(t, 10);
  return null;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const at = jsonErrorPosition(text);
    const where = at ? ` at line ${at.line}, column ${at.column} (offset ${at.offset})` : '';
    throw new UsageError('project/bad-flasher-args', `${file} is not valid JSON${where}: ${reason}`, {
      hint: 'The file is truncated or corrupted; rebuild with `idf.py build` (or pass another build with --build-dir).',
      details: { file, reason, ...(at ? { position: at } : {}) },
      cause: err,
    });
  }
}

function badShape(file: string, what: string): UsageError {
  return new UsageError('project/bad-flasher-args', `${file} is not a usable flasher_args.json: ${what}`, {
    hint: 'Rebuild with `idf.py build` to regenerate it, or pass another build with --build-dir.',
    details: { file },
  });
}

function readFlashFiles(value: unknown, file: string): Array<{ offset: number; file: string }> | null {
  if (value === undefined) return null;
  if (!isRecord(value)) throw badShape(file, '`flash_files` is not an object');
  const out: Array<{ offset: number; file: string }> = [];
  for (const [key, path] of Object.entries(value)) {
    if (key.trim() === '' || typeof path !== 'string' || path.trim() === '') continue;
    const offset = parseOffsetText(key);
    if (offset === null) throw badShape(file, `\`flash_files\` has an offset "${key}" that is not a number`);
    out.push({ offset, file: path.trim() });
  }
  return out;
}

function readNamedEntries(root: Record<string, unknown>, file: string): FlasherArgsEntry[] {
  const out: FlasherArgsEntry[] = [];
  for (const [name, value] of Object.entries(root)) {
    if (RESERVED_KEYS.has(name) || name.trim() === '' || !isRecord(value)) continue;
    const offsetText = nonEmptyString(value.offset);
    const path = nonEmptyString(value.file);
    if (offsetText === null || path === null) continue; // v3.3 placeholder ("offset": "", "file": "")
    const offset = parseOffsetText(offsetText);
    if (offset === null)
      throw badShape(file, `entry "${name}" has an offset "${offsetText}" that is not a number`);
    out.push({ offset, file: path, name, encrypted: parseBoolText(value.encrypted) });
  }
  return out;
}

/** flash_files is the authoritative set (v4.0/4.1 name images that are not flashed); entries lend names. */
function mergeEntries(
  files: Array<{ offset: number; file: string }>,
  named: FlasherArgsEntry[],
): FlasherArgsEntry[] {
  return files.map((f) => {
    const match =
      named.find((n) => n.offset === f.offset && samePath(n.file, f.file)) ??
      named.find((n) => n.offset === f.offset);
    return { offset: f.offset, file: f.file, name: match?.name ?? null, encrypted: match?.encrypted ?? null };
  });
}

function readSettings(
  root: Record<string, unknown>,
): Pick<FlasherArgs, 'flashMode' | 'flashFreq' | 'flashSize'> {
  const settings = isRecord(root.flash_settings) ? root.flash_settings : {};
  const fromArgs = argsToRecord(root.write_flash_args);
  const pick = (key: string) =>
    nonEmptyString(settings[key]) ??
    nonEmptyString(settings[key.replace('_', '-')]) ??
    fromArgs[`--${key}`] ??
    fromArgs[`--${key.replace('_', '-')}`] ??
    null;
  return { flashMode: pick('flash_mode'), flashFreq: pick('flash_freq'), flashSize: pick('flash_size') };
}

/** `["--flash_mode", "dio", …]` → `{ "--flash_mode": "dio" }`. */
function argsToRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(value)) return out;
  for (let i = 0; i + 1 < value.length; i++) {
    const key = value[i];
    const next = value[i + 1];
    if (
      typeof key === 'string' &&
      key.startsWith('--') &&
      typeof next === 'string' &&
      !next.startsWith('--')
    ) {
      out[key] = next;
      i++;
    }
  }
  return out;
}

/** `true`/`false` booleans, or v4.1's quoted `"TRUE"`/`"FALSE"`. */
function parseStub(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  return parseBoolText(value);
}

function parseBoolText(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return null;
  const t = value.trim().toLowerCase();
  if (['true', '1', 'on', 'yes', 'y'].includes(t)) return true;
  if (['false', '0', 'off', 'no', 'n'].includes(t)) return false;
  return null;
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function samePath(a: string, b: string): boolean {
  return a.replace(/\\/g, '/') === b.replace(/\\/g, '/');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
