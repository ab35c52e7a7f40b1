// Injected logging: the library never prints. Callers pass a Logger; the default is silent.

/** Log sink used throughout the library. Implementations decide where (and whether) to print. */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

/** A logger that drops everything (the default). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
};
