// Test helper: a CliIo that records what the CLI writes to stdout and stderr, with the terminal
// facts a test chooses (stdout/stderr TTY, stderr width).

import type { CliIo } from '../../src/cli/io.js';

/** Terminal facts of the captured streams. */
export interface CaptureOptions {
  stdoutTTY: boolean;
  stderrTTY: boolean;
  /** stderr width in columns (undefined: unknown). */
  columns?: number;
}

/** A recording CliIo: `out.stdout` / `out.stderr` hold everything written so far. */
export function captureIo(options: CaptureOptions): { io: CliIo; out: { stdout: string; stderr: string } } {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: (t) => {
      out.stdout += t;
    },
    stderr: (t) => {
      out.stderr += t;
    },
    env: {},
    cwd: '/',
    isTTY: options.stdoutTTY,
    stderrTTY: options.stderrTTY,
    ...(options.columns === undefined ? {} : { stderrColumns: () => options.columns }),
  };
  return { io, out };
}
