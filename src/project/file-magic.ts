// Reads the first bytes of a file to recognise it (ESP image 0xE9, partition table 0xAA 0x50)
// without loading multi-megabyte images.

import { open } from 'node:fs/promises';

/** ESP application/bootloader image magic. */
export const IMAGE_MAGIC_BYTES = [0xe9] as const;
/** First two bytes of a partition table entry. */
export const PARTITION_TABLE_MAGIC_BYTES = [0xaa, 0x50] as const;

/** Whether `file` starts with `magic`; false when it is missing or shorter. */
export async function fileStartsWith(file: string, magic: readonly number[]): Promise<boolean> {
  try {
    const handle = await open(file, 'r');
    try {
      const buf = new Uint8Array(magic.length);
      const { bytesRead } = await handle.read(buf, 0, magic.length, 0);
      return bytesRead === magic.length && magic.every((b, i) => buf[i] === b);
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}
