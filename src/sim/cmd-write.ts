// FLASH_BEGIN/DATA/END and FLASH_DEFL_BEGIN/DATA/END for both loaders. ROM: erase everything up
// front, write each block before replying, read back and compare. Stub: reply first, erase just in
// time and write in the background, report failures on the next DATA or END (deferred errors).

import { StreamInflater } from '../core/write/stream-inflater.js';
import { statusForLoader } from './faults.js';
import type { HandlerContext, HandlerResult, LoaderState, WriteSession } from './loader-context.js';
import { word } from './loader-context.js';
import { alignDown, alignUp, BLOCK_SIZE, PAGE_SIZE, planErase, SECTOR_SIZE } from './nor-flash.js';
import { dataChecksum, fail, OK, ROM_ERR, STUB_ERR, type Status } from './protocol.js';

const BAD_LENGTH = fail(ROM_ERR.INVALID_MESSAGE, STUB_ERR.BAD_DATA_LEN);

/** FLASH_BEGIN / FLASH_DEFL_BEGIN. */
export async function handleBegin(ctx: HandlerContext, compressed: boolean): Promise<HandlerResult> {
  const { request, state, device, signal } = ctx;
  // The 5th (`encrypted`) word: the stub takes it; a ROM without encrypted writes (ESP32) rejects it.
  const fifth = state.stub || device.chip.rom.flashBeginEncryptedWord;
  if (request.data.length !== 16 && !(fifth && request.data.length === 20)) return { status: BAD_LENGTH };
  const size = word(request, 0);
  const blockSize = word(request, 2);
  const offset = word(request, 3);
  const session: WriteSession = {
    compressed,
    offset,
    size,
    blockSize,
    nextSeq: 0,
    written: 0,
    inflate: compressed ? new StreamInflater() : null,
    inflated: new Uint8Array(compressed ? 0x10000 : 0),
    eraseCursor: alignDown(offset, SECTOR_SIZE),
    eraseEnd: alignUp(offset + size, SECTOR_SIZE),
    excess: false,
  };
  if (state.stub) {
    await device.timing.until(state.busyUntil, signal);
    const max = state.dialect.maxBlockSize;
    if (max !== null && blockSize > max)
      return { status: fail(ROM_ERR.INVALID_MESSAGE, STUB_ERR.BAD_BLOCKSIZE) };
    if (offset + size > device.flash.size)
      return { status: fail(ROM_ERR.FAILED_TO_ACT, STUB_ERR.FAILED_SPI_OP) };
    state.deferred = null;
    state.write = session;
    return { status: OK };
  }
  // ESP8266 ROM: FLASH_BEGIN is also how the flash gets attached (it has no SPI_ATTACH).
  if (device.chip.name === 'esp8266') state.spiAttached = true;
  if (!state.spiAttached) return { status: fail(ROM_ERR.FAILED_TO_ACT, 0) };
  if (size > 0) {
    if (offset % SECTOR_SIZE !== 0) return { status: fail(ROM_ERR.FAILED_TO_ACT, 0) };
    const end = offset + romEraseLength({ chip: device.chip.name, offset, size });
    if (end > state.knownFlashSize) return { status: fail(ROM_ERR.FAILED_TO_ACT, 0) };
    const steps = planErase(offset, end);
    await device.timing.delay(device.timing.eraseMs(steps), signal);
    for (const s of steps) {
      if (s.kind === 'block') device.flash.eraseBlock(s.offset);
      else device.flash.eraseSector(s.offset);
    }
  }
  state.write = session;
  return { status: OK };
}

/**
 * Bytes the ROM erases for an erase_size word. The ESP8266 ROM miscounts: it erases the sectors up
 * to the next 64 KiB boundary twice over (esptool's get_erase_size compensates for exactly this).
 */
export function romEraseLength(options: { chip: string; offset: number; size: number }): number {
  const sectors = Math.ceil(options.size / SECTOR_SIZE);
  if (options.chip !== 'esp8266') return sectors * SECTOR_SIZE;
  const perBlock = BLOCK_SIZE / SECTOR_SIZE;
  const head = Math.min(perBlock - (Math.floor(options.offset / SECTOR_SIZE) % perBlock), sectors);
  return (sectors + head) * SECTOR_SIZE;
}

/**
 * FLASH_DATA / FLASH_DEFL_DATA. The ROM checks the sequence number and the block length first and
 * counts the block as taken before its checksum is checked (a corrupt block still uses up its
 * number); it does not limit the total. The stubs ignore the sequence number.
 */
