// Per-device record of what espflash last wrote and verified, kept outside the project: one JSON file
// per chip + MAC (`devices/<chip>-<mac>.json`) naming content-addressed blobs (`blobs/<sha256>`) of
// the bytes each region holds. Writes are atomic (temp + rename); a corrupt or unreadable cache is
// reported through the logger and ignored, never fatal; old blobs are pruned to a size cap.

import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { espflashCacheDir } from '../node/baud-memory.js';

/** Default cap on the bytes of all blobs (every device together). */
export const DEFAULT_CACHE_MAX_BYTES = 256 * 1024 * 1024;
/** Unreferenced blobs and stray temp files younger than this are left alone (a concurrent writer). */
export const DEFAULT_ORPHAN_GRACE_MS = 60 * 60_000;
const FORMAT = 1;

/** What a region last held on the device, as espflash wrote and verified it. */
export interface CachedRegion {
  /** Absolute flash offset. */
  offset: number;
  size: number;
  /** Lower-case hex MD5 of `bytes` (what SPI_FLASH_MD5 returns when the device still holds them). */
  md5: string;
  /** Lower-case hex SHA-256 of `bytes` (the blob's name). */
  sha256: string;
  bytes: Uint8Array;
  /** ISO time of the write. */
  writtenAt: string;
}

/** Options for {@link openDeviceCache}. */
export interface DeviceCacheOptions {
  /** Cache root (default `$ESPFLASH_CACHE_DIR`, `$XDG_CACHE_HOME/espflash` or `~/.cache/espflash`). */
  dir?: string;
  /** Chip name, e.g. `esp32`. */
  chip: string;
  /** Factory MAC, `aa:bb:cc:dd:ee:ff` (`-` separators or none also accepted). */
  mac: string;
  logger?: Logger;
  /** Cap on all blobs' bytes; the least recently used go first (default 256 MiB). */
  maxBytes?: number;
  /** Age before an unreferenced blob or temp file may be deleted (default 1 hour). */
  orphanGraceMs?: number;
}

/** One device's record. */
export interface DeviceCache {
  /** The device file (`<dir>/devices/<chip>-<mac>.json`). */
  readonly file: string;
  /** The region cached at exactly `offset`, or null. */
  get(offset: number): CachedRegion | null;
  /** Every cached region, by offset. */
  list(): CachedRegion[];
  /**
   * Record that the device now holds `bytes` at `offset` (verified as `md5`). Entries it overlaps are
   * dropped. Never throws: a cache that cannot be written is logged and costs the next run a full write.
   */
  put(region: { offset: number; bytes: Uint8Array; md5: string }): Promise<void>;
  /** Drop the entry at `offset` (the device no longer holds what the cache says). Never throws. */
  forget(offset: number): Promise<void>;
}

interface Entry {
  offset: number;
  size: number;
  md5: string;
  sha256: string;
  writtenAt: string;
}

const HEX = /^[0-9a-f]+$/;

/** `aa:bb:cc:dd:ee:ff` → `aabbccddeeff`; throws `cache/bad-device` on anything else. */
export function deviceKey(chip: string, mac: string): string {
  const m = mac.toLowerCase().replace(/[:-]/g, '');
  if (!/^[a-z0-9]+$/.test(chip) || m.length !== 12 || !HEX.test(m)) {
    throw new UsageError(
      'cache/bad-device',
      `cannot key the device cache by chip "${chip}" and MAC "${mac}"`,
      {
        hint: 'Pass the chip name (e.g. esp32) and the MAC read from the device (aa:bb:cc:dd:ee:ff).',
        details: { chip, mac },
      },
    );
  }
  return `${chip}-${m}`;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function md5HexNode(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

function validEntry(e: unknown): e is Entry {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Record<string, unknown>;
  return (
    Number.isSafeInteger(r.offset) &&
    (r.offset as number) >= 0 &&
    Number.isSafeInteger(r.size) &&
    (r.size as number) > 0 &&
    typeof r.md5 === 'string' &&
    r.md5.length === 32 &&
    HEX.test(r.md5) &&
    typeof r.sha256 === 'string' &&
    r.sha256.length === 64 &&
    HEX.test(r.sha256) &&
    typeof r.writtenAt === 'string'
  );
}

/** Parse a device file; null (and why) when it is not a valid record. */
function parseRecord(text: string): { entries: Entry[] } | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { error: `not JSON (${(err as Error).message})` };
  }
  const d = doc as { version?: unknown; regions?: unknown };
  if (typeof doc !== 'object' || doc === null || d.version !== FORMAT || !Array.isArray(d.regions)) {
    return { error: `not a version ${FORMAT} device record` };
  }
  if (!d.regions.every(validEntry)) return { error: 'a region entry is malformed' };
  return { entries: d.regions as Entry[] };
}

