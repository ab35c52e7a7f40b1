// The global options (declared to yargs from this table) and `espflash --help` rendered from the
// command registry and this table without loading yargs: the top-level help is the first thing a
// user runs and should come at once. `espflash <command> --help` is yargs's.

import type { CommandEntry } from './commands.js';

/** One global option. */
export interface GlobalOption {
  name: string;
  alias?: string;
  type: 'boolean';
  default?: boolean;
  describe: string;
}

/** Flags every command takes. */
export const GLOBAL_OPTIONS: readonly GlobalOption[] = [
  {
    name: 'json',
    type: 'boolean',
    default: false,
    describe: 'Machine-readable output: one JSON object per line',
  },
  {
    name: 'verbose',
    alias: 'v',
    type: 'boolean',
    default: false,
    describe: 'More detail, and causes of errors',
  },
  {
    name: 'color',
    type: 'boolean',
    describe: 'Colour output (default: on a colour terminal; NO_COLOR, FORCE_COLOR, TERM=dumb honoured)',
  },
];

export const USAGE = '$0 [command] [options]\n\nFlash ESP32 chips straight from an ESP-IDF build.';
export const COMPLETION_DESCRIBE = 'Print a bash/zsh completion script (espflash completion >> ~/.bashrc)';
export const DEFAULT_EPILOGUE = 'Options of the default command (flash): espflash flash --help';

/** Words wrapped to `width` columns. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Rows of two columns, the second wrapped to the width left. */
function table(rows: Array<[string, string]>, width: number): string[] {
  const left = Math.max(...rows.map(([l]) => l.length)) + 2;
  const out: string[] = [];
  for (const [l, r] of rows) {
    const text = wrap(r, Math.max(20, width - left));
    out.push(`${l.padEnd(left)}${text[0] ?? ''}`.trimEnd());
    for (const more of text.slice(1)) out.push(`${' '.repeat(left)}${more}`);
  }
  return out;
}

/** `espflash --help`: usage, the commands, the global options, `width` columns wide. */
export function renderTopHelp(entries: readonly CommandEntry[], width: number): string {
  const commandRows: Array<[string, string]> = [];
  for (const entry of entries) {
    const forms = Array.isArray(entry.command) ? entry.command : [entry.command];
    const form = forms.find((c) => c !== '$0') ?? forms[0]!;
    const isDefault = forms.includes('$0');
    const aliases = forms.filter((c) => c !== '$0' && c !== form).map((c) => c.split(' ')[0]!);
    const notes = `${aliases.length ? ` [aliases: ${aliases.join(', ')}]` : ''}${isDefault ? ' [default]' : ''}`;
    commandRows.push([`  espflash ${form}`, `${entry.describe}${notes}`]);
  }
  commandRows.push(['  espflash completion', COMPLETION_DESCRIBE]);
  const optionRows: Array<[string, string]> = [
    ...GLOBAL_OPTIONS.map((o): [string, string] => [
      `  ${o.alias ? `-${o.alias}, ` : '    '}--${o.name}`,
      `${o.describe}${o.default === undefined ? '' : ` [default: ${o.default}]`}`,
    ]),
    ['  -h, --help', 'Show help'],
    ['  -V, --version', 'Show the version number'],
  ];
  return [
    USAGE.replace('$0', 'espflash'),
    '',
    'Commands:',
    ...table(commandRows, width),
    '',
    'Options:',
    ...table(optionRows, width),
    '',
    DEFAULT_EPILOGUE,
  ].join('\n');
}

/** A command line that only asks for the top-level help (with flags that do not change it)? */
export function isTopHelpRequest(argv: readonly string[]): boolean {
  const neutral = new Set(['--help', '-h', '--color', '--no-color', '--verbose', '-v']);
  return argv.some((a) => a === '--help' || a === '-h') && argv.every((a) => neutral.has(a));
}
