// Checks that every image a plan names exists and was built from what the build says. Staleness is
// decided by content where the build gives it (an app image embeds its ELF's SHA-256 in the app
// description: compared with build/<app>.elf); file times (older than the ELF or flasher_args.json)
// only warn, since a copied or unpacked build has arbitrary times.

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isEspflashError, UsageError } from '../errors.js';
import { parseImage } from '../image/image-parse.js';

/** One image to check. */
export interface ImageFileCheck {
  /** Absolute path of the image. */
  file: string;
  /** What the build calls it (`app`, `bootloader`, `storage`, …) for messages. */
  entry: string;
  /** The ELF it was made from, when known (absent files are ignored). */
  elf?: string | null;
}

/** An image that does not match (content) or is older than (time) what it was built from. */
export interface StaleImage {
  file: string;
  entry: string;
  /** The ELF (content, time) or flasher_args.json (time) it was compared with. */
  newerThan: string;
  /**
   * `content`: the ELF SHA-256 embedded in the app image differs from the ELF's (stale for sure);
   * `time`: only the file times say so (a warning; a copied build has arbitrary times).
   */
  basis: 'content' | 'time';
}

/** Options for {@link checkImageFiles}. */
export interface CheckImageFilesOptions {
  images: ImageFileCheck[];
  /** The layout file (flasher_args.json …): images older than it are stale. */
  reference: string | null;
  /** Return content-stale images instead of throwing `project/stale-image`. */
  allowStale?: boolean;
}

/** `x (app) does not match y` / `x (app) is older than y`. */
export function describeStale(s: StaleImage): string {
  return s.basis === 'content'
    ? `${s.file} (${s.entry}) was not built from ${s.newerThan} (the ELF SHA-256 in its app description differs)`
    : `${s.file} (${s.entry}) is older than ${s.newerThan}`;
}

/**
 * Throws `project/missing-image` naming every missing file, then `project/stale-image` (unless
 * `allowStale`) naming every image whose embedded ELF SHA-256 differs from its ELF. Returns those
 * (when allowed) plus the images only file times call stale (`basis: 'time'`, for a warning).
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
    const byContent = elfTime !== null ? await matchesElf(image.file, image.elf!) : null;
    if (byContent === false) {
      stale.push({ file: image.file, entry: image.entry, newerThan: image.elf!, basis: 'content' });
    } else if (byContent === true) {
      // The content says it was built from this ELF, whatever the file times say.
    } else if (elfTime !== null && own < elfTime) {
      stale.push({ file: image.file, entry: image.entry, newerThan: image.elf!, basis: 'time' });
    } else if (referenceTime !== null && own < referenceTime) {
      stale.push({ file: image.file, entry: image.entry, newerThan: options.reference!, basis: 'time' });
    }
  }
  const sure = stale.filter((s) => s.basis === 'content');
  if (sure.length > 0 && !options.allowStale) {
    throw new UsageError(
      'project/stale-image',
      `The build output is out of date: ${sure.map(describeStale).join('; ')}`,
      {
        hint: 'Finish the build with `idf.py build` (or `espflash --build`) before flashing, or pass --allow-stale to flash it anyway.',
        details: { stale: sure },
      },
    );
  }
  return stale;
}

/**
 * Whether the app image `file` embeds the SHA-256 of `elf` (its app description's `app_elf_sha256`);
 * null when that cannot be told (not an app image with a description, no digest recorded, unreadable).
 */
async function matchesElf(file: string, elf: string): Promise<boolean | null> {
  let embedded: string | undefined;
  try {
    embedded = parseImage(new Uint8Array(await readFile(file))).appDesc?.elfSha256;
  } catch (err) {
    if (isEspflashError(err)) return null;
    throw err;
  }
  if (!embedded || /^0+$/.test(embedded)) return null;
  let elfBytes: Buffer;
  try {
    elfBytes = await readFile(elf);
  } catch {
    return null;
  }
  return createHash('sha256').update(elfBytes).digest('hex') === embedded.toLowerCase();
}

async function mtimeOf(file: string): Promise<number | null> {
  try {
    const s = await stat(file);
    return s.isFile() ? s.mtimeMs : null;
  } catch {
    return null;
  }
}
