// The board a project flashes when several are plugged in: the user's answer to the port question,
// kept per project directory in `port-memory.json` in the per-user cache folder (espflashCacheDir),
// not in the project (a build dir gets cleaned; the choice belongs to this machine's USB layout).

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { espflashCacheDir } from './baud-memory.js';

/** The board chosen earlier for one project. */
export interface PortMemory {
  /** The remembered port path, or null. */
  recall(): Promise<string | null>;
  /** Remember `port` as this project's board. Never throws. */
  remember(port: string): Promise<void>;
}

/** File name inside the cache directory. */
export const PORT_MEMORY_FILE = 'port-memory.json';

/** Options for {@link createPortMemory}. */
export interface PortMemoryOptions {
  /** The project the answer is for (the key; made absolute). */
  projectDir: string;
  /** Directory for the JSON file (default {@link espflashCacheDir}). */
  dir?: string;
  /** Current time (tests). */
  now?: () => number;
}

interface Entry {
  port: string;
  /** Epoch milliseconds of the answer. */
  at: number;
}

/** A {@link PortMemory} for one project, backed by `<dir>/port-memory.json` (project dir → port). */
export function createPortMemory(options: PortMemoryOptions): PortMemory & { readonly file: string } {
  const dir = options.dir ?? espflashCacheDir();
  const file = join(dir, PORT_MEMORY_FILE);
  const key = resolve(options.projectDir);
  const now = options.now ?? Date.now;
  const load = async (): Promise<Record<string, Entry>> => {
    try {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
      const out: Record<string, Entry> = {};
      for (const [project, v] of Object.entries(parsed as Record<string, unknown>)) {
        const e = v as Partial<Entry> | null;
        if (e && typeof e.port === 'string' && e.port !== '' && typeof e.at === 'number') {
          out[project] = { port: e.port, at: e.at };
        }
      }
      return out;
    } catch {
      return {}; // missing or damaged: nothing remembered
    }
  };
  return {
    file,
    async recall() {
      return (await load())[key]?.port ?? null;
    },
    async remember(port) {
      try {
        const all = await load();
        all[key] = { port, at: now() };
        await mkdir(dir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify(all, null, 2)}\n`);
        await rename(tmp, file);
      } catch {
        // a cache that cannot be written only means asking again next time
      }
    },
  };
}