export async function handleData(ctx: HandlerContext, compressed: boolean): Promise<HandlerResult | null> {
  const { request, state, device, signal } = ctx;
  if (state.stub) {
    await device.timing.until(state.busyUntil, signal);
    if (state.deferred) return { status: state.deferred };
  }
  const session = state.write;
  if (!session || session.compressed !== compressed) {
    return { status: fail(ROM_ERR.FAILED_TO_ACT, STUB_ERR.NOT_IN_FLASH_MODE) };
  }
  if (request.data.length < 16) return { status: BAD_LENGTH };
  const len = word(request, 0);
  const seq = word(request, 1);
  const payload = request.data.subarray(16);
  if (payload.length !== len) return { status: BAD_LENGTH };
  if (!state.stub) {
    if (seq !== session.nextSeq || len > session.blockSize)
      return { status: fail(ROM_ERR.INVALID_MESSAGE, 0) };
    session.nextSeq = seq + 1;
  }
  if (request.checksum !== dataChecksum(payload)) {
    return { status: fail(ROM_ERR.BAD_CRC, STUB_ERR.BAD_DATA_CHECKSUM) };
  }
  if (!state.stub && session.inflate && streamEnded(session.inflate) && ctx.quirks.hangsAfterStreamEnd) {
    state.hung = true;
    return null;
  }
  // An injected status fault: the block is not written; immediate codes leave the sequence where it was.
  const injected = device.faults.failBlock(seq)
    ? statusForLoader(device.faults.config.statusErrorOnBlock?.code, state.stub)
    : null;
  const injectedStatus = injected && fail(injected.bytes[1], injected.bytes[0]);
  if (injected?.immediate) {
    // Like a real corrupt block, an injected checksum error uses up the ROM's sequence number.
    if (!state.stub)
      session.nextSeq = injectedStatus!.ok || injectedStatus!.rom !== ROM_ERR.BAD_CRC ? seq : seq + 1;
    return { status: injectedStatus! };
  }
  session.nextSeq = seq + 1;
  if (state.stub) {
    // Acknowledge now; the write happens while the host sends the next block.
    const started = Math.max(device.timing.clock.now(), state.busyUntil);
    const { ms, status } = injectedStatus ? { ms: 0, status: injectedStatus } : stubWrite(ctx, payload);
    state.busyUntil = started + ms;
    if (!status.ok) state.deferred = status;
    return { status: OK };
  }
  return { status: await romWrite(ctx, payload) };
}

/** Whether the zlib stream behind `inflate` has ended. */
function streamEnded(inflate: StreamInflater): boolean {
  return inflate.ended;
}

/** ROM: inflate if needed, write, read back; reply after the write. */
async function romWrite(ctx: HandlerContext, payload: Uint8Array): Promise<Status> {
  const { state, device, signal } = ctx;
  const session = state.write!;
  const chunks = session.inflate ? inflateChunk(session, payload) : [payload];
  if (chunks === null) return fail(ROM_ERR.DEFLATE, 0);
  let ok = true;
  for (const data of chunks) {
    const at = session.offset + session.written;
    if (at + data.length > state.knownFlashSize) return fail(ROM_ERR.FLASH_WRITE, 0);
    await device.timing.delay(device.timing.programMs(at, data.length), signal);
    if (!device.flash.program(at, data).verified) ok = false;
    session.written += data.length;
  }
  return ok ? OK : fail(ROM_ERR.FLASH_WRITE, 0);
}

/** Stub: inflate, erase just in time, program; returns the busy time and any (deferred) error. */
function stubWrite(ctx: HandlerContext, payload: Uint8Array): { ms: number; status: Status } {
  const { state, device } = ctx;
  const session = state.write!;
  const chunks = session.inflate ? inflateChunk(session, payload) : [payload];
  if (chunks === null) return { ms: 0, status: fail(0, STUB_ERR.INFLATE_ERROR) };
  // Compressed data past the end of the zlib stream is dropped.
  if (session.inflate && chunks.length === 0 && payload.length > 0) session.excess = true;
  let ms = 0;
  for (const chunk of chunks) {
    const remaining = session.size - session.written;
    // Data beyond the announced size (padding of the last block, or more) is dropped.
    if (chunk.length > remaining) session.excess = true;
    const data = chunk.length > remaining ? chunk.subarray(0, Math.max(0, remaining)) : chunk;
    if (data.length === 0) continue;
    const at = session.offset + session.written;
    ms += eraseAhead(ctx, session, at + data.length);
    ms += device.timing.programMs(at, data.length);
    device.flash.program(at, data);
    session.written += data.length;
  }
  return { ms, status: OK };
}

