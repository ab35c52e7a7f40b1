// The write engine: write one region of flash and verify it (PROTOCOL.md §2, §6, §8 step 7) so that
// it is never lost. Pad and align for the loader, skip it when the device already holds the bytes,
// stream it (write-stream.ts), and when a stream breaks (deferred stub error, broken compressed
// stream, lost reply, lost port, chip back in its ROM) verify what the device confirmed and restart
// at the first sector that does not verify, reconnecting when the loader is gone and narrowing
// blocks on a noisy link. Without a reconnect hook a lost loader is final: the plain case. Bounded
// by attempts and a deadline; the device's MD5 is the judge. Progress goes to `onEvent`.

import { type ErrorCode, EspflashError } from '../../errors.js';
import type { FlashEventSink } from '../../events.js';
import { canMd5, deviceHolds, flashMd5, md5UnavailableReason } from '../ops/md5-region.js';
import { hex } from '../protocol/bytes.js';
import { type HashFn, md5Hex } from '../protocol/md5.js';
import type { Loader } from '../session/loader.js';
import { type DeflateStream, portableDeflate } from './deflate-blocks.js';
import { FLASH_SECTOR_SIZE, writeBlockSize } from './flash-begin.js';
import { alignStart, padTo } from './payload.js';
import { firstMismatch, sectorFloor } from './verify-scan.js';
import {
  badSectorHint,
  FLASH_FAILURE_HINT,
  fellBackToRom,
  reasonOf,
  wentUnanswered,
  writeFailureKind,
} from './write-failure.js';
import { RegionWriteState, type WriteLimits } from './write-state.js';
import { writeStream } from './write-stream.js';

/** Why a reconnect is asked for. */
export interface ReconnectRequest {
  reason: string;
  /** The failure that led here. */
  error: unknown;
  /** Transfer errors piled up at the current baud: reconnect at a lower one if possible. */
  lowerBaud: boolean;
}

/** Limits and recovery hooks of {@link writeRegion} (all optional). */
export interface ResilienceOptions extends WriteLimits {
  /** Sends per data block before the stream counts as broken (default 3). */
  blockAttempts?: number;
  /** Absolute `loader.clock` time after which no new attempt starts. */
  deadline?: number;
  /** Get a fresh loader (reopen the port, reset, sync, stub). Without it, a lost loader is fatal. */
  reconnect?: (request: ReconnectRequest) => Promise<Loader>;
}

/** Options for {@link writeRegion}. */
export interface WriteRegionOptions extends ResilienceOptions {
  offset: number;
  data: Uint8Array;
  /** Region index, label and role for events and messages. */
  index: number;
  label: string | null;
  role: string;
  /** Where region-start/progress/verified, `retry` and `warning` events go. */
  onEvent: FlashEventSink;
  /** Send FLASH_DEFL_* (default: when the stub runs). Ignored where the loader cannot inflate. */
  compress?: boolean | undefined;
  /** Skip the write when the device's MD5 of the range already matches (default true). */
  skipIfMatch?: boolean | undefined;
  /** MD5 implementation (defaults to the core's; Node passes node:crypto). */
  hash?: HashFn | undefined;
  /** Override the write block size (USB-OTG connections use 0x800). */
  blockSize?: number | undefined;
  /** zlib level-9 stream compressor (default: the portable one; Node passes node:zlib). */
  deflate?: DeflateStream | undefined;
  signal?: AbortSignal | undefined;
}

/** What {@link writeRegion} did. */
export interface WriteRegionResult {
  status: 'written' | 'skipped';
  /** Where the written bytes start (4 KiB aligned down for the ROM). */
  offset: number;
  /** Bytes covered on flash (after padding/alignment). */
  size: number;
  /** MD5 of the bytes now on flash (lower-case hex). */
  md5: string;
  /** Whether the device's MD5 was compared (false only where the loader has no MD5 command). */
  verified: boolean;
  /** Bytes sent over the wire (compressed when compressing; 0 when skipped). */
  wireBytes: number;
  /** The loader in use at the end (a reconnect replaces it). */
  loader: Loader;
  /** Stream restarts and reconnects this region needed. */
  restarts: number;
  reconnects: number;
}

/** The exact bytes a region occupies on flash: tail padded to 4 bytes, ROM starts aligned to 4 KiB. */
export function prepareRegion(
  loader: Pick<Loader, 'isStub'>,
  options: { offset: number; data: Uint8Array },
): { offset: number; data: Uint8Array } {
  const padded = padTo(options.data, 4);
  if (loader.isStub) return { offset: options.offset, data: padded };
  const aligned = alignStart({ offset: options.offset, data: padded, alignment: FLASH_SECTOR_SIZE });
  return { offset: aligned.offset, data: aligned.data };
}

