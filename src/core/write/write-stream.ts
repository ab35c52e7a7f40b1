// One write stream of a region's tail: FLASH_(DEFL_)BEGIN at a sector-aligned point, the DATA blocks
// (a block the loader rejected for its checksum or length is resent; the ESP32 ROM used up its
// sequence number, the stubs did not), and the stub's END barrier. Never throws for a broken stream:
// it reports how far the device confirmed, so the engine can restart from there.

import { isEspflashError } from '../../errors.js';
import type { FlashEventSink } from '../../events.js';
import { packU32, writeU32 } from '../protocol/bytes.js';
import { DEFAULT_TIMEOUT_MS, ERASE_MS_PER_MB, MAX_TIMEOUT_MS, OP } from '../protocol/opcodes.js';
import { dataChecksum } from '../protocol/packets.js';
import type { Loader } from '../session/loader.js';
import type { DeflateStream } from './deflate-blocks.js';
import { flashBegin } from './flash-begin.js';
import { planBlocks } from './write-blocks.js';
import { writeFailureKind } from './write-failure.js';

/** Sends of one block before the stream counts as broken (esptool's WRITE_BLOCK_ATTEMPTS). */
export const BLOCK_ATTEMPTS = 3;

/**
 * Reply timeout of one DATA block that puts `inflatedSize` bytes on flash: 40 s per MB, plus (stub)
 * the erase it may trigger, `(ceil(size / 32 KiB) + 1) × 64 KiB`; at least 3 s.
 */
export function deflateBlockTimeout(options: { inflatedSize: number; stub: boolean }): number {
  const erase = options.stub ? (Math.ceil(options.inflatedSize / 0x8000) + 1) * 0x10000 : 0;
  const scaled = Math.ceil((ERASE_MS_PER_MB * (options.inflatedSize + erase)) / 1_000_000);
  return Math.min(Math.max(DEFAULT_TIMEOUT_MS, scaled), MAX_TIMEOUT_MS);
}

/**
 * Where one stream stands: the wire sequence number, the block being sent and where it starts, the
 * reply timeout and the bytes sent. ROM blocks are written before the reply, so a failure at block k
 * confirms blocks < k; the stub reports a block's error with the next command, so only blocks < k-1.
 */
export class StreamState {
  /** Sequence number the next DATA send carries. */
  seq = 0;
  /** Index of the block being sent (the block count once all were accepted). */
  block = 0;
  /** Stream-relative start of the block being sent, and of the block before it. */
  start = 0;
  previousStart = 0;
  timeout = DEFAULT_TIMEOUT_MS;
  wireBytes = 0;

  constructor(private readonly stub: boolean) {}

  /**
   * The reply timeout for the next block. The ROM writes a block before its reply; the stub may ACK
   * at once and work while the next block arrives (wait as long as the previous one), or, as
   * esp-flasher-stub does, write it first (wait for this one): the longer of the two.
   */
  timeoutFor(covers: number): number {
    const own = deflateBlockTimeout({ inflatedSize: covers, stub: this.stub });
    this.timeout = this.stub ? Math.max(this.timeout, own) : own;
    return this.timeout;
  }

  /** The block covering `covers` bytes was acknowledged. */
  accepted(covers: number): void {
    this.seq++;
    this.block++;
    this.previousStart = this.start;
    this.start += covers;
  }

  /** The block was refused: the ESP32 ROM uses up the number of a block whose checksum failed. */
  rejected(err: unknown): void {
    if (!this.stub && isEspflashError(err) && err.code === 'rom/bad-crc') this.seq++;
  }

  /** Stream bytes the device confirmed written if the stream breaks now (a prefix; a lower bound). */
  confirmed(): number {
    if (!this.stub) return this.start;
    return this.block === 0 ? 0 : this.previousStart;
  }
}

/**
 * The data field of one DATA send (`len, seq, 0, 0` + payload) built in `buffer`, which every block
 * of the stream reuses: the loader frames it before the next block is built.
 */
export function dataField(buffer: Uint8Array, seq: number, payload: Uint8Array): Uint8Array {
  writeU32(buffer, 0, payload.length);
  writeU32(buffer, 4, seq);
  writeU32(buffer, 8, 0);
  writeU32(buffer, 12, 0);
  buffer.set(payload, 16);
  return buffer.subarray(0, 16 + payload.length);
}

