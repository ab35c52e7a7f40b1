// The one error type espflash throws on purpose: a stable code, the cause in words, a hint naming
// the flag or file to fix, and structured details. Anything else reaching the CLI is a bug.

/** Options for {@link EspflashError}. */
export interface EspflashErrorOptions {
  /** What the user should do next; names the flag, config key or file to fix. */
  hint?: string;
  /** Structured context (offsets, files, command names) for `--json` output and tests. */
  details?: Record<string, unknown>;
  /** The lower-level error that led here. */
  cause?: unknown;
  /** Process exit code the CLI uses: 2 for usage/input errors, 1 for failures (default). */
  exitCode?: 1 | 2;
}

/**
 * Base class of every expected espflash error. `code` is stable and namespaced by area,
 * e.g. `partition/overlap`, `project/no-build-dir`, `rom/flash-write`, `config/unknown-key`.
 */
export class EspflashError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;
  readonly exitCode: 1 | 2;

  constructor(code: string, message: string, options: EspflashErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EspflashError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
    this.exitCode = options.exitCode ?? 1;
  }

  /** A plain object for NDJSON output. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(Object.keys(this.details).length ? { details: this.details } : {}),
    };
  }
}

/** Bad input from the user (flags, config, files they named): exit code 2. */
export class UsageError extends EspflashError {
  constructor(code: string, message: string, options: Omit<EspflashErrorOptions, 'exitCode'> = {}) {
    super(code, message, { ...options, exitCode: 2 });
    this.name = 'UsageError';
  }
}

/** True for errors espflash raised on purpose (as opposed to bugs). */
export function isEspflashError(err: unknown): err is EspflashError {
  return err instanceof EspflashError;
}
