// One write stream of a region's tail: FLASH_(DEFL_)BEGIN at a sector-aligned point, the DATA blocks
// (each resent with the same seq when the loader rejected it for its checksum or length, which it
// checks before the block touches any state), and the stub's END barrier. Never throws for a broken
// stream: it reports how far the device confirmed, so the caller can restart from there.

import { isEspflashError } from '../../errors.js';
import { packU32 } from '../bytes.js';
import type { Loader } from '../loader.js';
import { DEFAULT_TIMEOUT_MS, OP } from '../opcodes.js';
import { dataBlock } from '../packets.js';
import { compressImage, type DeflateFn, sliceCompressed } from './deflate-blocks.js';
import { announcedEraseSize, flashBegin, ROM_WRITE_BLOCK } from './flash-begin.js';
import { padTo } from './payload.js';
import { deflateBlockTimeout } from './write-region.js';

/** Sends of one block before the stream counts as broken (esptool's WRITE_BLOCK_ATTEMPTS). */
export const BLOCK_ATTEMPTS = 3;

/** Status codes that mean "this block was rejected before it changed anything": safe to resend. */
const RESENDABLE = new Set(['rom/bad-crc', 'stub/bad-data-checksum', 'stub/bad-data-len']);

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
  /** zlib level-9 compressor (default: the portable one; Node passes node:zlib, ~6x faster). */
  deflate?: DeflateFn | undefined;
  /** Region index for progress events. */
  index: number;
  /** Sends per block (default {@link BLOCK_ATTEMPTS}). */
  blockAttempts?: number;
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

interface Block {
  bytes: Uint8Array;
  /** Region bytes this block covers (inflated size for compressed blocks). */
  covers: number;
}

/** Whether a failed command may be resent with the same seq. */
export function isResendable(err: unknown): boolean {
  return isEspflashError(err) && RESENDABLE.has(err.code);
}

/**
 * Write `data[from..]` at `offset + from` as one stream. ROM blocks are written before the reply,
 * so a failure at block k confirms blocks < k; the stub reports a block's error with the next
 * command, so only blocks < k-1 are confirmed.
 */
export async function writeStream(loader: Loader, o: WriteStreamOptions): Promise<WriteStreamResult> {
  const tail = o.data.subarray(o.from);
  const at = o.offset + o.from;
  let blocks: Block[];
  let sizeWord: number;
  let deflated = false;
  const packed = o.compress ? (o.deflate ?? compressImage)(tail) : null;
  if (packed !== null && packed.length < tail.length) {
    deflated = true;
    blocks = sliceCompressed(packed, o.blockSize).blocks.map((b) => ({
      bytes: b.bytes,
      covers: b.inflatedSize,
    }));
    sizeWord = loader.isStub ? tail.length : Math.ceil(tail.length / ROM_WRITE_BLOCK) * ROM_WRITE_BLOCK;
  } else {
    blocks = [];
    for (let s = 0; s < tail.length; s += o.blockSize) {
      const chunk = tail.subarray(s, Math.min(s + o.blockSize, tail.length));
      blocks.push({ bytes: padTo(chunk, o.blockSize), covers: chunk.length });
    }
    sizeWord = announcedEraseSize({
      chip: loader.chip,
      isStub: loader.isStub,
      offset: at,
      size: tail.length,
    });
  }
  const starts: number[] = [];
  let sum = 0;
  for (const b of blocks) {
    starts.push(sum);
    sum += b.covers;
  }
  let wireBytes = 0;
  const broken = (error: unknown, k: number, checksum = false): WriteStreamResult => {
    const firstUnconfirmed = loader.isStub ? Math.max(0, k - 1) : k;
    const confirmed = firstUnconfirmed >= blocks.length ? tail.length : starts[firstUnconfirmed]!;
    const failedAt = o.from + (k >= blocks.length ? tail.length : starts[k]!);
    return { ok: false, error, confirmed, failedAt, checksum, wireBytes };
  };

  try {
    await flashBegin(loader, {
      size: sizeWord,
      blocks: blocks.length,
      blockSize: o.blockSize,
      offset: at,
      compressed: deflated,
    });
  } catch (error) {
    if (o.signal?.aborted) throw error;
    return broken(error, 0);
  }
  const attempts = Math.max(1, o.blockAttempts ?? BLOCK_ATTEMPTS);
  const op = deflated ? OP.FLASH_DEFL_DATA : OP.FLASH_DATA;
  let timeout = DEFAULT_TIMEOUT_MS;
  // The ROM uses up a sequence number on a block whose checksum fails (observed on the ESP32 ROM):
  // its resend goes out under the next number. The stubs ignore the number.
  let wireSeq = 0;
  for (const [seq, blk] of blocks.entries()) {
    o.signal?.throwIfAborted();
    // A plain block is written (and, by the stub, erased) before its reply, like a deflated one: on the
    // real ESP32 stub a 16 KiB plain block at 115200 takes 2.9 s to acknowledge, too close to 3 s.
    const own = deflateBlockTimeout({ inflatedSize: blk.covers, stub: loader.isStub });
    // The stub may ACK at once and work while the next block arrives (wait as long as the previous
    // block), or, as esp-flasher-stub does, write the block before its ACK (wait for this one).
    timeout = loader.isStub ? Math.max(timeout, own) : own;
    for (let attempt = 1; ; attempt++) {
      const packet = dataBlock({ seq: wireSeq, payload: blk.bytes });
      try {
        wireBytes += blk.bytes.length;
        await loader.command({ op, data: packet.data, checksum: packet.checksum, timeoutMs: timeout });
        wireSeq++;
        break;
      } catch (error) {
        if (o.signal?.aborted) throw error;
        if (!loader.isStub && isEspflashError(error) && error.code === 'rom/bad-crc') wireSeq++;
        if (!isResendable(error)) return broken(error, seq);
        if (attempt >= attempts) return broken(error, seq, true);
        loader.onEvent({
          type: 'retry',
          operation: 'write-block',
          attempt: attempt + 1,
          reason: isEspflashError(error) ? error.message : String(error),
          offset: o.offset + o.from + starts[seq]!,
        });
      }
    }
    loader.onEvent({
      type: 'region-progress',
      index: o.index,
      offset: o.offset,
      written: Math.min(o.from + starts[seq]! + blk.covers, o.data.length),
      total: o.data.length,
    });
  }
  // The stub's END reply is the barrier proving the last block reached flash; never END a ROM.
  if (loader.isStub) {
    try {
      await loader.command({
        op: deflated ? OP.FLASH_DEFL_END : OP.FLASH_END,
        data: packU32(1),
        timeoutMs: timeout,
      });
    } catch (error) {
      if (o.signal?.aborted) throw error;
      return broken(error, blocks.length);
    }
  }
  return { ok: true, wireBytes };
}
