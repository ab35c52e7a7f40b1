// What every command handler receives besides its arguments: io, output mode and a logger that
// renders through the CLI (the library itself never prints).

import type { Logger } from '../logger.js';
import { decideColor, painter } from './color.js';
import type { CliIo } from './io.js';

/** Global flags shared by all commands. */
export interface GlobalArgs {
  json: boolean;
  verbose: boolean;
  /** `--color` / `--no-color`; undefined: decided from the environment and the streams. */
  color?: boolean | undefined;
}

/** Handler context. */
export interface CliContext {
  io: CliIo;
  json: boolean;
  verbose: boolean;
  /** Colour on stdout. */
  color: boolean;
  /** Colour on stderr (progress, warnings, errors). */
  stderrColor: boolean;
  logger: Logger;
  /** Print a line of human output (suppressed in --json mode). */
  print(text: string): void;
  /**
   * Print one NDJSON object (only in --json mode callers should use it). An object with `event`
   * also gets `type` with the same value (the library's event field; `event` is kept as an alias).
   */
  emitJson(value: unknown): void;
}

/** Colour per stream from the flag, the environment and the streams. */
export function colorsFor(io: CliIo, flag: boolean | undefined): { stdout: boolean; stderr: boolean } {
  const streams = io.colorStreams ?? {
    stdout: { isTTY: io.isTTY },
    stderr: { isTTY: io.stderrTTY ?? false },
  };
  return {
    stdout: decideColor({ flag, env: io.env, stream: streams.stdout }),
    stderr: decideColor({ flag, env: io.env, stream: streams.stderr }),
  };
}

/** A JSON line: `type` next to `event` (same value) unless the object already has a `type`. */
export function jsonLine(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'event' in value && !('type' in value)) {
    const { event, ...rest } = value as { event: unknown };
    return `${JSON.stringify({ type: event, event, ...rest })}\n`;
  }
  return `${JSON.stringify(value)}\n`;
}

/** Build the context from global args. */
export function createContext(io: CliIo, args: GlobalArgs): CliContext {
  const colors = colorsFor(io, args.color);
  const paint = painter(colors.stderr);
  const logger: Logger = {
    debug: (m) => {
      if (args.verbose && !args.json) io.stderr(`${paint('dim', `debug: ${m}`)}\n`);
    },
    info: (m) => {
      if (!args.json) io.stderr(`${m}\n`);
    },
    warn: (m) => {
      if (args.json) io.stdout(jsonLine({ event: 'warning', message: m }));
      else io.stderr(`${paint('yellow', 'warning:')} ${m}\n`);
    },
  };
  return {
    io,
    json: args.json,
    verbose: args.verbose,
    color: colors.stdout,
    stderrColor: colors.stderr,
    logger,
    print: (t) => {
      if (!args.json) io.stdout(`${t}\n`);
    },
    emitJson: (v) => io.stdout(jsonLine(v)),
  };
}
