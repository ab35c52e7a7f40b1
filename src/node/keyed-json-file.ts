// A small machine-local JSON file of keyed entries in the cache folder (baud memory, port memory):
// entries are validated on read (a damaged file or entry reads as absent) and written atomically
// (temp file + rename); a cache that cannot be written is never an error. Writes to one file are
// queued in this process, so boards flashed at once (flashMany) never lose each other's entries.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Entries keyed by a string, each checked by `valid` when read. */
export interface KeyedJsonFile<E> {
  /** Where the file lives. */
  readonly file: string;
  /** Every valid entry (an empty object when the file is missing or damaged). */
  load(): Promise<Record<string, E>>;
  /** Set one entry and write the file. Never throws. */
  put(key: string, entry: E): Promise<void>;
}

/** The pending write of each file in this process: read-modify-write runs one at a time per file. */
const queues = new Map<string, Promise<void>>();

/** The keyed JSON file `<dir>/<name>`, whose entries pass `valid`. */
export function keyedJsonFile<E>(dir: string, name: string, valid: (v: unknown) => v is E): KeyedJsonFile<E> {
  const file = join(dir, name);
  const load = async (): Promise<Record<string, E>> => {
    try {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
      const out: Record<string, E> = {};
      for (const [key, v] of Object.entries(parsed as Record<string, unknown>)) if (valid(v)) out[key] = v;
      return out;
    } catch {
      return {}; // missing or damaged: nothing remembered
    }
  };
  return {
    file,
    load,
    put(key, entry) {
      const write = async (): Promise<void> => {
        try {
          const all = await load();
          all[key] = entry;
          await mkdir(dir, { recursive: true });
          const tmp = `${file}.${process.pid}.tmp`;
          await writeFile(tmp, `${JSON.stringify(all, null, 2)}\n`);
          await rename(tmp, file);
        } catch {
          // a cache that cannot be written only costs the next run what it would have saved
        }
      };
      const next = (queues.get(file) ?? Promise.resolve()).then(write);
      queues.set(file, next);
      void next.then(() => {
        if (queues.get(file) === next) queues.delete(file);
      });
      return next;
    },
  };
}
