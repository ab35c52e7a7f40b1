// Persistence of the virtual flash to a file (`--flash-file`): load at start, save a short while after
// each change and on close. Node-only (file system).

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { EspflashError, UsageError } from '../errors.js';
import type { NorFlash } from './nor-flash.js';

/**
 * Read an existing flash file. A shorter file is padded with 0xFF (erased); a longer one is an error.
 * Returns undefined when the file does not exist yet.
 */
export function loadFlashFile(path: string, size: number): Uint8Array | undefined {
  if (!existsSync(path)) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new UsageError('sim/flash-file-unreadable', `flash file ${path} cannot be read`, {
      hint: 'Check --flash-file (or flashFile= in the sim:// URL) and the file permissions.',
      details: { file: path },
      cause: err,
    });
  }
  if (bytes.length > size) {
    throw new UsageError(
      'sim/flash-file-size',
      `flash file ${path} holds ${bytes.length} bytes, more than the ${size}-byte flash`,
      {
        hint: 'Pass a matching --flash-size, or another --flash-file.',
        details: { file: path, bytes: bytes.length, size },
      },
    );
  }
  const out = new Uint8Array(size).fill(0xff);
  out.set(bytes);
  return out;
}

/** A flash kept in sync with a file. */
export interface FlashFileBinding {
  /** Write the file now if anything changed. */
  save(): void;
  /** Save and stop watching. */
  close(): void;
}

/** Save `flash` to `path` `debounceMs` after changes, and on `close()`. */
export function bindFlashFile(
  flash: NorFlash,
  path: string,
  options: { debounceMs?: number } = {},
): FlashFileBinding {
  let dirty = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!dirty) return;
    dirty = false;
    try {
      const tmp = `${path}.tmp`;
      writeFileSync(tmp, flash.contents());
      renameSync(tmp, path);
    } catch (err) {
      throw new EspflashError('sim/flash-file-write', `cannot write flash file ${path}`, {
        hint: 'Check --flash-file (or flashFile= in the sim:// URL) points to a writable location.',
        details: { file: path },
        cause: err,
      });
    }
  };
  flash.onChange(() => {
    if (closed) return;
    dirty = true;
    if (!timer) {
      timer = setTimeout(() => {
        try {
          save();
        } catch {
          dirty = true; // retried on close, where the error surfaces
        }
      }, options.debounceMs ?? 500);
      timer.unref?.();
    }
  });
  if (!existsSync(path)) dirty = true;
  return {
    save,
    close: () => {
      closed = true;
      save();
    },
  };
}
