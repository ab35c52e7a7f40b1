// Fast reflash of one region: when the device cache knows what the region last held, write only the
// changed 4 KiB sectors (runs merged by the sector-diff cost model), then let ONE device MD5 of the
// whole region judge, and fall back to a full write of the region on a mismatch (a device changed
// behind our back included). A region found erased (a fresh virtual chip, a chip erased by another
// tool) is simply written in full, with a debug line: only contents changed to something else warn.
// Without a usable cache entry it is one engine write of the region (MD5 skip). Events go to `onEvent`.

import { deflateSync } from 'node:zlib';
import { canMd5, flashMd5 } from '../core/ops/md5-region.js';
import { type HashFn, md5Hex } from '../core/protocol/md5.js';
import type { Loader } from '../core/session/loader.js';
import {
  prepareRegion,
  type WriteRegionOptions,
  type WriteRegionResult,
  willCompress,
  writeRegion,
} from '../core/write/write-region.js';
import { isEspflashError } from '../errors.js';
import type { FlashEvent } from '../events.js';
import type { CachedRegion } from './device-cache.js';
import { defaultCostModel, diffSectors, SECTOR, type WriteCostModel, type WriteRun } from './sector-diff.js';

/** Options for {@link fastReflashRegion}. */
export interface FastReflashOptions extends Omit<WriteRegionOptions, 'skipIfMatch'> {
  /** What the device cache says the region last held (`cache.get(offset)`), or null. */
  cached: CachedRegion | null;
  /** Ignore the cache and the MD5 skip: write the whole region. */
  force?: boolean;
  /** Overrides of the merge cost model (baud, stub and compression come from the loader). */
  model?: Partial<WriteCostModel>;
}

/**
 * Why a cached region was not used for a partial write: `device-erased` the device held all 0xFF
 * where the cache said our bytes were (normal: a fresh or erased chip); `device-changed` it held
 * something else; `verify-failed` the region did not verify after writing the changed sectors.
 */
export type FastReflashFallback =
  | 'device-erased'
  | 'device-changed'
  | 'verify-failed'
  | 'cheaper-in-full'
  | null;

/** What {@link fastReflashRegion} did. */
export interface FastReflashResult {
  /** skipped: already there; partial: only changed sectors written; written: the whole region. */
  status: 'skipped' | 'partial' | 'written';
  /** 4 KiB sectors erased and programmed (0 when skipped). */
  sectorsWritten: number;
  /** Bytes programmed (0 when skipped). */
  bytesWritten: number;
  /** MD5 of the bytes now on flash (lower-case hex). */
  md5: string;
  /** Where the region's bytes start on flash (ROM: aligned down to 4 KiB). */
  offset: number;
  /** The exact bytes now on flash at `offset`: what to `cache.put`. */
  bytes: Uint8Array;
  /** Whether the device's MD5 confirmed the region (false only where the loader has no MD5). */
  verified: boolean;
  /** The runs written (partial writes only). */
  runs: WriteRun[];
  fallback: FastReflashFallback;
  /** The loader in use at the end (a reconnect may have replaced it). */
  loader: Loader;
  /** Stream restarts and reconnects the writes needed. */
  restarts: number;
  reconnects: number;
}

/** Size after zlib level 1 through node:zlib: the cost model sizes the whole region (pako: ~0.2 s). */
function nativeDeflatedSize(bytes: Uint8Array): number {
  return deflateSync(bytes, { level: 1 }).length;
}

type Routing = { kind: 'pass' } | { kind: 'fallback' } | { kind: 'run'; before: number; total: number };

const sectorsIn = (bytes: number) => Math.ceil(bytes / SECTOR);

/**
 * MD5 of the region as an erased chip would hold it after `runs` of `data` were written: 0xFF
 * everywhere else (a run's partial last sector was erased too). No runs: a blank region.
 */
function erasedMd5(data: Uint8Array, runs: readonly WriteRun[], hash: HashFn | undefined): string {
  const bytes = new Uint8Array(data.length).fill(0xff);
  for (const r of runs) bytes.set(data.subarray(r.start, r.start + r.length), r.start);
  return md5Hex(bytes, hash);
}

/**
 * Write one region, using the cache to send only what changed. Emits one region-start, then
 * region-skipped or region-progress… region-verified for the whole region (and a `warning` when a
 * cached region had to be rewritten in full). Throws what the writer throws, including
 * `flash/verify-failed` when even the full rewrite does not verify.
 */