/** Whether a write with these options goes compressed on this loader. */
export function willCompress(
  loader: Pick<Loader, 'isStub' | 'chip'>,
  compress: boolean | undefined,
): boolean {
  if (loader.isStub) return compress ?? true;
  return (compress ?? false) && loader.chip.rom.compressedWrite;
}

/** One region being written: its prepared bytes, their MD5 and the options. */
interface Job {
  o: WriteRegionOptions;
  offset: number;
  data: Uint8Array;
  expected: string;
  name: string;
}

type Attempt = { done: Omit<WriteRegionResult, 'loader' | 'restarts' | 'reconnects'> } | { failure: unknown };

/**
 * Write and verify one region through failures. Emits region-start, region-progress, `retry`
 * events (operation `write-block`, `write-region`, `verify`, `reconnect`), then region-verified or
 * region-skipped. Gives up with `flash/write-failed` (attempts or time exhausted),
 * `flash/connection-lost` (no way back to the chip), `flash/verify-failed` or `flash/bad-sector` (one
 * sector fails at the same place after 3 rewrites: the flash, not the link), each naming the region,
 * the offset reached and what to try.
 */
export async function writeRegion(start: Loader, o: WriteRegionOptions): Promise<WriteRegionResult> {
  let loader = start;
  const { offset, data } = prepareRegion(loader, o);
  const job: Job = { o, offset, data, expected: md5Hex(data, o.hash), name: o.label ?? o.role };
  const state = new RegionWriteState(data.length, o.blockSize ?? writeBlockSize(loader), o);
  let skipChecked = !(o.skipIfMatch ?? true);
  o.onEvent({
    type: 'region-start',
    index: o.index,
    offset,
    size: data.length,
    label: o.label,
    role: o.role,
  });
  for (;;) {
    o.signal?.throwIfAborted();
    let failure: unknown;
    try {
      if (
        !skipChecked &&
        canMd5(loader) &&
        (await deviceHolds(loader, { ...job, md5: job.expected, hash: o.hash }))
      ) {
        o.onEvent({ type: 'region-skipped', index: o.index, offset, reason: 'md5-match' });
        const done = {
          status: 'skipped',
          offset,
          size: data.length,
          md5: job.expected,
          verified: true,
          wireBytes: 0,
        } as const;
        return { ...done, loader, restarts: state.restarts, reconnects: state.reconnects };
      }
      skipChecked = true;
      const attempt = await attemptOnce(loader, job, state);
      if ('done' in attempt)
        return { ...attempt.done, loader, restarts: state.restarts, reconnects: state.reconnects };
      failure = attempt.failure;
    } catch (err) {
      if (o.signal?.aborted) throw err;
      failure = err;
    }
    const kind = writeFailureKind(failure);
    const next = state.failed({
      kind,
      fellBackToRom: fellBackToRom(loader, failure),
      canReconnect: o.reconnect !== undefined,
      pastDeadline: o.deadline !== undefined && loader.clock.now() >= o.deadline,
    });
    if (next.action === 'give-up') {
      const bad = next.code === 'flash/bad-sector' ? state.badSectorAt(offset) : null;
      const why =
        bad === null
          ? next.why
          : `because the sector at ${hex(bad)} does not keep the written bytes (${next.why})`;
      throw giveUp(job, state, {
        code: next.code,
        why,
        cause: failure,
        hint: bad === null ? undefined : badSectorHint(bad),
      });
    }
    o.onEvent({
      type: 'retry',
      operation: next.action === 'reconnect' ? 'reconnect' : next.operation,
      attempt: state.restarts + 1,
      reason: reasonOf(failure),
      offset: offset + state.from,
    });
    if (next.action === 'reconnect') {
      loader = await reconnect(job, state, { failure, lowerBaud: next.lowerBaud });
      state.reconnected({ lowerBaud: next.lowerBaud, maxBlock: o.blockSize ?? writeBlockSize(loader) });
    }
  }
}

