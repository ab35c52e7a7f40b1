// Compression for FLASH_DEFL_* (PROTOCOL.md §6): the whole image deflated once as a zlib stream
// (level 9), sliced into write blocks, and each block's inflated size found by streaming inflate.

import { constants, deflate, Inflate } from 'pako';

/** One compressed block ready to send. */
export interface DeflatedBlock {
  /** Compressed bytes (the last block is not padded). */
  bytes: Uint8Array;
  /** How many image bytes this block inflates to on the device. */
  inflatedSize: number;
}

/** The compressed image as blocks. */
export interface DeflatedImage {
  compressedSize: number;
  blocks: DeflatedBlock[];
}

/** A zlib compressor (level 9): the portable one below, or a faster native one injected by Node code. */
export type DeflateFn = (data: Uint8Array) => Uint8Array;

/** zlib-compress `data` at level 9 (one stream for the whole image). */
export function compressImage(data: Uint8Array): Uint8Array {
  return deflate(data, { level: 9 });
}

/**
 * Slice `compressed` into `blockSize` chunks and measure each chunk's inflated size by feeding the
 * chunks through one streaming inflater, the way the device will see them.
 */
export function sliceCompressed(compressed: Uint8Array, blockSize: number): DeflatedImage {
  const inflater = new Inflate();
  let produced = 0;
  inflater.onData = (chunk) => {
    produced += (chunk as Uint8Array).length;
  };
  const blocks: DeflatedBlock[] = [];
  for (let at = 0; at < compressed.length; at += blockSize) {
    const bytes = compressed.subarray(at, Math.min(at + blockSize, compressed.length));
    const before = produced;
    // A sync flush makes the inflater hand over everything this block produced (no 64 KiB batching).
    inflater.push(bytes, constants.Z_SYNC_FLUSH);
    blocks.push({ bytes, inflatedSize: produced - before });
  }
  return { compressedSize: compressed.length, blocks };
}