/** Write `data` to `file` atomically: a unique temp file in the same directory, then rename. */
async function atomicWrite(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/**
 * Open the record of one device (chip + MAC). Loads and checks every cached region now (a blob whose
 * SHA-256 or size is wrong is dropped and logged), so `get` is synchronous. Never fails on a corrupt
 * or unreadable cache; throws only `cache/bad-device` for a chip or MAC that cannot name a file.
 */
export async function openDeviceCache(options: DeviceCacheOptions): Promise<DeviceCache> {
  const root = options.dir ?? espflashCacheDir();
  const logger = options.logger ?? silentLogger;
  const key = deviceKey(options.chip, options.mac);
  const devicesDir = join(root, 'devices');
  const blobsDir = join(root, 'blobs');
  const file = join(devicesDir, `${key}.json`);
  const maxBytes = options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
  const graceMs = options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS;
  const regions = new Map<number, CachedRegion>();

  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger.warn(`device cache ${file} unreadable, ignored: ${(err as Error).message}`);
    }
  }
  if (text !== null) {
    const parsed = parseRecord(text);
    if ('error' in parsed) logger.warn(`device cache ${file} ignored: ${parsed.error}`);
    else {
      for (const e of parsed.entries) {
        const blob = join(blobsDir, e.sha256);
        let bytes: Uint8Array;
        try {
          bytes = new Uint8Array(await readFile(blob));
        } catch (err) {
          logger.warn(`device cache blob ${blob} unreadable, entry at 0x${e.offset.toString(16)} ignored`, {
            error: (err as Error).message,
          });
          continue;
        }
        if (bytes.length !== e.size || sha256Hex(bytes) !== e.sha256 || md5HexNode(bytes) !== e.md5) {
          logger.warn(`device cache blob ${blob} is corrupt, entry at 0x${e.offset.toString(16)} ignored`);
          await rm(blob, { force: true }).catch(() => {});
          continue;
        }
        regions.set(e.offset, { ...e, bytes });
        // Mark as recently used for the size cap.
        const now = new Date();
        await utimes(blob, now, now).catch(() => {});
      }
    }
  }

  const save = async (): Promise<void> => {
    const list = [...regions.values()].sort((a, b) => a.offset - b.offset);
    const doc = {
      version: FORMAT,
      chip: options.chip,
      mac: options.mac.toLowerCase(),
      regions: list.map(({ offset, size, md5, sha256, writtenAt }) => ({
        offset,
        size,
        md5,
        sha256,
        writtenAt,
      })),
    };
    await mkdir(devicesDir, { recursive: true });
    await atomicWrite(file, `${JSON.stringify(doc, null, 2)}\n`);
  };

  const prune = async (): Promise<void> => {
    const mine = new Set([...regions.values()].map((r) => r.sha256));
    const referenced = new Set(mine);
    for (const name of await readdir(devicesDir).catch(() => [] as string[])) {
      if (!name.endsWith('.json') || name === `${key}.json`) continue;
      const other = await readFile(join(devicesDir, name), 'utf8').catch(() => null);
      const parsed = other === null ? null : parseRecord(other);
      if (parsed && 'entries' in parsed) for (const e of parsed.entries) referenced.add(e.sha256);
    }
    const blobs: Array<{ path: string; name: string; size: number; mtime: number }> = [];
    for (const name of await readdir(blobsDir).catch(() => [] as string[])) {
      const path = join(blobsDir, name);
      const s = await stat(path).catch(() => null);
      if (!s?.isFile()) continue;
      const old = Date.now() - s.mtimeMs >= graceMs;
      if ((name.endsWith('.tmp') || !referenced.has(name)) && old) {
        await rm(path, { force: true }).catch(() => {});
        continue;
      }
      blobs.push({ path, name, size: s.size, mtime: s.mtimeMs });
    }
    let total = blobs.reduce((n, b) => n + b.size, 0);
    blobs.sort((a, b) => a.mtime - b.mtime);
    for (const b of blobs) {
      if (total <= maxBytes) break;
      if (mine.has(b.name)) continue;
      await rm(b.path, { force: true }).catch(() => {});
      logger.debug(`device cache: pruned blob ${b.name} (${b.size} bytes) to stay under ${maxBytes} bytes`);
      total -= b.size;
    }
  };

  // Writes to this record go one after another.
  let queue: Promise<void> = Promise.resolve();
  const serial = (what: string, job: () => Promise<void>): Promise<void> => {
    queue = queue.then(job).catch((err: unknown) => {
      logger.warn(`device cache ${file}: could not ${what}: ${(err as Error).message}`);
    });
    return queue;
  };

  return {
    file,
    get: (offset) => regions.get(offset) ?? null,
    list: () => [...regions.values()].sort((a, b) => a.offset - b.offset),
    put: (region) =>
      serial('record a region', async () => {
        const bytes = region.bytes.slice();
        const md5 = region.md5.toLowerCase();
        if (md5HexNode(bytes) !== md5) {
          logger.warn(
            `device cache: MD5 ${md5} does not match the bytes at 0x${region.offset.toString(16)}; not cached`,
          );
          regions.delete(region.offset);
          await save();
          return;
        }
        const sha256 = sha256Hex(bytes);
        const end = region.offset + bytes.length;
        for (const r of [...regions.values()]) {
          if (r.offset < end && region.offset < r.offset + r.size) regions.delete(r.offset);
        }
        await mkdir(blobsDir, { recursive: true });
        const blob = join(blobsDir, sha256);
        const existing = await readFile(blob).catch(() => null);
        if (existing !== null && sha256Hex(existing) === sha256) {
          const now = new Date();
          await utimes(blob, now, now);
        } else await atomicWrite(blob, bytes);
        regions.set(region.offset, {
          offset: region.offset,
          size: bytes.length,
          md5,
          sha256,
          bytes,
          writtenAt: new Date().toISOString(),
        });
        await save();
        await prune();
      }),
    forget: (offset) =>
      serial('forget a region', async () => {
        if (!regions.delete(offset)) return;
        await save();
      }),
  };
}

/** Device files present under a cache root (`<chip>-<mac>` keys), for tooling and tests. */
export function listCachedDevices(dir: string = espflashCacheDir()): string[] {
  try {
    return readdirSync(join(dir, 'devices'))
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}
