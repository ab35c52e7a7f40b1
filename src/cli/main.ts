// CLI entry: yargs setup, global flags, command registry (each command's module loaded only when
// it runs), and the single place where errors become exit codes (2 usage, 1 failure, 70 bug) and
// text. A thin client of the library API.

import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { CommandDef } from './command.js';
import { type CommandEntry, commandNames, commands } from './commands.js';
import { type CliContext, colorsFor, createContext, type GlobalArgs } from './context.js';
import { type CliIo, processIo } from './io.js';
import { renderError } from './render-error.js';
import {
  COMPLETION_DESCRIBE,
  DEFAULT_EPILOGUE,
  GLOBAL_OPTIONS,
  isTopHelpRequest,
  renderTopHelp,
  USAGE,
} from './top-help.js';
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
  // `espflash --version` and `espflash --help` answer before yargs loads.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  if (isTopHelpRequest(argv)) {
    io.stdout(`${renderTopHelp(commands, helpWidth())}\n`);
    return 0;
  }
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
  const words = positionalWords(argv);
  const completing = words[0] === 'completion';
  // `espflash --help` lists the commands and the global options; the default command's options
  // (`espflash flash --help`) would load the flash command's modules.
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  const topLevelHelp = words.length === 0 && wantsHelp;
  const { default: yargs } = await import('yargs');
  const parser = yargs()
    .scriptName('espflash')
    .usage(USAGE)
    .options(Object.fromEntries(GLOBAL_OPTIONS.map(({ name, ...spec }) => [name, spec])))
    .strict(!completing)
    .help('help')
    .alias('help', 'h')
    .version('version', 'Show the version number', packageVersion())
    .alias('version', 'V')
    .wrap(helpWidth())
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
        if (topLevelHelp && isDefault(entry.command)) return y.epilogue(DEFAULT_EPILOGUE);
        const def = await load(entry);
        const built = def.builder(y);
        for (const [cmd, what] of def.examples) built.example(cmd, what);
        if (def.helpEpilogue && wantsHelp) {
          const text = await def.helpEpilogue(io.cwd).catch(() => undefined);
          if (text) built.epilogue(text);
        }
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

  // Registered last so `--help` lists it after the commands.
  parser.completion('completion', COMPLETION_DESCRIBE);
  skipHelpCache(parser);

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

/**
 * yargs renders the running command's whole help text before every handler, to have it ready for a
 * later `showHelp()` (which espflash never calls): about 90 ms of string widths on each `plan`. Skip
 * that render where this yargs exposes it; help output itself is unaffected (rendered on request).
 */
function skipHelpCache(parser: object): void {
  const internals = (parser as { getInternalMethods?: () => { getUsageInstance?: () => unknown } })
    .getInternalMethods?.()
    .getUsageInstance?.() as { cacheHelpMessage?: () => void } | undefined;
  if (internals && typeof internals.cacheHelpMessage === 'function') internals.cacheHelpMessage = () => {};
}

/** Help text width: the terminal's, at most 110 (100 when not a terminal). */
function helpWidth(): number {
  return Math.min(110, process.stdout.columns || 100);
}

/** The default command (`$0`)? */
function isDefault(command: string | string[]): boolean {
  return Array.isArray(command) && command.includes('$0');
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