/**
 * A reset lands while this DATA block is being programmed: only the whole 256-byte pages in the first
 * half of its (inflated) data reach the flash; the session is not advanced (the chip is rebooting).
 */
export function programPartially(ctx: HandlerContext): void {
  const { state, device, request } = ctx;
  const session = state.write;
  if (!session || request.data.length < 16) return;
  const chunks = session.inflate
    ? inflateChunk(session, request.data.subarray(16))
    : [request.data.subarray(16)];
  if (!chunks) return;
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let n = 0;
  for (const c of chunks) {
    all.set(c, n);
    n += c.length;
  }
  const data = all.subarray(0, Math.max(0, Math.min(all.length, session.size - session.written)));
  const at = session.offset + session.written;
  const half = Math.max(0, alignDown(at + Math.floor(data.length / 2), PAGE_SIZE) - at);
  if (half === 0) return;
  if (state.stub) eraseAhead(ctx, session, at + half);
  device.flash.program(at, data.subarray(0, half));
}

/** Erase sectors (or whole 64 KiB blocks where possible) until `upTo` is covered. */
function eraseAhead(ctx: HandlerContext, session: WriteSession, upTo: number): number {
  const { device } = ctx;
  let ms = 0;
  while (session.eraseCursor < Math.min(upTo, session.eraseEnd)) {
    const at = session.eraseCursor;
    const block = at % BLOCK_SIZE === 0 && session.eraseEnd - at >= BLOCK_SIZE;
    if (block) device.flash.eraseBlock(at);
    else device.flash.eraseSector(at);
    ms += device.timing.eraseMs([{ kind: block ? 'block' : 'sector', offset: at }]);
    session.eraseCursor += block ? BLOCK_SIZE : SECTOR_SIZE;
  }
  return ms;
}

/**
 * Feed one compressed block to the session's streaming inflater; null on a corrupt stream. The
 * output lands in one buffer the session reuses for every block (programmed before the next one).
 */
function inflateChunk(session: WriteSession, payload: Uint8Array): Uint8Array[] | null {
  const inflate = session.inflate!;
  // After the end of the zlib stream, further input is ignored; the sim does the same.
  if (inflate.ended) return [];
  let n = 0;
  const produced = inflate.push(payload, (piece) => {
    if (n + piece.length > session.inflated.length) {
      const grown = new Uint8Array(Math.max(2 * session.inflated.length, n + piece.length));
      grown.set(session.inflated.subarray(0, n));
      session.inflated = grown;
    }
    session.inflated.set(piece, n);
    n += piece.length;
  });
  if (produced === null) return null;
  return n === 0 ? [] : [session.inflated.subarray(0, n)];
}

/**
 * FLASH_END / FLASH_DEFL_END. ROM: 0 reboots, 1 runs the app (without a session it fails with 01 06
 * and leaves all the same). Stub: a barrier that ends whichever session is open (esptool ends a
 * compressed write with FLASH_BEGIN(0,0) + FLASH_DEFL_END); 0 resets into the ROM (legacy stub only).
 */
export async function handleEnd(ctx: HandlerContext, compressed: boolean): Promise<HandlerResult> {
  const { request, state, device, signal } = ctx;
  if (request.data.length !== 4) return { status: BAD_LENGTH };
  const reboot = word(request, 0) === 0;
  if (!state.stub) {
    const status = state.write ? OK : fail(ROM_ERR.FAILED_TO_ACT, 0);
    state.write = null;
    return { status, after: reboot ? () => device.softwareReset() : () => device.runUserCode() };
  }
  await device.timing.until(state.busyUntil, signal);
  const status = stubEndStatus(state, compressed);
  if (!status.ok) return { status };
  state.write = null;
  return reboot && state.dialect.endZeroReboots
    ? { status: OK, after: () => device.softwareReset() }
    : { status: OK };
}

function stubEndStatus(state: LoaderState, compressed: boolean): Status {
  const { dialect } = state;
  if (state.deferred) {
    const inflateError = !state.deferred.ok && state.deferred.stub === STUB_ERR.INFLATE_ERROR;
    return inflateError ? fail(0, dialect.deflEndInflateError) : state.deferred;
  }
  const session = state.write;
  if (!session) return fail(0, STUB_ERR.NOT_IN_FLASH_MODE);
  if (session.written < session.size) return fail(0, dialect.endNotEnoughData);
  if (compressed && session.compressed && session.excess && dialect.deflEndTooMuch) {
    return fail(0, dialect.deflEndTooMuch);
  }
  return OK;
}
