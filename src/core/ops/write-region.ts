// Write one region of flash and verify it (PROTOCOL.md §2, §6, §8 step 7): pad, align for the ROM,
// skip when the device already holds the bytes, send FLASH_* or FLASH_DEFL_* blocks, barrier, MD5.

import { EspflashError } from '../../errors.js';
import { hex, packU32 } from '../bytes.js';
import type { Loader } from '../loader.js';
import { type HashFn, md5Hex } from '../md5.js';
import { DEFAULT_TIMEOUT_MS, ERASE_MS_PER_MB, MAX_TIMEOUT_MS, OP } from '../opcodes.js';
import { dataBlock } from '../packets.js';
import { compressImage, type DeflateFn, sliceCompressed } from './deflate-blocks.js';
import {
  announcedEraseSize,
  FLASH_SECTOR_SIZE,
  flashBegin,
  ROM_WRITE_BLOCK,
  writeBlockSize,
} from './flash-begin.js';
import { canMd5, flashMd5, md5UnavailableReason } from './md5-region.js';
import { alignStart, padTo } from './payload.js';

/** Options for {@link writeRegion}. */
export interface WriteRegionOptions {
  offset: number;
  data: Uint8Array;
  /** Send FLASH_DEFL_* (default: when the stub runs). Ignored where the loader cannot inflate. */
  compress?: boolean;
  /** Skip the write when the device's MD5 of the range already matches (default true). */
  skipIfMatch?: boolean;
  /** Region index for events. */
  index: number;
  label: string | null;
  role: string;
  /** MD5 implementation (defaults to the core's; Node passes node:crypto). */
  hash?: HashFn;
  /** Override the write block size (USB-OTG connections use 0x800). */
  blockSize?: number;
  /** zlib level-9 compressor (default: the portable one; Node passes node:zlib). */
  deflate?: DeflateFn;
  signal?: AbortSignal;
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
}

