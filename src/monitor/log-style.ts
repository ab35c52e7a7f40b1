// Colours for ESP-IDF log lines (`E (1234) tag: msg` red, W yellow, I green, D plain, V dim); lines
// that already carry ANSI colour pass through untouched, and --no-color strips every escape. Pure.

/** ESP-IDF log levels, as the first letter of a log line. */
export type LogLevel = 'E' | 'W' | 'I' | 'D' | 'V';

// `I (1234) tag: msg`; with CONFIG_LOG_TIMESTAMP_SOURCE_SYSTEM the stamp is `(12:34:56.789)`.
const LOG_LINE = /^([EWIDV]) \((\d+|\d{2}:\d{2}:\d{2}\.\d{3})\) [^:]*:/;
// CSI sequences (colours, cursor moves) and two-byte escapes.
const ANSI = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])/g;

const STYLE: Record<LogLevel, { open: string; close: string } | null> = {
  E: { open: '\x1b[31m', close: '\x1b[39m' },
  W: { open: '\x1b[33m', close: '\x1b[39m' },
  I: { open: '\x1b[32m', close: '\x1b[39m' },
  D: null,
  V: { open: '\x1b[2m', close: '\x1b[22m' },
};

/** The level of an ESP-IDF log line (after any ANSI colour the firmware added), or null. */
export function logLevelOf(line: string): LogLevel | null {
  const match = LOG_LINE.exec(stripAnsi(line));
  return match ? (match[1] as LogLevel) : null;
}

/** Remove ANSI escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** True when `text` contains an ANSI escape sequence. */
export function hasAnsi(text: string): boolean {
  ANSI.lastIndex = 0;
  const found = ANSI.test(text);
  ANSI.lastIndex = 0;
  return found;
}

/**
 * How a line is shown: with `color`, firmware colours are kept and plain IDF log lines get their
 * level's colour; without, all escapes are removed.
 */
export function styleLine(line: string, options: { color: boolean }): string {
  if (!options.color) return stripAnsi(line);
  if (hasAnsi(line)) return line;
  const level = logLevelOf(line);
  const style = level === null ? null : STYLE[level];
  return style ? `${style.open}${line}${style.close}` : line;
}

/** Wrap `text` in dim, when colour is on (espflash's own notices). */
export function dim(text: string, color: boolean): string {
  return color ? `\x1b[2m${text}\x1b[22m` : text;
}