export async function fastReflashRegion(
  loader: Loader,
  options: FastReflashOptions,
): Promise<FastReflashResult> {
  const { cached, force, model: overrides, reconnect, ...engine } = options;
  const { index, label, role, hash } = options;
  let current = loader;
  let restarts = 0;
  let reconnects = 0;
  const emit = options.onEvent;
  let routing: Routing = { kind: 'pass' };
  // The engine's events for a run of changed sectors are progress within the whole region's.
  const route = (e: FlashEvent): void => {
    if (routing.kind === 'pass') emit(e);
    else if (e.type === 'region-start') {
      // the whole region's region-start was already emitted
    } else if (routing.kind === 'fallback') emit(e);
    else if (e.type === 'region-progress') {
      emit({ ...e, offset: prepared.offset, written: routing.before + e.written, total: routing.total });
    } else if (e.type !== 'region-verified' && e.type !== 'region-skipped') emit(e);
  };
  const prepared = prepareRegion(loader, options);
  const expected = md5Hex(prepared.data, hash);
  const run = async (offset: number, data: Uint8Array, skipIfMatch: boolean): Promise<WriteRegionResult> => {
    const result = await writeRegion(current, {
      ...engine,
      offset,
      data,
      skipIfMatch,
      onEvent: route,
      // A run that fails after a reconnect leaves the fresh loader for the next step.
      ...(reconnect === undefined ? {} : { reconnect: async (r) => (current = await reconnect(r)) }),
    });
    current = result.loader;
    restarts += result.restarts;
    reconnects += result.reconnects;
    return result;
  };
  const counts = () => ({ loader: current, restarts, reconnects });
  const full = async (skipIfMatch: boolean, fallback: FastReflashFallback): Promise<FastReflashResult> => {
    const r = await run(prepared.offset, prepared.data, skipIfMatch);
    const written = r.status === 'written';
    return {
      status: r.status,
      sectorsWritten: written ? sectorsIn(r.size) : 0,
      bytesWritten: written ? r.size : 0,
      md5: r.md5,
      offset: prepared.offset,
      bytes: prepared.data,
      verified: r.verified,
      runs: [],
      fallback,
      ...counts(),
    };
  };

  const usable =
    cached !== null &&
    !(force ?? false) &&
    canMd5(loader) &&
    cached.offset === prepared.offset &&
    prepared.offset % SECTOR === 0 &&
    cached.bytes.length === cached.size;
  if (!usable) return full(!(force ?? false), null);

  emit({ type: 'region-start', index, offset: prepared.offset, size: prepared.data.length, label, role });
  routing = { kind: 'fallback' };
  const erasedNote = (): void =>
    current.logger.debug(
      `region ${index} (${label ?? role}) is erased on the device (a fresh or erased chip); writing it in full`,
    );
  options.signal?.throwIfAborted();
  // Optimistic: trust the cache for the diff and let the one region MD5 at the end judge. A device
  // changed behind our back then costs a wasted partial write before the full one, but the common
  // case costs one device MD5 instead of two (the MD5 dominates a small change on a slow link).
  const model = defaultCostModel({
    baud: current.transport.baudRate,
    stub: current.isStub,
    compress: willCompress(current, options.compress),
    compressedSize: nativeDeflatedSize,
    ...overrides,
  });
  const diff = diffSectors({ old: cached.bytes, next: prepared.data, offset: prepared.offset, model });
  if (diff.runs.length === 0) {
    // Every sector of the new bytes matches the cached ones (equal, or a shrink): confirm on the device.
    const onDevice = await flashMd5(current, { offset: prepared.offset, size: prepared.data.length });
    if (onDevice !== expected && onDevice === erasedMd5(prepared.data, [], hash)) {
      erasedNote();
      return full(false, 'device-erased');
    }
    if (onDevice !== expected) {
      emit({
        type: 'warning',
        code: 'flash/cache-stale',
        message: `region ${index} (${label ?? role}) changed on the device since espflash last wrote it; writing it in full`,
      });
      return full(false, 'device-changed');
    }
    emit({ type: 'region-skipped', index, offset: prepared.offset, reason: 'md5-match' });
    return {
      status: 'skipped',
      sectorsWritten: 0,
      bytesWritten: 0,
      md5: expected,
      offset: prepared.offset,
      bytes: prepared.data,
      verified: true,
      runs: [],
      fallback: null,
      ...counts(),
    };
  }
  if (diff.estimatedMs + diff.verifyMs >= diff.fullWriteMs) return full(false, 'cheaper-in-full');

  let before = 0;
  try {
    for (const r of diff.runs) {
      routing = { kind: 'run', before, total: diff.bytesWritten };
      await run(prepared.offset + r.start, prepared.data.subarray(r.start, r.start + r.length), false);
      before += r.length;
    }
  } catch (err) {
    if (!isEspflashError(err) || err.code !== 'flash/verify-failed') throw err;
    routing = { kind: 'fallback' };
    emit({
      type: 'warning',
      code: 'flash/partial-verify-failed',
      message: `a changed-sector write of region ${index} (${label ?? role}) did not verify; writing the region in full`,
    });
    return full(false, 'verify-failed');
  }
  routing = { kind: 'fallback' };
  const actual = await flashMd5(current, { offset: prepared.offset, size: prepared.data.length });
  if (actual !== expected && actual === erasedMd5(prepared.data, diff.runs, hash)) {
    erasedNote();
    return full(false, 'device-erased');
  }
  if (actual !== expected) {
    emit({
      type: 'warning',
      code: 'flash/partial-verify-failed',
      message: `region ${index} (${label ?? role}) did not verify after writing its changed sectors (MD5 ${actual}, expected ${expected}): the device changed since espflash last wrote it, or a write did not take; writing it in full`,
    });
    return full(false, 'verify-failed');
  }
  emit({
    type: 'region-verified',
    index,
    offset: prepared.offset,
    md5: actual,
    bytesWritten: diff.bytesWritten,
  });
  return {
    status: 'partial',
    sectorsWritten: diff.sectorsWritten,
    bytesWritten: diff.bytesWritten,
    md5: actual,
    offset: prepared.offset,
    bytes: prepared.data,
    verified: true,
    runs: diff.runs,
    fallback: null,
    ...counts(),
  };
}
