// The last baud rate that flashed cleanly, per port, kept machine-locally in a small JSON file
// (the platform's per-user cache folder, see espflashCacheDir; never the project).
// A port that needed a lower baud starts there next time instead of failing at the high one again.

import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import { keyedJsonFile } from './keyed-json-file.js';

/** File name inside the cache directory. */
export const BAUD_MEMORY_FILE = 'baud-memory.json';
/** Entries older than this are ignored (a cable gets replaced, a hub gets fixed). */
export const BAUD_MEMORY_MAX_AGE_MS = 14 * 24 * 3600 * 1000;

interface Entry {
  baud: number;
  /** Epoch milliseconds of the last successful flash at this baud. */
  at: number;
}

/** Remembered bauds per port. */
export interface BaudMemory {
  /** The remembered good baud for `port`, or null when none (or too old). */
  recall(port: string): Promise<number | null>;
  /** Record that `port` worked at `baud`. Never throws (a read-only cache is not an error). */
  remember(port: string, baud: number): Promise<void>;
  /** Where the file lives. */
  readonly file: string;
}

/**
 * The cache directory, where each platform keeps per-user caches: `env.ESPFLASH_CACHE_DIR` when set;
 * else Linux and other Unixes `$XDG_CACHE_HOME/espflash` or `~/.cache/espflash`; macOS
 * `~/Library/Caches/espflash`; Windows `%LOCALAPPDATA%\espflash\Cache` (or `~\AppData\Local\…`).
 */
export function espflashCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.ESPFLASH_CACHE_DIR) return env.ESPFLASH_CACHE_DIR;
  if (platform === 'win32') {
    return win32.join(env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local'), 'espflash', 'Cache');
  }
  if (platform === 'darwin') return posix.join(home, 'Library', 'Caches', 'espflash');
  if (env.XDG_CACHE_HOME) return posix.join(env.XDG_CACHE_HOME, 'espflash');
  return posix.join(home, '.cache', 'espflash');
}

/** Options for {@link createBaudMemory}. */
export interface BaudMemoryOptions {
  /** Directory for the JSON file (default {@link espflashCacheDir}). */
  dir?: string;
  /** Current time (tests). */
  now?: () => number;
  maxAgeMs?: number;
}

/** A {@link BaudMemory} backed by `<dir>/baud-memory.json`. */
export function createBaudMemory(options: BaudMemoryOptions = {}): BaudMemory {
  const dir = options.dir ?? espflashCacheDir();
  const now = options.now ?? Date.now;
  const maxAge = options.maxAgeMs ?? BAUD_MEMORY_MAX_AGE_MS;
  const store = keyedJsonFile(dir, BAUD_MEMORY_FILE, (v): v is Entry => {
    const e = v as Partial<Entry> | null;
    return !!e && Number.isInteger(e.baud) && (e.baud as number) > 0 && typeof e.at === 'number';
  });
  return {
    file: store.file,
    async recall(port) {
      const entry = (await store.load())[port];
      if (!entry || now() - entry.at > maxAge) return null;
      return entry.baud;
    },
    remember: (port, baud) => store.put(port, { baud, at: now() }),
  };
}
