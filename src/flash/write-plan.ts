// Write a FlashPlan on a connected loader: re-check every file against the plan's SHA-256, patch the
// bootloader header, check the regions fit the flash, write + verify each region, and summarise.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createDeflate } from 'node:zlib';
import { chipInfo } from '../chips/chips.js';
import { flashSizeName } from '../core/ops/flash-id.js';
import { type PreparedFlash, prepareFlash } from '../core/ops/prepare-flash.js';
import { hex } from '../core/protocol/bytes.js';
import { type HashFn, md5Hex } from '../core/protocol/md5.js';
import type { Loader } from '../core/session/loader.js';
import { isFixedFlashSize } from '../core/settings.js';
import type { DeflateStream } from '../core/write/deflate-blocks.js';
import {
  prepareRegion,
  type ReconnectRequest,
  type ResilienceOptions,
  type WriteRegionOptions,
  writeRegion,
} from '../core/write/write-region.js';
import { UsageError } from '../errors.js';
import type { FlashEventSink } from '../events.js';
import { flashSizeToBytes, patchFlashParams } from '../image/flash-params.js';
import type { FlashPlan, PlanRegion } from '../plan/types.js';
import type { DeviceCache } from './device-cache.js';
import { fastReflashRegion } from './fast-reflash.js';
import { checkWithDevice, type FlashSummary, type RegionOutcome, withSummary } from './flash-summary.js';

export type { FlashSummary, RegionOutcome } from './flash-summary.js';

/** Default bound on one whole flash, in `loader.clock` milliseconds (10 minutes). */
export const DEFAULT_FLASH_TIME_LIMIT_MS = 10 * 60_000;

/** MD5 through node:crypto (much faster than the portable one for multi-MB images). */
export const nodeMd5: HashFn = (bytes) => new Uint8Array(createHash('md5').update(bytes).digest());

/** zlib level 9 through node:zlib, streamed (about 6x faster than the portable one). */
export const nodeDeflate: DeflateStream = (input) => {
  const deflater = createDeflate({ level: 9 });
  // An early stop (a broken write stream) destroys the compressor, and with it the source.
  pipeline(Readable.from(input, { objectMode: false }), deflater, () => {});
  return deflater;
};

/** Options for {@link writePlan}. */
export interface WritePlanOptions {
  plan: FlashPlan;
  /** A connected loader (ROM or stub). */
  loader: Loader;
  /**
   * What `prepareFlash` found (its size backs `--flash-size detect` and the fit check). When absent,
   * the flash is attached and detected here, with the plan's explicit size for SPI_SET_PARAMS.
   */
  flash?: PreparedFlash;
  /** Where the flash events go (default: the loader's session sink). */
  onEvent?: FlashEventSink;
  signal?: AbortSignal;
  /** Write every region even when the device already holds the same bytes. */
  force?: boolean;
  /** Secure boot is on: leave the bootloader header alone (patching would break the signature). */
  secureBoot?: boolean;
  /** Write block size override (0x800 for the stub over USB-OTG). */
  blockSize?: number;
  /** Deflate writes (default: with the stub, or where the ROM can inflate and this is true). */
  compress?: boolean;
  /** Retry limits (block sends, restarts per region, reconnect and baud step-down thresholds). */
  resilience?: Omit<ResilienceOptions, 'deadline' | 'reconnect'>;
  /** No new attempt starts after this long (default {@link DEFAULT_FLASH_TIME_LIMIT_MS}). */
  timeLimitMs?: number;
  /**
   * Reach the chip again after the port vanished, the chip reset, or the link stayed bad: reopen,
   * reset, sync, stub, baud (lower when `request.lowerBaud`). Without it such failures are final.
   */
  reconnect?: (request: ReconnectRequest) => Promise<Loader>;
  /**
   * What was last written to this device (chip + MAC). With it, a region the device still holds as
   * cached gets only its changed sectors written; anything else falls back to a full write.
   */
  cache?: DeviceCache;
}

/**
 * Read a plan region's file and check it is what was planned (`flash/file-missing`,
 * `flash/file-changed`): what `flash` writes and what `merge-bin` merges.
 */
export async function loadRegion(region: PlanRegion): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(region.file));
  } catch (err) {
    throw new UsageError(
      'flash/file-missing',
      `cannot read ${region.file} (planned for ${hex(region.offset)})`,
      {
        hint: 'Rebuild the project (idf.py build) or fix the path in build/flasher_args.json.',
        details: { file: region.file, offset: region.offset },
        cause: err,
      },
    );
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== region.sha256 || bytes.length !== region.size) {
    throw new UsageError(
      'flash/file-changed',
      `${region.file} changed since the flash plan was made (${region.size} → ${bytes.length} bytes, sha256 ${region.sha256.slice(0, 12)}… → ${sha.slice(0, 12)}…)`,
      {
        hint: 'Run the command again so the plan is derived from the current build (a build may still be running).',
        details: { file: region.file, offset: region.offset, planned: region.sha256, actual: sha },
      },
    );
  }
  return bytes;
}

