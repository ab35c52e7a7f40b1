// CLI entry: yargs setup, global flags, command registry (each command's module loaded only when
// it runs), and the single place where errors become exit codes (2 usage, 1 failure, 70 bug) and
// text. A thin client of the library API.

import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { UsageError } from '../errors.js';
import type { CommandDef } from './command.js';
import { type CommandEntry, commandNames, commands } from './commands.js';
import { type CliContext, colorsFor, createContext, type GlobalArgs } from './context.js';
import { type CliIo, processIo } from './io.js';
import { renderError } from './render-error.js';
import { explainUnknown, positionalWords } from './unknown-words.js';

let version: string | undefined;

/** The package version, read from package.json once. */
export function packageVersion(): string {
  version ??= (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return version;
}

/** `--color` / `--no-color` / `--color=<bool>` as given (the last one wins), before `--`. */
export function colorFlag(argv: readonly string[]): boolean | undefined {
  let flag: boolean | undefined;
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg === '--color') flag = true;
    else if (arg === '--no-color') flag = false;
    else if (arg.startsWith('--color=')) flag = !/^(false|0|no)$/i.test(arg.slice('--color='.length));
  }
  return flag;
}

/** Run the CLI with `argv` (without node and script). Resolves with the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const wantsJson = argv.includes('--json');
  const wantsVerbose = argv.includes('--verbose') || argv.includes('-v');
  const colors = colorsFor(io, colorFlag(argv));
  const fallbackCtx = {
    io,
    json: wantsJson,
    verbose: wantsVerbose,
    color: colors.stdout,
    stderrColor: colors.stderr,
  };
  let exitCode = 0;
  let handled = false;

  // `espflash completion` prints the script. yargs's strict mode refuses the word once exitProcess
  // is off, and the default command would take it: neither applies to that one command line.
  const completing = positionalWords(argv)[0] === 'completion';
  const parser = yargs()
    .scriptName('espflash')
    .usage('$0 [command] [options]\n\nFlash ESP32 chips straight from an ESP-IDF build.')
    .option('json', {
      type: 'boolean',
      default: false,
      describe: 'Machine-readable output: one JSON object per line',
    })
    .option('verbose', {
      alias: 'v',
      type: 'boolean',
      default: false,
      describe: 'More detail, and causes of errors',
    })
    .option('color', {
      type: 'boolean',
      describe: 'Colour output (default: on a colour terminal; NO_COLOR, FORCE_COLOR, TERM=dumb honoured)',
    })
    .strict(!completing)
    .help('help')
    .alias('help', 'h')
    .version('version', 'Show the version number', packageVersion())
    .alias('version', 'V')
    .completion('completion', 'Print a bash/zsh completion script (espflash completion >> ~/.bashrc)')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw (
        explainUnknown(msg, argv, { names: commandNames(), cwd: io.cwd }) ??
        new UsageError('usage/invalid-args', msg, {
          hint: 'Run `espflash --help` or `espflash <command> --help`.',
        })
      );
    });

  // yargs runs the builder of the command it picked (or of the default one for `--help`): the
  // command's module is imported there, so other commands' dependencies never load.
  const loaded = new Map<CommandEntry, CommandDef>();
  const load = async (entry: CommandEntry) => {
    let def = loaded.get(entry);
    if (!def) {
      def = await entry.load();
      loaded.set(entry, def);
    }
    return def;
  };
  for (const entry of commands) {
    parser.command({
      command: completing ? withoutDefault(entry.command) : entry.command,
      describe: entry.describe,
      builder: async (y) => {
        const def = await load(entry);
        const built = def.builder(y);
        for (const [cmd, what] of def.examples) built.example(cmd, what);
        return built;
      },
      handler: async (args) => {
        handled = true;
        const def = await load(entry);
        // --json/--verbose are declared above as booleans with defaults; --color has none.
        const { json, verbose, color } = args as unknown as GlobalArgs;
        const ctx: CliContext = createContext(io, { json, verbose, color });
        exitCode = (await def.handler(args as Record<string, unknown>, ctx)) ?? 0;
      },
    });
  }

  try {
    rejectNegativeNumbers(argv);
    let helpText = '';
    await parser.parseAsync(argv, {}, (_err, _argv, output) => {
      if (output) helpText = output;
    });
    if (helpText) {
      io.stdout(`${helpText}\n`);
      return 0;
    }
    if (!handled && argv.length === 0) {
      io.stdout(`${await parser.getHelp()}\n`);
      return 0;
    }
    return exitCode;
  } catch (err) {
    return renderError(err, fallbackCtx);
  }
}

/** A command string without the default-command marker. */
function withoutDefault(command: string | string[]): string | string[] {
  return Array.isArray(command) ? command.filter((c) => c !== '$0') : command;
}

/**
 * yargs reads `-0x1000` as a cluster of short flags (and then reports a missing positional); every
 * number this CLI takes is an offset, size or rate, none of which can be negative, so say that.
 */
function rejectNegativeNumbers(argv: string[]): void {
  const end = argv.indexOf('--');
  for (const arg of end >= 0 ? argv.slice(0, end) : argv) {
    // yargs reads a plain `-5` as a number (checked by each argument); hex and suffixes it does not.
    if (/^-(0x[0-9a-f]+|\d+(\.\d+)?\s*(k|kb|m|mb))$/i.test(arg)) {
      throw new UsageError('usage/bad-number', `"${arg}" is negative: offsets, sizes and rates cannot be`, {
        hint: 'Write offsets and sizes as hex (0x9000), decimal (36864) or with a k/M suffix (36k, 4M).',
        details: { value: arg },
      });
    }
  }
}
