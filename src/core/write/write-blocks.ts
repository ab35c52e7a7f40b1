// The blocks of one write stream and what its FLASH_(DEFL_)BEGIN announces: plain blocks (the last
// padded with 0xFF) or the compressed stream cut into blocks, chosen like esptool (data that does
// not shrink goes plain). Blocks are produced one at a time from views of the caller's bytes.

import type { Loader } from '../session/loader.js';
import { chunksOf, type DeflateStream, deflatedBlocks, sizeDeflated } from './deflate-blocks.js';
import { announcedEraseSize, ROM_WRITE_BLOCK } from './flash-begin.js';
import { padTo } from './payload.js';

/** One DATA block. */
export interface WriteBlock {
  bytes: Uint8Array;
  /** Bytes of the region this block puts on flash (its inflated size when compressed). */
  covers: number;
}

/** A planned stream: what BEGIN announces, and its blocks in order. */
export interface StreamBlocks {
  deflated: boolean;
  /** BEGIN's size word (stub deflate: exact; ROM deflate: rounded to 0x400; plain: the erase size). */
  sizeWord: number;
  count: number;
  blocks(): Iterable<WriteBlock> | AsyncIterable<WriteBlock>;
}

/** Options for {@link planBlocks}. */
export interface PlanBlocksOptions {
  /** The bytes this stream writes (a block's bytes are valid until the next block is asked for). */
  bytes: Uint8Array;
  /** Absolute address of their first byte. */
  at: number;
  blockSize: number;
  compress: boolean;
  deflate: DeflateStream;
}

function* plainBlocks(bytes: Uint8Array, blockSize: number): Generator<WriteBlock> {
  for (const chunk of chunksOf(bytes, blockSize))
    yield { bytes: padTo(chunk, blockSize), covers: chunk.length };
}

/** Decide plain or deflated, and how the stream's blocks are produced. */
export async function planBlocks(
  loader: Pick<Loader, 'chip' | 'isStub'>,
  o: PlanBlocksOptions,
): Promise<StreamBlocks> {
  const { bytes, blockSize, deflate } = o;
  const sizing = o.compress ? await sizeDeflated(bytes, deflate) : null;
  if (sizing === null || sizing.size >= bytes.length) {
    return {
      deflated: false,
      sizeWord: announcedEraseSize({
        chip: loader.chip,
        isStub: loader.isStub,
        offset: o.at,
        size: bytes.length,
      }),
      count: Math.ceil(bytes.length / blockSize),
      blocks: () => plainBlocks(bytes, blockSize),
    };
  }
  return {
    deflated: true,
    // The ROM wants the size word rounded up to its write block; the stub wants the exact length.
    sizeWord: loader.isStub ? bytes.length : Math.ceil(bytes.length / ROM_WRITE_BLOCK) * ROM_WRITE_BLOCK,
    count: Math.ceil(sizing.size / blockSize),
    blocks: async function* () {
      for await (const b of deflatedBlocks(sizing.kept ?? deflate(chunksOf(bytes)), blockSize))
        yield { bytes: b.bytes, covers: b.inflatedSize };
    },
  };
}
