// CLI entry: yargs setup, global flags, command registry, and the single place where errors become
// exit codes (2 usage, 1 failure, 70 bug) and text. A thin client of the library API.

import yargs from 'yargs';
import { UsageError } from '../errors.js';
import { commands } from './commands.js';
import { type CliContext, createContext, type GlobalArgs } from './context.js';
import { type CliIo, processIo } from './io.js';
import { renderError } from './render-error.js';

/** Run the CLI with `argv` (without node and script). Resolves with the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const wantsJson = argv.includes('--json');
  const wantsVerbose = argv.includes('--verbose') || argv.includes('-v');
  const color = io.isTTY && !argv.includes('--no-color') && io.env.NO_COLOR === undefined;
  const fallbackCtx = { io, json: wantsJson, verbose: wantsVerbose, color };
  let exitCode = 0;
  let handled = false;

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
    .option('color', { type: 'boolean', default: color, describe: 'Colour output (--no-color to disable)' })
    .strict()
    .recommendCommands()
    .help('help')
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError('usage/invalid-args', msg, {
        hint: 'Run `espflash --help` or `espflash <command> --help`.',
      });
    });

  for (const def of commands) {
    parser.command({
      command: def.command,
      describe: def.describe,
      builder: (y) => {
        const built = def.builder(y);
        for (const [cmd, what] of def.examples) built.example(cmd, what);
        return built;
      },
      handler: async (args) => {
        handled = true;
        // --json/--verbose/--color are declared above as booleans with defaults.
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
