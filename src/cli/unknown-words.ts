// Better words for yargs's "Unknown argument": a first word close to a command name ("Did you
// mean plan?"), and an ELF file where espflash wants the ESP-IDF build (the Rust espflash and
// `idf.py`-less habits pass `app.elf`). Only consulted after yargs refused the command line.

import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** Flags that never take a value, so a word after them is a positional (a guess: only for messages). */
const NO_VALUE = new Set(
  '-v -h -V -M -u --json --verbose --color --help --version --full --force --allow-stale --build --monitor --compress --stub --show-config --initial'.split(
    ' ',
  ),
);

/** The positional words of `argv` (before `--`): words not starting with `-` and not a flag's value. */
export function positionalWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') {
      words.push(arg);
      continue;
    }
    const takesValue = !arg.includes('=') && !arg.startsWith('--no-') && !NO_VALUE.has(arg);
    const next = argv[i + 1];
    if (takesValue && next !== undefined && !next.startsWith('-')) i++;
  }
  return words;
}

/** Levenshtein distance (small strings: command names). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The command `word` most likely meant: within 2 edits (1 for short words), or a unique prefix. */
export function suggestCommand(word: string, names: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const limit = lower.length <= 3 ? 1 : 2;
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = editDistance(lower, name);
    if (d <= limit && (!best || d < best.d)) best = { name, d };
  }
  if (best) return best.name;
  const prefixed = names.filter((n) => lower.length >= 3 && n.startsWith(lower));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** An ELF file: named `*.elf`, or a file starting with the ELF magic. */
export function looksLikeElf(word: string, cwd: string): boolean {
  if (/\.elf$/i.test(word)) return true;
  let fd: number | undefined;
  try {
    fd = openSync(resolve(cwd, word), 'r');
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.toString('latin1') === '\x7fELF';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A clearer usage error for a command line yargs refused with "Unknown argument(s)", or null to
 * keep yargs's message. `names` are the command names.
 */
export function explainUnknown(
  message: string,
  argv: readonly string[],
  options: { names: readonly string[]; cwd: string },
): UsageError | null {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message.trim());
  if (!unknown) return null;
  const listed = new Set(unknown[1]!.split(', ').map((s) => s.trim()));
  const words = positionalWords(argv).filter((w) => listed.has(w));
  const elf = words.find((w) => looksLikeElf(w, options.cwd));
  if (elf) {
    return new UsageError(
      'usage/elf-not-build',
      `'${elf}' is an ELF file; espflash flashes the ESP-IDF build`,
      {
        hint: 'espflash flashes the ESP-IDF build; pass --build-dir <dir> (the folder with flasher_args.json), e.g. espflash --build-dir build.',
        details: { file: elf },
      },
    );
  }
  const first = positionalWords(argv)[0];
  if (first !== undefined && listed.has(first) && !options.names.includes(first)) {
    const suggestion = suggestCommand(first, options.names);
    if (suggestion) {
      return new UsageError(
        'usage/unknown-command',
        `Unknown command '${first}'. Did you mean ${suggestion}?`,
        {
          hint: `Run \`espflash ${suggestion}\`; \`espflash --help\` lists the commands.`,
          details: { command: first, suggestion },
        },
      );
    }
  }
  return null;
}