/** SPI_SET_PARAMS size from the plan when it names one (not `detect`/`keep`). */
function explicitSize(plan: FlashPlan): { sizeBytes?: number } {
  const size = plan.flash.size.value;
  return isFixedFlashSize(size) ? { sizeBytes: flashSizeToBytes(size) } : {};
}

/** Flash size the regions must fit: the detected chip size, else the plan's explicit size, else the assumed one. */
function flashLimit(plan: FlashPlan, flash: PreparedFlash): { bytes: number; why: string } {
  const detected = flash.id?.sizeBytes;
  if (detected) return { bytes: detected, why: `detected ${flashSizeName(detected)}` };
  const size = plan.flash.size.value;
  if (size !== 'detect' && size !== 'keep')
    return { bytes: flashSizeToBytes(size), why: `--flash-size ${size}` };
  return { bytes: flash.sizeBytes, why: `assumed ${flash.sizeName}` };
}

/**
 * Write every region of `plan` and verify each with the device's MD5. Resolves with a summary only
 * when every region verified (or was already there); otherwise rethrows the failure with
 * `details.summary` listing which regions are verified and which are not.
 */
export async function writePlan(options: WritePlanOptions): Promise<FlashSummary> {
  const { plan } = options;
  const { loader } = options;
  const onEvent = options.onEvent ?? loader.onEvent;
  const started = loader.clock.now();
  const flash = options.flash ?? (await prepareFlash(loader, { ...explicitSize(plan), onEvent }));
  if (plan.chip.value !== loader.chip.name) {
    throw new UsageError(
      'flash/chip-mismatch',
      `the build is for ${plan.chip.value} but the connected chip is ${loader.chip.displayName}`,
      {
        hint: 'Connect the right board, or build for this chip (idf.py set-target) and pass --chip to match.',
        details: { planned: plan.chip.value, connected: loader.chip.name },
      },
    );
  }
  const limit = flashLimit(plan, flash);
  for (const r of plan.regions) {
    if (r.offset + r.size > limit.bytes) {
      throw new UsageError(
        'flash/region-too-large',
        `${r.label ?? r.role} (${r.file}) at ${hex(r.offset)} +${r.size} bytes ends at ${hex(r.offset + r.size)}, beyond the ${flashSizeName(limit.bytes)} flash (${limit.why})`,
        {
          hint: 'Use a partition table that fits this flash, or pass --flash-size if detection is wrong.',
          details: { offset: r.offset, size: r.size, file: r.file, flashSize: limit.bytes },
        },
      );
    }
  }

  const outcomes: RegionOutcome[] = plan.regions.map((r, index) => ({
    index,
    offset: r.offset,
    size: r.size,
    label: r.label,
    role: r.role,
    file: r.file,
    status: 'pending',
    md5: null,
    verified: false,
  }));
  // Check every file before writing anything: a build that changed since planning fails cleanly.
  const contents: Uint8Array[] = [];
  for (const region of plan.regions) contents.push(await loadRegion(region));
  let current = loader;
  const reconnect = options.reconnect;
  const deadline = started + (options.timeLimitMs ?? DEFAULT_FLASH_TIME_LIMIT_MS);
  const expected = new Map<number, { offset: number; size: number; md5: string }>();
  let bytesWritten = 0;
  let restarts = 0;
  let reconnects = 0;
  for (const [index, region] of plan.regions.entries()) {
    const outcome = outcomes[index]!;
    try {
      options.signal?.throwIfAborted();
      const data = plannedBytes({
        region,
        plan,
        bytes: contents[index]!,
        detectedSize: flash.id?.sizeName ?? null,
        secure: current.secureDownloadMode || (options.secureBoot ?? false),
        logger: current.logger,
      });
      const prepared = prepareRegion(current, { offset: region.offset, data });
      expected.set(index, {
        offset: prepared.offset,
        size: prepared.data.length,
        md5: md5Hex(prepared.data, nodeMd5),
      });
      const write: WriteRegionOptions = {
        ...options.resilience,
        onEvent,
        offset: region.offset,
        data,
        index,
        label: region.label,
        role: region.role,
        skipIfMatch: !(options.force ?? false),
        hash: nodeMd5,
        deflate: nodeDeflate,
        deadline,
        ...(reconnect === undefined
          ? {}
          : {
              reconnect: async (request: ReconnectRequest) => {
                current = await reconnect(request);
                return current;
              },
            }),
        ...(options.blockSize === undefined ? {} : { blockSize: options.blockSize }),
        ...(options.compress === undefined ? {} : { compress: options.compress }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      };
      const cache = region.encrypted ? undefined : options.cache;
      const result = cache
        ? await writeFromCache(current, { cache, write })
        : await writeRegion(current, write);
      current = result.loader;
      restarts += result.restarts;
      reconnects += result.reconnects;
      outcome.status = result.status;
      outcome.md5 = result.md5;
      outcome.verified = result.verified;
      if (result.status === 'written') bytesWritten += result.size;
    } catch (err) {
      outcome.status = 'failed';
      // Report only what the device confirms: ask it about every region not known good.
      for (const [i, r] of plan.regions.entries()) {
        if (expected.has(i)) continue;
        try {
          const bytes = plannedBytes({
            region: r,
            plan,
            bytes: contents[i]!,
            detectedSize: flash.id?.sizeName ?? null,
            secure: current.secureDownloadMode || (options.secureBoot ?? false),
          });
          const p = prepareRegion(current, { offset: r.offset, data: bytes });
          expected.set(i, { offset: p.offset, size: p.data.length, md5: md5Hex(p.data, nodeMd5) });
        } catch {
          // a region that cannot even be prepared stays unverified
        }
      }
      if (!options.signal?.aborted) await checkWithDevice(current, outcomes, expected);
      const ms = Math.round(current.clock.now() - started);
      throw withSummary(err, {
        regions: outcomes,
        bytesWritten,
        ms,
        restarts,
        reconnects,
        baud: current.transport.baudRate,
      });
    }
  }
  const ms = Math.round(current.clock.now() - started);
  onEvent({ type: 'done', ms });
  return { regions: outcomes, bytesWritten, ms, restarts, reconnects, baud: current.transport.baudRate };
}

/** Options for {@link plannedBytes}. */
export interface PlannedBytesOptions {
  region: PlanRegion;
  plan: FlashPlan;
  /** The file's contents. */
  bytes: Uint8Array;
  /** Flash size read from the chip (`4MB`), for `--flash-size detect`. */
  detectedSize: string | null;
  /** Secure boot or Secure Download Mode: leave the header alone. */
  secure: boolean;
  logger?: Loader['logger'];
}

/**
 * The exact bytes a region puts on flash (before 4-byte padding): the file, except that the image at
 * the chip's bootloader offset gets the plan's flash mode/freq/size (esptool's rule, PROTOCOL.md §7.4).
 */
export function plannedBytes(options: PlannedBytesOptions): Uint8Array {
  const { region, plan, bytes } = options;
  const chip = chipInfo(plan.chip.value);
  const isBootloader = region.offset === chip.bootloaderOffset && bytes.length >= 8 && bytes[0] === 0xe9;
  if (!isBootloader) return bytes;
  const wantsPatch = [plan.flash.mode.value, plan.flash.freq.value, plan.flash.size.value].some(
    (v) => v !== 'keep',
  );
  if (!wantsPatch) return bytes;
  if (options.secure) {
    options.logger?.warn('Security features enabled: leaving the bootloader flash settings unchanged');
    return bytes;
  }
  return patchFlashParams(bytes, {
    chip: chip.name,
    mode: plan.flash.mode.value,
    freq: plan.flash.freq.value,
    size: plan.flash.size.value,
    detectedSize: options.detectedSize,
    file: region.file,
  }).bytes;
}

/**
 * Fast reflash of one region: only the sectors that differ from what the cache says the device holds
 * (confirmed by one MD5 first), the whole region verified by MD5 after, a full write on any doubt.
 * The verified result is cached for next time.
 */
async function writeFromCache(
  loader: Loader,
  options: { cache: DeviceCache; write: WriteRegionOptions },
): Promise<{
  loader: Loader;
  status: 'written' | 'skipped';
  md5: string;
  verified: boolean;
  size: number;
  restarts: number;
  reconnects: number;
}> {
  const { cache, write } = options;
  const { skipIfMatch, ...engine } = write;
  const r = await fastReflashRegion(loader, {
    ...engine,
    cached: cache.get(write.offset),
    force: !(skipIfMatch ?? true),
  });
  if (r.verified) await cache.put({ offset: r.offset, bytes: r.bytes, md5: r.md5 });
  return {
    loader: r.loader,
    status: r.status === 'skipped' ? 'skipped' : 'written',
    md5: r.md5,
    verified: r.verified,
    size: r.bytesWritten,
    restarts: r.restarts,
    reconnects: r.reconnects,
  };
}
