// The CLI's window on the world: output streams, environment and working directory, injectable so
// tests can run the whole CLI in process and read what it printed. Terminal-ness is per stream:
// progress and the watch status line go to stderr, results to stdout.

import type { ColorStream } from './color.js';

/** Where the CLI reads its environment and writes its output. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Whether stdout is an interactive terminal. */
  isTTY: boolean;
  /** Whether stderr is an interactive terminal (progress bars, the watch status line); absent: no. */
  stderrTTY?: boolean;
  /** Width of the stderr terminal in columns when known (asked at each redraw: terminals resize). */
  stderrColumns?: () => number | undefined;
  /** The streams as colour sees them (Node's `hasColors`); absent: `isTTY`/`stderrTTY` alone decide. */
  colorStreams?: { stdout: ColorStream; stderr: ColorStream };
  /** Raw stdin for interactive commands (monitor, watch keys); absent in tests unless given. */
  stdin?: NodeJS.ReadableStream & { setRawMode?: (mode: boolean) => unknown; isTTY?: boolean };
}

/** The real process streams. */
export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
    stderrTTY: Boolean(process.stderr.isTTY),
    stderrColumns: () => process.stderr.columns,
    colorStreams: { stdout: process.stdout, stderr: process.stderr },
    stdin: process.stdin,
  };
}

/** Columns a redrawn line may use on stderr: the terminal width less one (no auto-wrap), else 79. */
export function stderrWidth(io: CliIo): number {
  const columns = io.stderrColumns?.();
  return (columns && columns > 1 ? columns : 80) - 1;
}