/** Options for {@link writeStream}. */
export interface WriteStreamOptions {
  /** Absolute flash address of the region's first byte. */
  offset: number;
  /** All of the region's bytes (already padded/aligned). */
  data: Uint8Array;
  /** Where this stream starts, relative to `offset`; `offset + from` must be 4 KiB aligned. */
  from: number;
  blockSize: number;
  compress: boolean;
  deflate: DeflateStream;
  /** Region index for progress events. */
  index: number;
  /** Sends per block (default {@link BLOCK_ATTEMPTS}). */
  blockAttempts?: number | undefined;
  onEvent: FlashEventSink;
  signal?: AbortSignal | undefined;
}

/** Outcome of {@link writeStream}. */
export type WriteStreamResult =
  | { ok: true; wireBytes: number }
  | {
      ok: false;
      error: unknown;
      /** Bytes after `from` the device confirmed written (a lower bound; prefix only). */
      confirmed: number;
      /** The failing block's first byte, relative to the region. */
      failedAt: number;
      /** The failure was a block rejected for its checksum on every send (a noisy link). */
      checksum: boolean;
      wireBytes: number;
    };

/** Write `data[from..]` at `offset + from` as one stream. Throws only when the signal aborts. */
export async function writeStream(loader: Loader, o: WriteStreamOptions): Promise<WriteStreamResult> {
  const tail = o.data.subarray(o.from);
  const plan = await planBlocks(loader, {
    bytes: tail,
    at: o.offset + o.from,
    blockSize: o.blockSize,
    compress: o.compress,
    deflate: o.deflate,
  });
  const state = new StreamState(loader.isStub);
  const broken = (error: unknown, checksum = false): WriteStreamResult => {
    if (o.signal?.aborted) throw error;
    const failedAt = o.from + state.start;
    return { ok: false, error, confirmed: state.confirmed(), failedAt, checksum, wireBytes: state.wireBytes };
  };

  try {
    await flashBegin(loader, {
      size: plan.sizeWord,
      blocks: plan.count,
      blockSize: o.blockSize,
      offset: o.offset + o.from,
      compressed: plan.deflated,
    });
  } catch (error) {
    return broken(error);
  }
  const attempts = Math.max(1, o.blockAttempts ?? BLOCK_ATTEMPTS);
  const op = plan.deflated ? OP.FLASH_DEFL_DATA : OP.FLASH_DATA;
  const field = new Uint8Array(16 + o.blockSize);
  for await (const block of plan.blocks()) {
    o.signal?.throwIfAborted();
    // A plain block is written (and, by the stub, erased) before its reply, like a deflated one: on the
    // real ESP32 stub a 16 KiB plain block at 115200 takes 2.9 s to acknowledge, too close to 3 s.
    const timeoutMs = state.timeoutFor(block.covers);
    const checksum = dataChecksum(block.bytes);
    for (let attempt = 1; ; attempt++) {
      const data = dataField(field, state.seq, block.bytes);
      try {
        state.wireBytes += block.bytes.length;
        await loader.command({ op, data, checksum, timeoutMs });
        break;
      } catch (error) {
        if (o.signal?.aborted) throw error;
        state.rejected(error);
        if (writeFailureKind(error) !== 'rejected-block') return broken(error);
        if (attempt >= attempts) return broken(error, true);
        o.onEvent({
          type: 'retry',
          operation: 'write-block',
          attempt: attempt + 1,
          reason: isEspflashError(error) ? error.message : String(error),
          offset: o.offset + o.from + state.start,
        });
      }
    }
    state.accepted(block.covers);
    o.onEvent({
      type: 'region-progress',
      index: o.index,
      offset: o.offset,
      written: Math.min(o.from + state.start, o.data.length),
      total: o.data.length,
    });
  }
  // The stub's END reply is the barrier proving the last block reached flash; never END a ROM.
  if (loader.isStub) {
    try {
      await loader.command({
        op: plan.deflated ? OP.FLASH_DEFL_END : OP.FLASH_END,
        data: packU32(1),
        timeoutMs: state.timeout,
      });
    } catch (error) {
      return broken(error);
    }
  }
  return { ok: true, wireBytes: state.wireBytes };
}
