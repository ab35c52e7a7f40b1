// Checks that every image a plan names exists and is not older than what it was built from (its
// ELF, or the flasher_args.json that lists it): a missing or stale image means the build is incomplete.

import { stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/** One image to check. */
export interface ImageFileCheck {
  /** Absolute path of the image. */
  file: string;
  /** What the build calls it (`app`, `bootloader`, `storage`, …) for messages. */
  entry: string;
  /** The ELF it was made from, when known (absent files are ignored). */
  elf?: string | null;
}

/** An image older than the file it should be newer than. */
export interface StaleImage {
  file: string;
  entry: string;
  /** The newer file (ELF or flasher_args.json). */
  newerThan: string;
}

/** Options for {@link checkImageFiles}. */
export interface CheckImageFilesOptions {
  images: ImageFileCheck[];
  /** The layout file (flasher_args.json …): images older than it are stale. */
  reference: string | null;
  /** Return stale images instead of throwing `project/stale-image`. */
  allowStale?: boolean;
}

/**
 * Throws `project/missing-image` naming every missing file, then `project/stale-image` (unless
 * `allowStale`) naming every stale one. Returns the stale images (empty when all are fresh).
 */
export async function checkImageFiles(options: CheckImageFilesOptions): Promise<StaleImage[]> {
  const missing: ImageFileCheck[] = [];
  const mtimes = new Map<string, number>();
  for (const image of options.images) {
    const m = await mtimeOf(image.file);
    if (m === null) missing.push(image);
    else mtimes.set(image.file, m);
  }
  if (missing.length > 0) {
    const list = missing.map((m) => `${m.file} (${m.entry})`).join(', ');
    throw new UsageError('project/missing-image', `The build lists image files that do not exist: ${list}`, {
      hint: 'Run `idf.py build` (or `espflash --build`) to produce them, or pass the right --build-dir.',
      details: { missing: missing.map((m) => ({ file: m.file, entry: m.entry })) },
    });
  }

  const referenceTime = options.reference ? await mtimeOf(options.reference) : null;
  const stale: StaleImage[] = [];
  for (const image of options.images) {
    const own = mtimes.get(image.file)!;
    const elfTime = image.elf ? await mtimeOf(image.elf) : null;
    if (elfTime !== null && own < elfTime)
      stale.push({ file: image.file, entry: image.entry, newerThan: image.elf! });
    else if (referenceTime !== null && own < referenceTime) {
      stale.push({ file: image.file, entry: image.entry, newerThan: options.reference! });
    }
  }
  if (stale.length > 0 && !options.allowStale) {
    const list = stale.map((s) => `${s.file} (${s.entry}) is older than ${s.newerThan}`).join('; ');
    throw new UsageError('project/stale-image', `The build output is out of date: ${list}`, {
      hint: 'Finish the build with `idf.py build` (or `espflash --build`) before flashing.',
      details: { stale },
    });
  }
  return stale;
}

async function mtimeOf(file: string): Promise<number | null> {
  try {
    const s = await stat(file);
    return s.isFile() ? s.mtimeMs : null;
  } catch {
    return null;
  }
}
