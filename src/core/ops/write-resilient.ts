// Write one region so that it is never lost: stream it, and when the stream breaks (deferred stub
// error, broken compressed stream, lost reply, lost port, chip back in its ROM) find the first sector
// that does not verify and restart there with the rest recompressed, reconnecting when the loader is
// gone and narrowing blocks on a noisy link. Bounded by attempts and a deadline; MD5 is the judge.

import { type ErrorCode, EspflashError, errorKind, isEspflashError } from '../../errors.js';
import { hex } from '../bytes.js';
import type { Loader } from '../loader.js';
import { type HashFn, md5Hex } from '../md5.js';
import type { DeflateFn } from './deflate-blocks.js';
import { ROM_WRITE_BLOCK, writeBlockSize } from './flash-begin.js';
import { canMd5, deviceHolds, flashMd5, md5UnavailableReason } from './md5-region.js';
import { firstMismatch, sectorFloor } from './verify-scan.js';
import { prepareRegion, type WriteRegionResult, willCompress } from './write-region.js';
import { BLOCK_ATTEMPTS, writeStream } from './write-stream.js';

/** What to try when a flash keeps failing (shared by every give-up error). */
export const FLASH_FAILURE_HINT =
  'Check the USB cable and hub (a short cable straight into the computer, or a powered hub); try a lower --baud (e.g. --baud 115200); in a VM, USB passthrough often drops bytes: serve the port from the host (esp_rfc2217_server) and use --port rfc2217://<host>:<port>; if the chip does not enter download mode, hold BOOT while it resets.';

/**
 * What to try when one sector keeps failing at the same place while the rest of the link works: the
 * flash, not the cable. `sectorAddress` is the absolute address of the failing sector.
 */
export function badSectorHint(sectorAddress: number): string {
  const at = hex(sectorAddress);
  return `The flash chip does not keep the bytes written to the sector at ${at}: it is bad or write-protected. Erase it and retry (espflash erase-region ${at} 0x1000), check the flash supply voltage and --flash-mode (config key flash.mode; try dio); if it persists, the flash chip is worn out or its write protection is set.`;
}

/** Codes of a status that blames the flash chip itself (ROM flash write/read error, stub SPI failure). */
const FLASH_CHIP_FAILURES = new Set([
  'rom/flash-write',
  'rom/flash-read',
  'stub/spi-failed',
  'stub/spi-unlock',
]);

function isFlashChipFailure(err: unknown): boolean {
  return isEspflashError(err) && FLASH_CHIP_FAILURES.has(err.code);
}

/** Why a reconnect is asked for. */
export interface ReconnectRequest {
  reason: string;
  /** The failure that led here. */
  error: unknown;
  /** Transfer errors piled up at the current baud: reconnect at a lower one if possible. */
  lowerBaud: boolean;
}

/** Limits and recovery hooks of {@link writeRegionResilient} (all optional). */
export interface ResilienceOptions {
  /** Sends per data block before the stream counts as broken (default 3). */
  blockAttempts?: number;
  /** Failed attempts in a row without newly verified bytes before giving up (default 8). */
  restarts?: number;
  /** Absolute `loader.clock` time after which no new attempt starts. */
  deadline?: number;
  /** Failed attempts without new verified bytes before the loader is reconnected (default 2). */
  reconnectAfter?: number;
  /** Transfer errors at one baud before asking for a lower one (default 3). */
  lowerBaudAfter?: number;
  /** Get a fresh loader (reopen the port, reset, sync, stub). Without it, a lost loader is fatal. */
  reconnect?: (request: ReconnectRequest) => Promise<Loader>;
}

/** Options for {@link writeRegionResilient}. */
export interface ResilientWriteOptions extends ResilienceOptions {
  offset: number;
  data: Uint8Array;
  index: number;
  label: string | null;
  role: string;
  compress?: boolean;
  skipIfMatch?: boolean;
  hash?: HashFn;
  blockSize?: number;
  /** zlib level-9 compressor (Node passes node:zlib). */
  deflate?: DeflateFn;
  signal?: AbortSignal | undefined;
}

/** {@link WriteRegionResult} plus the loader in use at the end (it changes after a reconnect). */
export interface ResilientWriteResult extends WriteRegionResult {
  loader: Loader;
  /** Stream restarts and reconnects this region needed. */
  restarts: number;
  reconnects: number;
}

/** The port, transport or loader is gone (the code table's `link-lost`): reconnect and resume. */
export function isLinkLost(err: unknown): boolean {
  return errorKind(err) === 'link-lost';
}

/**
 * A block went unanswered while the loader still talks (or stopped after it): on a noisy link the
 * frame was most likely damaged (the stub drops a frame with a broken SLIP escape without a reply),
 * and smaller blocks are less likely to be hit.
 */
function isDamagedFrame(err: unknown): boolean {
  return isEspflashError(err) && err.code.startsWith('timeout/');
}