/** One attempt: stream from where the state says, then verify. Throws what the loader throws. */
async function attemptOnce(loader: Loader, job: Job, state: RegionWriteState): Promise<Attempt> {
  const { o, offset, data } = job;
  if (!canMd5(loader)) return writeUnverified(loader, job, state);
  const scan = (from: number, to: number) => firstMismatch(loader, { offset, data, from, to, hash: o.hash });
  if (state.rescan) {
    state.rescanned(
      await scan(state.verifiedTo, Math.max(state.verifiedTo, sectorFloor(offset, state.writtenTo))),
    );
  }
  if (state.from < data.length) {
    const r = await writeStream(loader, streamOptions(loader, job, state));
    state.wireBytes += r.wireBytes;
    if (!r.ok) {
      if (r.checksum || wentUnanswered(r.error)) state.narrow();
      state.streamBroke(r.confirmed);
      const kind = writeFailureKind(r.error);
      if (kind !== 'link-lost' && !fellBackToRom(loader, r.error)) {
        // Verify what the device confirmed and resume at its first bad sector.
        const to = sectorFloor(offset, state.from + r.confirmed);
        state.verifiedUpTo(await scan(state.verifiedTo, Math.max(to, state.verifiedTo)));
        if (kind === 'flash-chip') state.sectorFailed();
      }
      return { failure: r.error };
    }
  }
  const actual = await flashMd5(loader, { offset, size: data.length });
  if (actual === job.expected) {
    o.onEvent({ type: 'region-verified', index: o.index, offset, md5: actual, bytesWritten: data.length });
    return {
      done: {
        status: 'written',
        offset,
        size: data.length,
        md5: actual,
        verified: true,
        wireBytes: state.wireBytes,
      },
    };
  }
  const failure = new EspflashError(
    'flash/verify-failed',
    `MD5 of ${job.name} at ${hex(offset)} is ${actual}, expected ${job.expected}`,
    { details: { offset, expected: job.expected, actual } },
  );
  // [0, verifiedTo) was verified sector by sector and nothing rewrote it since. When every sector
  // matches on its own (a damaged MD5 reply), the whole region is simply checked again.
  state.verifyMismatch(await scan(state.verifiedTo, data.length));
  return { failure };
}

/** Where the loader has no MD5 (ESP8266 ROM, Secure Download Mode): one stream, then a warning. */
async function writeUnverified(loader: Loader, job: Job, state: RegionWriteState): Promise<Attempt> {
  const r = await writeStream(loader, streamOptions(loader, job, { from: 0, blockSize: state.blockSize }));
  if (!r.ok) throw r.error;
  job.o.onEvent({
    type: 'warning',
    code: 'flash/unverified',
    message: `${md5UnavailableReason(loader)}: region at ${hex(job.offset)} was written but not verified`,
  });
  return {
    done: {
      status: 'written',
      offset: job.offset,
      size: job.data.length,
      md5: job.expected,
      verified: false,
      wireBytes: r.wireBytes,
    },
  };
}

function streamOptions(loader: Loader, job: Job, at: { from: number; blockSize: number }) {
  const { o } = job;
  return {
    offset: job.offset,
    data: job.data,
    from: at.from,
    blockSize: at.blockSize,
    compress: willCompress(loader, o.compress),
    deflate: o.deflate ?? portableDeflate,
    index: o.index,
    blockAttempts: o.blockAttempts,
    onEvent: o.onEvent,
    signal: o.signal,
  };
}

/** Ask for a fresh loader; no hook or a failed reconnect is `flash/connection-lost`. */
async function reconnect(
  job: Job,
  state: RegionWriteState,
  r: { failure: unknown; lowerBaud: boolean },
): Promise<Loader> {
  const hook = job.o.reconnect;
  if (!hook)
    throw giveUp(job, state, {
      code: 'flash/connection-lost',
      why: 'and the loader cannot be reached again',
      cause: r.failure,
    });
  try {
    return await hook({ reason: reasonOf(r.failure), error: r.failure, lowerBaud: r.lowerBaud });
  } catch (err) {
    if (job.o.signal?.aborted) throw err;
    throw giveUp(job, state, { code: 'flash/connection-lost', why: 'and reconnecting failed', cause: err });
  }
}

/** The coded give-up error: the region, how far it is verified, the last error and what to try. */
function giveUp(
  job: Job,
  state: RegionWriteState,
  g: { code: ErrorCode; why: string; cause: unknown; hint?: string | undefined },
): EspflashError {
  const { o, offset } = job;
  // A verify failure names both digests.
  const digests =
    g.cause instanceof EspflashError && writeFailureKind(g.cause) === 'verify-mismatch'
      ? { expected: g.cause.details.expected, actual: g.cause.details.actual }
      : {};
  return new EspflashError(
    g.code,
    `Writing region ${o.index} (${job.name}) at ${hex(offset)} failed ${g.why}; ${hex(offset + state.verifiedTo)} onwards is not verified (last error: ${reasonOf(g.cause)})`,
    {
      hint: g.hint ?? FLASH_FAILURE_HINT,
      cause: g.cause,
      details: {
        operation: 'write',
        index: o.index,
        label: o.label,
        role: o.role,
        offset,
        size: job.data.length,
        failedAt: offset + state.from,
        verifiedBytes: state.verifiedTo,
        restarts: state.restarts,
        reconnects: state.reconnects,
        ...digests,
      },
    },
  );
}
