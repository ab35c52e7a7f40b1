// The CLI's window on the world: output streams, environment and working directory, injectable so
// tests can run the whole CLI in process and read what it printed.

/** Where the CLI reads its environment and writes its output. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Whether stdout is an interactive terminal (progress bars, colours). */
  isTTY: boolean;
  /** Whether stderr is an interactive terminal (the port question asks there). */
  stderrIsTTY?: boolean;
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
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdin: process.stdin,
  };
}