/** A stub session got a ROM-style status: the chip reset back into its ROM loader. */
export function fellBackToRom(loader: Loader, err: unknown): boolean {
  return loader.isStub && isEspflashError(err) && err.code.startsWith('rom/');
}

function reasonOf(err: unknown): string {
  return isEspflashError(err) ? `${err.code}: ${err.message}` : String(err);
}

/**
 * Write and verify one region through failures. Emits region-start, region-progress, `retry`
 * events (operation `write-block`, `write-region`, `verify`, `reconnect`), then region-verified or
 * region-skipped. Gives up with `flash/write-failed` (attempts or time exhausted),
 * `flash/connection-lost` (no way back to the chip), `flash/verify-failed` or `flash/bad-sector` (one
 * sector fails at the same place after 3 rewrites: the flash, not the link), each naming the region,
 * the offset reached and what to try.
 */
export async function writeRegionResilient(
  start: Loader,
  o: ResilientWriteOptions,
): Promise<ResilientWriteResult> {
  let loader = start;
  const { offset, data } = prepareRegion(loader, o);
  const expected = md5Hex(data, o.hash);
  const name = o.label ?? o.role;
  const maxFruitless = o.restarts ?? 8;
  /** A hard cap besides the deadline: a noisy link makes progress in small steps. */
  const maxRestarts = 4 * maxFruitless + Math.ceil(data.length / 0x4000);
  let fruitless = 0;
  let lastVerified = 0;
  const reconnectAfter = o.reconnectAfter ?? 2;
  const lowerBaudAfter = o.lowerBaudAfter ?? 3;
  let blockSize = o.blockSize ?? writeBlockSize(loader);
  let restarts = 0;
  let reconnects = 0;
  let stalled = 0;
  let transferErrors = 0;
  let wireBytes = 0;
  /** Relative offset up to which the device's bytes are verified by MD5. */
  let verifiedTo = 0;
  /** Where the next stream starts (relative, sector aligned). */
  let from = 0;
  /** Relative end of what some stream got confirmed (worth checking before rewriting). */
  let writtenTo = 0;
  /** After a reconnect: find the first sector in `[verifiedTo, writtenTo)` that differs first. */
  let rescan = false;
  let checkedSkip = !(o.skipIfMatch ?? true);
  /**
   * A sector that keeps failing at the same place after being rewritten (its verify, or the
   * loader's flash write status) does not program: stop early and blame the flash, not the link.
   */
  let badSector = -1;
  let badSectorHits = 0;
  const sectorFailed = (at: number): void => {
    badSectorHits = at === badSector ? badSectorHits + 1 : 1;
    badSector = at;
  };
  loader.onEvent({
    type: 'region-start',
    index: o.index,
    offset,
    size: data.length,
    label: o.label,
    role: o.role,
  });

  const giveUp = (code: ErrorCode, why: string, cause: unknown, hint = FLASH_FAILURE_HINT): EspflashError =>
    new EspflashError(
      code,
      `Writing region ${o.index} (${name}) at ${hex(offset)} failed ${why}; ${hex(offset + verifiedTo)} onwards is not verified (last error: ${reasonOf(cause)})`,
      {
        hint,
        cause,
        details: {
          operation: 'write',
          index: o.index,
          label: o.label,
          role: o.role,
          offset,
          size: data.length,
          failedAt: offset + from,
          verifiedBytes: verifiedTo,
          restarts,
          reconnects,
        },
      },
    );

  for (;;) {
    o.signal?.throwIfAborted();
    let failure: unknown = null;
    try {
      if (!canMd5(loader)) {
        const r = await writeStream(loader, streamOptions(o, { offset, data, from: 0, blockSize, loader }));
        if (!r.ok) throw r.error;
        loader.onEvent({
          type: 'warning',
          code: 'flash/unverified',
          message: `${md5UnavailableReason(loader)}: region at ${hex(offset)} was written but not verified`,
        });
        return {
          status: 'written',
          offset,
          size: data.length,
          md5: expected,
          verified: false,
          wireBytes: r.wireBytes,
          loader,
          restarts,
          reconnects,
        };
      }
      if (!checkedSkip) {
        if (await deviceHolds(loader, { offset, data, md5: expected, hash: o.hash })) {
          loader.onEvent({ type: 'region-skipped', index: o.index, offset, reason: 'md5-match' });
          return {
            status: 'skipped',
            offset,
            size: data.length,
            md5: expected,
            verified: true,
            wireBytes: 0,
            loader,
            restarts,
            reconnects,
          };
        }
        checkedSkip = true;
      }
      if (rescan) {
        const to = Math.max(verifiedTo, sectorFloor(offset, writtenTo));
        verifiedTo = await firstMismatch(loader, { offset, data, from: verifiedTo, to, hash: o.hash });
        from = verifiedTo;
        rescan = false;
      }
      if (from < data.length) {
        const r = await writeStream(loader, streamOptions(o, { offset, data, from, blockSize, loader }));
        wireBytes += r.wireBytes;
        if (!r.ok) {
          failure = r.error;
          if ((r.checksum || isDamagedFrame(r.error)) && blockSize > ROM_WRITE_BLOCK)
            blockSize = Math.max(ROM_WRITE_BLOCK, blockSize >> 1);
          writtenTo = Math.max(writtenTo, from + r.confirmed);
          if (!isLinkLost(r.error) && !fellBackToRom(loader, r.error)) {
            // Verify what the device confirmed and resume at its first bad sector.
            const to = sectorFloor(offset, from + r.confirmed);
            const good = await firstMismatch(loader, {
              offset,
              data,
              from: verifiedTo,
              to: Math.max(to, verifiedTo),
              hash: o.hash,
            });
            if (good > verifiedTo) stalled = 0;
            verifiedTo = Math.max(verifiedTo, good);
            from = verifiedTo;
            if (isFlashChipFailure(r.error)) sectorFailed(from);
          }
        }
      }
      if (failure === null) {
        const actual = await flashMd5(loader, { offset, size: data.length });
        if (actual === expected) {
          loader.onEvent({
            type: 'region-verified',
            index: o.index,
            offset,
            md5: actual,
            bytesWritten: data.length,
          });
          return {
            status: 'written',
            offset,
            size: data.length,
            md5: actual,
            verified: true,
            wireBytes,
            loader,
            restarts,
            reconnects,
          };
        }
        failure = new EspflashError(
          'flash/verify-failed',
          `MD5 of ${name} at ${hex(offset)} is ${actual}, expected ${expected}`,
          {
            details: { offset, expected, actual },
          },
        );
        // [0, verifiedTo) was verified sector by sector and nothing rewrote it since.
        verifiedTo = await firstMismatch(loader, {
          offset,
          data,
          from: verifiedTo,
          to: data.length,
          hash: o.hash,
        });
        // Every sector matched on its own (a damaged MD5 reply): just check the whole region again.
        from = verifiedTo;
        sectorFailed(from);
        writtenTo = verifiedTo;
      }
    } catch (err) {
      if (o.signal?.aborted) throw err;
      failure = err;
    }

    // An attempt failed: count it, emit `retry`, reconnect when the loader is gone or stuck.
    restarts++;
    stalled++;
    fruitless = verifiedTo > lastVerified ? 1 : fruitless + 1;
    lastVerified = Math.max(lastVerified, verifiedTo);
    if (!isLinkLost(failure)) transferErrors++;
    const deadlinePassed = o.deadline !== undefined && loader.clock.now() >= o.deadline;
    const mismatch = isEspflashError(failure) && failure.code === 'flash/verify-failed';
    const flashFailed = mismatch || isFlashChipFailure(failure);
    if (flashFailed && badSector === from && badSectorHits >= 3) {
      throw giveUp(
        'flash/bad-sector',
        `because the sector at ${hex(offset + badSector)} does not keep the written bytes (3 rewrites)`,
        failure,
        badSectorHint(offset + badSector),
      );
    }
    if (fruitless > maxFruitless || restarts > maxRestarts) {
      const why =
        fruitless > maxFruitless
          ? `after ${maxFruitless} attempts in a row without progress`
          : `after ${maxRestarts} restarts`;
      throw giveUp(mismatch ? 'flash/verify-failed' : 'flash/write-failed', why, failure);
    }
    if (deadlinePassed) throw giveUp('flash/write-failed', 'within the time limit', failure);
    const gone = isLinkLost(failure) || fellBackToRom(loader, failure);
    const lost = gone || (stalled > reconnectAfter && o.reconnect !== undefined && !flashFailed);
    loader.onEvent({
      type: 'retry',
      operation: lost ? 'reconnect' : mismatch ? 'verify' : 'write-region',
      attempt: restarts + 1,
      reason: reasonOf(failure),
      offset: offset + from,
    });
    if (!lost) continue;
    if (!o.reconnect)
      throw giveUp('flash/connection-lost', 'and the loader cannot be reached again', failure);
    const lowerBaud = transferErrors >= lowerBaudAfter;
    try {
      loader = await o.reconnect({ reason: reasonOf(failure), error: failure, lowerBaud });
    } catch (err) {
      if (o.signal?.aborted) throw err;
      throw giveUp('flash/connection-lost', 'and reconnecting failed', err);
    }
    reconnects++;
    stalled = 0;
    if (lowerBaud) transferErrors = 0;
    blockSize = Math.min(blockSize, o.blockSize ?? writeBlockSize(loader));
    // Nothing is trusted across a reconnect without checking: find the first sector that differs.
    rescan = true;
  }
}

function streamOptions(
  o: ResilientWriteOptions,
  s: { offset: number; data: Uint8Array; from: number; blockSize: number; loader: Loader },
) {
  return {
    offset: s.offset,
    data: s.data,
    from: s.from,
    blockSize: s.blockSize,
    compress: willCompress(s.loader, o.compress),
    index: o.index,
    blockAttempts: o.blockAttempts ?? BLOCK_ATTEMPTS,
    signal: o.signal,
    deflate: o.deflate,
  };
}
