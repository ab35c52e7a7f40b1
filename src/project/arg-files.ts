// Parser for esptool @file argument files written by ESP-IDF (flash_args, flash_project_args,
// encrypted_flash_args, …): whitespace-separated options and offset/path pairs, `--encrypt(-files)`.

import { UsageError } from '../errors.js';
import { parseOffsetText } from './flasher-args.js';

/** One offset/path pair. */
export interface ArgFileEntry {
  offset: number;
  /** Path as written (relative to the build dir). */
  file: string;
  /** True after `--encrypt-files`, or for every pair when `--encrypt` is present. */
  encrypted: boolean;
}

/** A parsed argument file. */
export interface ArgFile {
  entries: ArgFileEntry[];
  flashMode: string | null;
  flashFreq: string | null;
  flashSize: string | null;
  /** `--encrypt` was given: every file is written encrypted. */
  encryptAll: boolean;
  /** Options espflash did not recognise (kept for diagnostics). */
  unknownOptions: string[];
}

const VALUE_OPTIONS: Record<string, 'flashMode' | 'flashFreq' | 'flashSize'> = {
  '--flash_mode': 'flashMode',
  '--flash-mode': 'flashMode',
  '-fm': 'flashMode',
  '--flash_freq': 'flashFreq',
  '--flash-freq': 'flashFreq',
  '-ff': 'flashFreq',
  '--flash_size': 'flashSize',
  '--flash-size': 'flashSize',
  '-fs': 'flashSize',
};

/**
 * Parse an argument file's text. Newlines are not significant (v3.3 puts the bootloader pair on the
 * options line and leaves blank lines). Throws `project/bad-arg-file` for an offset without a path
 * or a value option without a value.
 */
export function parseArgFile(text: string, options: { file: string }): ArgFile {
  const tokens = tokenize(text);
  const result: ArgFile = {
    entries: [],
    flashMode: null,
    flashFreq: null,
    flashSize: null,
    encryptAll: false,
    unknownOptions: [],
  };
  let encryptFiles = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const valueKey = VALUE_OPTIONS[token.toLowerCase()];
    if (valueKey) {
      const value = tokens[i + 1];
      if (value === undefined || value.startsWith('-')) throw bad(options.file, `${token} has no value`);
      result[valueKey] = value;
      i++;
    } else if (token === '--encrypt') {
      result.encryptAll = true;
    } else if (token === '--encrypt-files' || token === '--encrypt_files') {
      encryptFiles = true;
    } else if (token.startsWith('-')) {
      result.unknownOptions.push(token);
    } else {
      const offset = parseOffsetText(token);
      const path = tokens[i + 1];
      if (offset === null) throw bad(options.file, `"${token}" is neither an option nor an offset`);
      if (path === undefined || path.startsWith('-'))
        throw bad(options.file, `offset ${token} has no file after it`);
      result.entries.push({ offset, file: path, encrypted: encryptFiles });
      i++;
    }
  }
  if (result.encryptAll) for (const e of result.entries) e.encrypted = true;
  return result;
}

/** Shell-like splitting: whitespace separates, single/double quotes group (for paths with spaces). */
function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

function bad(file: string, what: string): UsageError {
  return new UsageError('project/bad-arg-file', `${file} is not a valid esptool argument file: ${what}`, {
    hint: 'Rebuild with `idf.py build` to regenerate it, or pass another build with --build-dir.',
    details: { file },
  });
}
