// Handlers that read or erase flash: SPI_FLASH_MD5 (ROM ASCII hex, stub raw), the stub's streamed
// READ_FLASH with stop-and-wait acknowledgements and a final MD5 frame, the ROM's 64-byte
// READ_FLASH_SLOW, and the stub's ERASE_FLASH / ERASE_REGION.

import { asciiBytes, readU32, toHex } from '../core/protocol/bytes.js';
import type { HandlerContext, HandlerResult } from './loader-context.js';
import { word } from './loader-context.js';
import { md5 } from './md5.js';
import { planErase, SECTOR_SIZE } from './nor-flash.js';
import { fail, OK, ROM_ERR, STUB_ERR } from './protocol.js';

const BAD_LENGTH = fail(ROM_ERR.INVALID_MESSAGE, STUB_ERR.BAD_DATA_LEN);
/** Largest READ_FLASH packet the stub sends. */
export const READ_FLASH_MAX_PACKET = 0x1000;

/** The flash size a read may reach, or an error status when the flash is unusable. */
function readableSize(ctx: HandlerContext): number | null {
  const { state, device } = ctx;
  if (state.stub) return device.flash.size;
  return state.spiAttached ? state.knownFlashSize : null;
}

export async function handleMd5(ctx: HandlerContext): Promise<HandlerResult> {
  const { request, state, device, signal } = ctx;
  // The observed ESP32 ROM reads only the address and size words.
  const lenient = !state.stub && ctx.quirks.lenientArguments && request.data.length >= 8;
  if (request.data.length !== 16 && !lenient) return { status: BAD_LENGTH };
  if (state.stub) await device.timing.until(state.busyUntil, signal);
  const address = word(request, 0);
  const size = word(request, 1);
  const limit = readableSize(ctx);
  if (limit === null) return { status: fail(ROM_ERR.FAILED_TO_ACT, 0) };
  if (address + size > limit) return { status: fail(ROM_ERR.FLASH_READ, STUB_ERR.FAILED_SPI_OP) };
  const digest = md5(device.flash.view(address, size));
  return { status: OK, payload: state.stub ? digest : asciiBytes(toHex(digest)) };
}

/** ROM READ_FLASH_SLOW: always a 64-byte buffer, the first `length` bytes valid (sent on failure too). */
export async function handleReadSlow(ctx: HandlerContext): Promise<HandlerResult> {
  const { request, device } = ctx;
  if (request.data.length !== 8 && request.data.length !== 16) return { status: BAD_LENGTH };
  const address = word(request, 0);
  const length = word(request, 1);
  if (length > 64) return { status: fail(ROM_ERR.FLASH_READ_LENGTH, 0), bytes: 64 };
  const limit = readableSize(ctx);
  if (limit === null) return { status: fail(ROM_ERR.FAILED_TO_ACT, 0), bytes: 64 };
  if (address + length > limit) return { status: fail(ROM_ERR.FLASH_READ, 0), bytes: 64 };
  // A ROM with a persistent reply buffer rewrites only the bytes asked for; otherwise zero-padded.
  if (ctx.quirks.persistentReplyBuffer)
    return { status: OK, payload: device.flash.read(address, length), bytes: 64 };
  const payload = new Uint8Array(64);
  payload.set(device.flash.read(address, length));
  return { status: OK, payload };
}

/**
 * Stub READ_FLASH(offset, length, packet_size, max_in_flight): reply, then data frames one at a time,
 * each waiting for the host's u32 "bytes received" acknowledgement, then the 16-byte MD5 frame.
 * Like the new stub, max_in_flight is ignored (one packet in flight).
 */
export async function handleReadFlash(ctx: HandlerContext): Promise<HandlerResult> {
  const { request, state, device, signal } = ctx;
  if (request.data.length !== 16) return { status: BAD_LENGTH };
  await device.timing.until(state.busyUntil, signal);
  const address = word(request, 0);
  const length = word(request, 1);
  const packet = word(request, 2);
  if (packet === 0 || packet > READ_FLASH_MAX_PACKET) return { status: fail(0, STUB_ERR.BAD_DATA_LEN) };
  if (address + length > device.flash.size) return { status: fail(0, STUB_ERR.FAILED_SPI_OP) };
  return { status: OK, after: () => streamFlash(ctx, { address, length, packet }) };
}

async function streamFlash(
  ctx: HandlerContext,
  read: { address: number; length: number; packet: number },
): Promise<void> {
  const { device, signal } = ctx;
  const data = device.flash.read(read.address, read.length);
  try {
    let sent = 0;
    while (sent < read.length) {
      const n = Math.min(read.packet, read.length - sent);
      device.sendFrame(data.subarray(sent, sent + n));
      sent += n;
      // Stop-and-wait: only a 4-byte frame acknowledging everything sent so far releases the next one.
      for (;;) {
        const ack = await device.nextFrame(signal);
        if (ack.length === 4 && readU32(ack, 0) >= sent) break;
      }
    }
    device.sendFrame(md5(data));
  } catch {
    // Reset while streaming: the new boot starts clean.
  }
}

export async function handleEraseFlash(ctx: HandlerContext): Promise<HandlerResult> {
  const { request, state, device, signal } = ctx;
  if (request.data.length !== 0) return { status: BAD_LENGTH };
  await device.timing.until(state.busyUntil, signal);
  await device.timing.delay(device.timing.chipEraseMs(device.flash.size), signal);
  device.flash.eraseChip();
  return { status: OK };
}

export async function handleEraseRegion(ctx: HandlerContext): Promise<HandlerResult> {
  const { request, state, device, signal } = ctx;
  if (request.data.length !== 8) return { status: BAD_LENGTH };
  await device.timing.until(state.busyUntil, signal);
  const offset = word(request, 0);
  const size = word(request, 1);
  if (offset % SECTOR_SIZE !== 0 || size % SECTOR_SIZE !== 0)
    return { status: fail(0, state.dialect.eraseUnaligned) };
  if (offset + size > device.flash.size) return { status: fail(0, STUB_ERR.FAILED_SPI_OP) };
  const steps = planErase(offset, offset + size);
  await device.timing.delay(device.timing.eraseMs(steps), signal);
  for (const s of steps) {
    if (s.kind === 'block') device.flash.eraseBlock(s.offset);
    else device.flash.eraseSector(s.offset);
  }
  return { status: OK };
}
