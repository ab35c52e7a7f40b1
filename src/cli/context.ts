// What every command handler receives besides its arguments: io, output mode and a logger that
// renders through the CLI (the library itself never prints).

import type { Logger } from '../logger.js';
import type { CliIo } from './io.js';

/** Global flags shared by all commands. */
export interface GlobalArgs {
  json: boolean;
  verbose: boolean;
  color: boolean;
}

/** Handler context. */
export interface CliContext {
  io: CliIo;
  json: boolean;
  verbose: boolean;
  color: boolean;
  logger: Logger;
  /** Print a line of human output (suppressed in --json mode). */
  print(text: string): void;
  /** Print one NDJSON object (only in --json mode callers should use it). */
  emitJson(value: unknown): void;
}

/** Build the context from global args. */
export function createContext(io: CliIo, args: GlobalArgs): CliContext {
  const dim = (t: string) => (args.color ? `\x1b[2m${t}\x1b[22m` : t);
  const yellow = (t: string) => (args.color ? `\x1b[33m${t}\x1b[39m` : t);
  const logger: Logger = {
    debug: (m) => {
      if (args.verbose && !args.json) io.stderr(`${dim(`debug: ${m}`)}\n`);
    },
    info: (m) => {
      if (!args.json) io.stderr(`${m}\n`);
    },
    warn: (m) => {
      if (args.json) io.stdout(`${JSON.stringify({ event: 'warning', message: m })}\n`);
      else io.stderr(`${yellow('warning:')} ${m}\n`);
    },
  };
  return {
    io,
    json: args.json,
    verbose: args.verbose,
    color: args.color,
    logger,
    print: (t) => {
      if (!args.json) io.stdout(`${t}\n`);
    },
    emitJson: (v) => io.stdout(`${JSON.stringify(v)}\n`),
  };
}
