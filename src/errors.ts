// The one error type espflash throws on purpose: a stable code from the table in error-codes.ts, the
// cause in words, a hint naming the flag or file to fix, and structured details. Anything else
// reaching the CLI is a bug.

import { ERROR_CODES, type ErrorCode, type ExitStatus } from './error-codes.js';

export {
  type CodeIn,
  ERROR_CODES,
  type ErrorCode,
  type ErrorCodeSpec,
  type ErrorKind,
  type ExitStatus,
  errorKind,
  isErrorCode,
  isPortGone,
} from './error-codes.js';

/** Options for {@link EspflashError}. */
export interface EspflashErrorOptions {
  /** What the user should do next; names the flag, config key or file to fix (default: the table's). */
  hint?: string;
  /** Structured context (offsets, files, command names) for `--json` output and tests. */
  details?: Record<string, unknown>;
  /** The lower-level error that led here. */
  cause?: unknown;
  /** Process exit status the CLI uses (default: the code's row in the table). */
  exitCode?: ExitStatus;
}

/**
 * Base class of every expected espflash error. `code` is stable and namespaced by area,
 * e.g. `partition/overlap`, `project/no-build-dir`, `rom/flash-write`, `config/unknown-key`.
 */
export class EspflashError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;
  readonly exitCode: ExitStatus;

  constructor(code: ErrorCode, message: string, options: EspflashErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EspflashError';
    this.code = code;
    const row = ERROR_CODES[code];
    this.hint = options.hint ?? (row && 'hint' in row ? row.hint : undefined);
    this.details = options.details ?? {};
    this.exitCode = options.exitCode ?? row?.exit ?? 1;
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
  constructor(code: ErrorCode, message: string, options: Omit<EspflashErrorOptions, 'exitCode'> = {}) {
    super(code, message, { ...options, exitCode: 2 });
    this.name = 'UsageError';
  }
}

/** True for errors espflash raised on purpose (as opposed to bugs). */
export function isEspflashError(err: unknown): err is EspflashError {
  return err instanceof EspflashError;
}

/** Exit status for any thrown value: the error's own (from the code table), 70 for a bug. */
export function exitStatus(err: unknown): ExitStatus | 70 {
  return isEspflashError(err) ? err.exitCode : 70;
}
