// Reads an image file's header to learn which chip it was built for (extended header chip id;
// ESP8266 images have none). Best effort: unreadable or non-image files give null.

import { readFile } from 'node:fs/promises';
import type { ChipName } from '../chips/chips.js';
import { parseImage } from '../image/image-parse.js';

/** The chip an image file was built for, or null when the file is missing, not an image, or unknown. */
export async function probeImageChip(file: string): Promise<ChipName | null> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch {
    return null;
  }
  try {
    return parseImage(bytes, { file }).chip;
  } catch {
    return null;
  }
}
