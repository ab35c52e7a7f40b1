// The board a project flashes when several are plugged in: the user's answer to the port question,
// kept per project directory in `port-memory.json` in the per-user cache folder (espflashCacheDir),
// not in the project (a build dir gets cleaned; the choice belongs to this machine's USB layout).

import { resolve } from 'node:path';
import { espflashCacheDir } from './baud-memory.js';
import { keyedJsonFile } from './keyed-json-file.js';

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
  const key = resolve(options.projectDir);
  const now = options.now ?? Date.now;
  const store = keyedJsonFile(dir, PORT_MEMORY_FILE, (v): v is Entry => {
    const e = v as Partial<Entry> | null;
    return !!e && typeof e.port === 'string' && e.port !== '' && typeof e.at === 'number';
  });
  return {
    file: store.file,
    async recall() {
      return (await store.load())[key]?.port ?? null;
    },
    remember: (port) => store.put(key, { port, at: now() }),
  };
}
