// Reading a binary the user named on the command line (write-bin, write-flash): missing or
// unreadable → `usage/file-not-found`, empty → `usage/empty-file` (both exit 2, before any device).

import { readFile } from 'node:fs/promises';
import { UsageError } from '../../errors.js';

/** Read a user-named input file; missing → `usage/file-not-found` (exit 2). */
export async function readInputFile(path: string, argName: string): Promise<Uint8Array> {
  try {
    // A view of the file's buffer, not a copy (a 16 MB image would be held twice).
    const bytes = await readFile(path);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (err) {
    throw new UsageError('usage/file-not-found', `${argName} ${path} cannot be read`, {
      hint: `Check the ${argName} path.`,
      details: { file: path },
      cause: err,
    });
  }
}

/** {@link readInputFile}, refusing an empty file (`usage/empty-file`): there is nothing to write. */
export async function readBinaryToWrite(path: string, argName: string): Promise<Uint8Array> {
  const data = await readInputFile(path, argName);
  if (data.length === 0) {
    throw new UsageError('usage/empty-file', `${argName} ${path} is empty: there is nothing to write`, {
      hint: 'Pass the binary you meant to write (check the build produced it).',
      details: { file: path },
    });
  }
  return data;
}