/** The exact bytes a region occupies on flash: tail padded to 4 bytes, ROM starts aligned to 4 KiB. */
export function prepareRegion(
  loader: Pick<Loader, 'isStub'>,
  options: { offset: number; data: Uint8Array },
): {
  offset: number;
  data: Uint8Array;
} {
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

/**
 * Reply timeout of one FLASH_DEFL_DATA block that inflates to `inflatedSize` bytes: 40 s per MB,
 * plus (stub) the erase it may trigger, `(ceil(size / 32 KiB) + 1) × 64 KiB`; at least 3 s.
 */
export function deflateBlockTimeout(options: { inflatedSize: number; stub: boolean }): number {
  const erase = options.stub ? (Math.ceil(options.inflatedSize / 0x8000) + 1) * 0x10000 : 0;
  const scaled = Math.ceil((ERASE_MS_PER_MB * (options.inflatedSize + erase)) / 1_000_000);
  return Math.min(Math.max(DEFAULT_TIMEOUT_MS, scaled), MAX_TIMEOUT_MS);
}

/**
 * Write `data` at `offset` and verify it with the device's MD5. Emits region-start, then either
 * region-skipped or region-progress… region-verified. Throws `flash/verify-failed` on a mismatch.
 */
export async function writeRegion(loader: Loader, options: WriteRegionOptions): Promise<WriteRegionResult> {
  const { index, signal } = options;
  const prepared = prepareRegion(loader, options);
  const { offset, data } = prepared;
  const expected = md5Hex(data, options.hash);
  const verifiable = canMd5(loader);
  loader.onEvent({
    type: 'region-start',
    index,
    offset,
    size: data.length,
    label: options.label,
    role: options.role,
  });

  if ((options.skipIfMatch ?? true) && verifiable) {
    signal?.throwIfAborted();
    const onDevice = await flashMd5(loader, { offset, size: data.length });
    if (onDevice === expected) {
      loader.onEvent({ type: 'region-skipped', index, offset, reason: 'md5-match' });
      return { status: 'skipped', offset, size: data.length, md5: expected, verified: true, wireBytes: 0 };
    }
  }

  const blockSize = options.blockSize ?? writeBlockSize(loader);
  // Like esptool, send data that does not shrink uncompressed.
  const compressed = willCompress(loader, options.compress) ? (options.deflate ?? compressImage)(data) : null;
  const wireBytes =
    compressed !== null && compressed.length < data.length
      ? await writeCompressed(loader, { offset, data, blockSize, index, signal }, compressed)
      : await writePlain(loader, { offset, data, blockSize, index, signal });

  if (!verifiable) {
    loader.onEvent({
      type: 'warning',
      code: 'flash/unverified',
      message: `${md5UnavailableReason(loader)}: region at ${hex(offset)} was written but not verified`,
    });
    return { status: 'written', offset, size: data.length, md5: expected, verified: false, wireBytes };
  }
  const actual = await flashMd5(loader, { offset, size: data.length });
  if (actual !== expected) {
    const name = options.label ?? options.role;
    throw new EspflashError(
      'flash/verify-failed',
      `Verification of region ${index} (${name}) at ${hex(offset)} failed: expected MD5 ${expected}, flash holds ${actual}`,
      {
        hint: 'Retry the flash; if it fails again, lower --baud, check the cable and power, or erase with `espflash erase-flash`.',
        details: {
          index,
          label: options.label,
          role: options.role,
          offset,
          size: data.length,
          expected,
          actual,
        },
      },
    );
  }
  loader.onEvent({ type: 'region-verified', index, offset, md5: actual, bytesWritten: data.length });
  return { status: 'written', offset, size: data.length, md5: actual, verified: true, wireBytes };
}

interface BlockWrite {
  offset: number;
  data: Uint8Array;
  blockSize: number;
  index: number;
  signal: AbortSignal | undefined;
}

/** FLASH_BEGIN + FLASH_DATA blocks (the last one padded with 0xFF); END(1) barrier only for the stub. */
async function writePlain(loader: Loader, w: BlockWrite): Promise<number> {
  const blocks = Math.ceil(w.data.length / w.blockSize);
  const eraseSize = announcedEraseSize({
    chip: loader.chip,
    isStub: loader.isStub,
    offset: w.offset,
    size: w.data.length,
  });
  await flashBegin(loader, {
    size: eraseSize,
    blocks,
    blockSize: w.blockSize,
    offset: w.offset,
  });
  for (let seq = 0; seq < blocks; seq++) {
    w.signal?.throwIfAborted();
    const start = seq * w.blockSize;
    const chunk = padTo(w.data.subarray(start, Math.min(start + w.blockSize, w.data.length)), w.blockSize);
    const block = dataBlock({ seq, payload: chunk });
    const timeoutMs = deflateBlockTimeout({ inflatedSize: w.blockSize, stub: loader.isStub });
    await loader.command({ op: OP.FLASH_DATA, data: block.data, checksum: block.checksum, timeoutMs });
    loader.onEvent({
      type: 'region-progress',
      index: w.index,
      offset: w.offset,
      written: Math.min(start + w.blockSize, w.data.length),
      total: w.data.length,
    });
  }
  // Stub errors are deferred to the next command: END(1) (stay in the stub) is the barrier. Never
  // send END to a ROM: it would run the app.
  if (loader.isStub) await loader.command({ op: OP.FLASH_END, data: packU32(1) });
  return blocks * w.blockSize;
}

/** FLASH_DEFL_BEGIN + FLASH_DEFL_DATA with per-block timeouts; DEFL_END(1) barrier only for the stub. */
async function writeCompressed(loader: Loader, w: BlockWrite, compressed: Uint8Array): Promise<number> {
  const image = sliceCompressed(compressed, w.blockSize);
  // The ROM wants the size word rounded up to its write block; the stub wants the exact length.
  const sizeWord = loader.isStub
    ? w.data.length
    : Math.ceil(w.data.length / ROM_WRITE_BLOCK) * ROM_WRITE_BLOCK;
  await flashBegin(loader, {
    size: sizeWord,
    blocks: image.blocks.length,
    blockSize: w.blockSize,
    offset: w.offset,
    compressed: true,
  });
  let timeout = DEFAULT_TIMEOUT_MS;
  let written = 0;
  for (const [seq, blk] of image.blocks.entries()) {
    w.signal?.throwIfAborted();
    const blockTimeout = deflateBlockTimeout({ inflatedSize: blk.inflatedSize, stub: loader.isStub });
    // The ROM writes a block before it ACKs; the stub ACKs at once and writes while the next block
    // arrives, so each stub block waits as long as the previous block's work.
    if (!loader.isStub) timeout = blockTimeout;
    const block = dataBlock({ seq, payload: blk.bytes });
    await loader.command({
      op: OP.FLASH_DEFL_DATA,
      data: block.data,
      checksum: block.checksum,
      timeoutMs: timeout,
    });
    if (loader.isStub) timeout = blockTimeout;
    written += blk.inflatedSize;
    loader.onEvent({
      type: 'region-progress',
      index: w.index,
      offset: w.offset,
      written: Math.min(written, w.data.length),
      total: w.data.length,
    });
  }
  if (loader.isStub) await loader.command({ op: OP.FLASH_DEFL_END, data: packU32(1), timeoutMs: timeout });
  return image.compressedSize;
}
