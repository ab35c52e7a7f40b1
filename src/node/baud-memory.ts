// The last baud rate that flashed cleanly, per port, kept machine-locally in a small JSON file
// (the platform's per-user cache folder, see espflashCacheDir; never the project).
// A port that needed a lower baud starts there next time instead of failing at the high one again.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, posix, win32 } from 'node:path';

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
  const file = join(dir, BAUD_MEMORY_FILE);
  const now = options.now ?? Date.now;
  const maxAge = options.maxAgeMs ?? BAUD_MEMORY_MAX_AGE_MS;
  const load = async (): Promise<Record<string, Entry>> => {
    try {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null) return {};
      const out: Record<string, Entry> = {};
      for (const [port, v] of Object.entries(parsed as Record<string, unknown>)) {
        const e = v as Partial<Entry> | null;
        if (e && Number.isInteger(e.baud) && (e.baud as number) > 0 && typeof e.at === 'number') {
          out[port] = { baud: e.baud as number, at: e.at };
        }
      }
      return out;
    } catch {
      return {}; // missing or damaged: start over
    }
  };
  return {
    file,
    async recall(port) {
      const entry = (await load())[port];
      if (!entry || now() - entry.at > maxAge) return null;
      return entry.baud;
    },
    async remember(port, baud) {
      try {
        const all = await load();
        all[port] = { baud, at: now() };
        await mkdir(dir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify(all, null, 2)}\n`);
        await rename(tmp, file);
      } catch {
        // a cache that cannot be written only costs the next run a slower start
      }
    },
  };
}
