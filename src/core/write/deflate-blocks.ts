// Compression for FLASH_DEFL_* (PROTOCOL.md §6): one zlib stream (level 9) over the bytes to write,
// produced incrementally. A sizing pass tells FLASH_DEFL_BEGIN the block count; the sending pass
// slices the stream into write blocks and measures what each inflates to with a streaming inflater,
// the way the device sees them. Neither pass holds the whole compressed stream unless it is small.

import { Deflate } from 'pako';
import { StreamInflater } from './stream-inflater.js';

/**
 * A zlib level-9 compressor over a sequence of input chunks: ONE stream, compressed bytes yielded as
 * they come. The same input must give the same bytes every time (zlib does). Node passes node:zlib.
 */
export type DeflateStream = (input: Iterable<Uint8Array>) => AsyncIterable<Uint8Array>;

/** Bytes handed to the compressor at a time. */
export const DEFLATE_INPUT_CHUNK = 0x10000;

/** A sizing pass keeps its output up to this size instead of compressing again to send it. */
export const KEEP_COMPRESSED_BYTES = 2 << 20;

/** `data` in views of `size` bytes (no copies). */
export function* chunksOf(data: Uint8Array, size = DEFLATE_INPUT_CHUNK): Generator<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, Math.min(at + size, data.length));
}

/** The portable compressor (pako). */
export const portableDeflate: DeflateStream = async function* (input) {
  const deflater = new Deflate({ level: 9 });
  const out: Uint8Array[] = [];
  deflater.onData = (chunk) => out.push(chunk as Uint8Array);
  for (const chunk of input) {
    deflater.push(chunk, false);
    yield* out.splice(0);
  }
  deflater.push(new Uint8Array(0), true);
  yield* out.splice(0);
};

/** What the sizing pass found. */
export interface DeflateSizing {
  /** Length of the whole compressed stream. */
  size: number;
  /** The stream itself when it is at most {@link KEEP_COMPRESSED_BYTES}, else null (compress again). */
  kept: Uint8Array[] | null;
}

/** Compress `data` once to learn the stream's length, keeping the bytes only when they are few. */
export async function sizeDeflated(data: Uint8Array, deflate: DeflateStream): Promise<DeflateSizing> {
  let size = 0;
  let kept: Uint8Array[] | null = [];
  for await (const chunk of deflate(chunksOf(data))) {
    size += chunk.length;
    if (kept !== null && size <= KEEP_COMPRESSED_BYTES) kept.push(chunk);
    else kept = null;
  }
  return { size, kept };
}

/** One compressed write block. */
export interface DeflatedBlock {
  /** Compressed bytes (`blockSize`, except the last block, which is not padded). */
  bytes: Uint8Array;
  /** How many bytes this block inflates to on the device. */
  inflatedSize: number;
}

/**
 * Re-cut a compressed stream into `blockSize` blocks and measure each block's inflated size by
 * feeding the blocks through one streaming inflater (a sync flush hands over all it produced). The
 * yielded bytes are valid until the next block is asked for (one buffer is reused).
 */
export async function* deflatedBlocks(
  stream: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  blockSize: number,
): AsyncGenerator<DeflatedBlock> {
  const inflater = new StreamInflater();
  const measured = (bytes: Uint8Array): DeflatedBlock => ({ bytes, inflatedSize: inflater.push(bytes) ?? 0 });
  const block = new Uint8Array(blockSize);
  let fill = 0;
  for await (const chunk of stream) {
    for (let at = 0; at < chunk.length; ) {
      const n = Math.min(blockSize - fill, chunk.length - at);
      block.set(chunk.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === blockSize) {
        yield measured(block);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield measured(block.subarray(0, fill));
}
