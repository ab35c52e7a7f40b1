// Handlers for the loader's housekeeping commands: SYNC, READ_REG/WRITE_REG, SPI_SET_PARAMS,
// SPI_ATTACH, CHANGE_BAUDRATE, GET_SECURITY_INFO and the MEM_* RAM upload that starts the stub.

import { bytesEqual, writeU32 } from '../core/protocol/bytes.js';
import type { HandlerContext, HandlerResult } from './loader-context.js';
import { word } from './loader-context.js';
import { recogniseStub } from './loader-dialects.js';
import { dataChecksum, fail, OK, ROM_ERR, ROM_SYNC_VALUE, STUB_ERR, SYNC_PAYLOAD } from './protocol.js';

type Handler = (ctx: HandlerContext) => Promise<HandlerResult | null>;

/** Wrong data length: each loader's own code. */
export const BAD_LENGTH = fail(ROM_ERR.INVALID_MESSAGE, STUB_ERR.BAD_DATA_LEN);

/** SYNC: eight identical replies; ROM value 0x20120707, stub 0. */
export const handleSync: Handler = async ({ request, state }) => {
  if (!bytesEqual(request.data, SYNC_PAYLOAD)) return { status: BAD_LENGTH };
  return { status: OK, value: state.stub ? 0 : ROM_SYNC_VALUE, repeat: 8 };
};

/** Whether the ROM (with lenient argument checks) or the stub takes a data field of `n` bytes. */
function lengthOk(ctx: HandlerContext, n: number, exact: number, romAlso: readonly number[] = []): boolean {
  if (n === exact) return true;
  return !ctx.state.stub && ctx.quirks.lenientArguments && romAlso.includes(n);
}

/** READ_REG: the address word (the observed ESP32 ROM reads the first word of a longer field too). */
export const handleReadReg: Handler = async (ctx) => {
  const { request, device } = ctx;
  const n = request.data.length;
  if (n !== 4 && !(n > 4 && !ctx.state.stub && ctx.quirks.lenientArguments)) return { status: BAD_LENGTH };
  return { status: OK, value: device.registers.read(word(request, 0)) };
};

/** WRITE_REG: one or more 16-byte records (addr, value, mask, delay_us). */
export const handleWriteReg: Handler = async (ctx) => {
  const { request, device, signal, state } = ctx;
  const n = request.data.length;
  const lenient = !state.stub && ctx.quirks.lenientArguments;
  if (!lenient && (n === 0 || n % 16 !== 0)) {
    return { status: fail(ROM_ERR.INVALID_MESSAGE, state.dialect.writeRegBadLength) };
  }
  for (let r = 0; r < Math.floor(n / 16); r++) {
    device.registers.write(word(request, r * 4), word(request, r * 4 + 1), word(request, r * 4 + 2));
    const delayUs = word(request, r * 4 + 3);
    if (delayUs) await device.timing.delay(delayUs / 1000, signal);
  }
  return { status: OK };
};

/** SPI_SET_PARAMS: only total_size matters (the ROM assumes 2 MB until told). */
export const handleSetParams: Handler = async ({ request, state }) => {
  if (request.data.length !== 24)
    return { status: fail(ROM_ERR.INVALID_MESSAGE, state.dialect.spiBadLength) };
  state.knownFlashSize = word(request, 1);
  return { status: OK };
};

/** SPI_ATTACH: 8 bytes to a ROM (hspi_arg + is_legacy word; the observed ESP32 ROM takes 4 too), exactly 4 to the stub. */
export const handleAttach: Handler = async (ctx) => {
  const { request, state } = ctx;
  if (!lengthOk(ctx, request.data.length, state.stub ? 4 : 8, [4])) {
    return { status: fail(ROM_ERR.INVALID_MESSAGE, state.dialect.spiBadLength) };
  }
  state.spiAttached = true;
  return { status: OK };
};

/**
 * CHANGE_BAUDRATE: reply at the old rate, then switch. The sim's ESP32 calibration registers make
 * esptool's crystal correction a no-op, so the requested rate is the rate used.
 */
export const handleChangeBaud: Handler = async ({ request, device }) => {
  if (request.data.length !== 8) return { status: BAD_LENGTH };
  const baud = word(request, 0);
  if (baud < 300 || baud > 5_000_000) return { status: fail(ROM_ERR.INVALID_MESSAGE, STUB_ERR.BAD_DATA_LEN) };
  return { status: OK, after: () => device.setBaud(baud) };
};

/** GET_SECURITY_INFO: flags, crypt count, key purposes, chip id, API version (12 bytes on S2). */
export const handleSecurityInfo: Handler = async ({ request, device }) => {
  if (request.data.length !== 0) return { status: BAD_LENGTH };
  const length = device.chip.securityInfoLength ?? 20;
  const payload = new Uint8Array(length);
  if (device.secureDownload) payload[0] = 1 << 2; // SECURE_DOWNLOAD_ENABLE
  payload[4] = device.flashCryptCnt;
  if (length === 20) {
    writeU32(payload, 12, device.chip.imageChipId ?? 0);
    writeU32(payload, 16, 1);
  }
  return { status: OK, payload };
};

export const handleMemBegin: Handler = async ({ request, state }) => {
  if (request.data.length !== 16) return { status: BAD_LENGTH };
  state.mem = { size: word(request, 0), address: word(request, 3), written: 0, nextSeq: 0 };
  state.memSegments.push({ address: state.mem.address, size: state.mem.size });
  return { status: OK };
};

/**
 * MEM_DATA. ROM: the sequence number is checked and used up before the checksum (like FLASH_DATA)
 * and the total is not limited (the observed ESP32 ROM); a ROM without that quirk and the stub refuse
 * too much data. The bytes land in RAM, where READ_REG can see them.
 */
export const handleMemData: Handler = async (ctx) => {
  const { request, state, device } = ctx;
  const mem = state.mem;
  if (!mem) return { status: fail(ROM_ERR.FAILED_TO_ACT, STUB_ERR.NOT_IN_FLASH_MODE) };
  if (request.data.length < 16) return { status: BAD_LENGTH };
  const len = word(request, 0);
  const payload = request.data.subarray(16);
  if (payload.length !== len) return { status: BAD_LENGTH };
  const romOrder = !state.stub && ctx.quirks.persistentReplyBuffer;
  if (romOrder) {
    if (word(request, 1) !== mem.nextSeq)
      return { status: fail(ROM_ERR.INVALID_MESSAGE, STUB_ERR.BAD_DATA_LEN) };
    mem.nextSeq++;
  }
  if (request.checksum !== dataChecksum(payload)) {
    return { status: fail(ROM_ERR.BAD_CRC, STUB_ERR.BAD_DATA_CHECKSUM) };
  }
  if (!romOrder) {
    if (word(request, 1) !== mem.nextSeq)
      return { status: fail(ROM_ERR.INVALID_MESSAGE, STUB_ERR.BAD_DATA_LEN) };
    if (mem.written + len > mem.size)
      return { status: fail(ROM_ERR.INVALID_MESSAGE, STUB_ERR.TOO_MUCH_DATA) };
    mem.nextSeq++;
  }
  const start = mem.address + mem.written;
  state.memRegions.push({ start, end: start + len });
  for (let i = 0; i + 4 <= len && start % 4 === 0; i += 4) {
    const w = payload[i]! | (payload[i + 1]! << 8) | (payload[i + 2]! << 16) | (payload[i + 3]! << 24);
    device.registers.write(start + i, w >>> 0);
  }
  mem.written += len;
  return { status: OK };
};

/**
 * MEM_END(flag, entry): flag 0 jumps to `entry`. The sim cannot run code: an entry inside uploaded
 * RAM is taken to be a flasher stub (reply, then `OHAI`), the legacy esptool stub when its entry and
 * text length are known (loader-dialects.ts), else esp-flasher-stub; anywhere else the CPU faults.
 */
export const handleMemEnd: Handler = async ({ request, state, device }) => {
  if (request.data.length !== 8) return { status: BAD_LENGTH };
  const mem = state.mem;
  if (state.stub && !mem && state.dialect.memEndNeedsBegin) {
    return { status: fail(ROM_ERR.FAILED_TO_ACT, STUB_ERR.NOT_IN_FLASH_MODE) };
  }
  if (mem && mem.written < mem.size) return { status: fail(ROM_ERR.FAILED_TO_ACT, STUB_ERR.NOT_ENOUGH_DATA) };
  state.mem = null;
  if (word(request, 0) !== 0) return { status: OK };
  const entry = word(request, 1);
  const inside = state.memRegions.some((r) => entry >= r.start && entry < r.end);
  const text = state.memSegments.find((m) => entry >= m.address && entry < m.address + m.size);
  const dialect = recogniseStub(device.chip.name, entry, text?.size ?? 0);
  return {
    status: OK,
    after: inside
      ? () => device.startStub(dialect)
      : () => device.crash(`jump to 0x${entry.toString(16).padStart(8, '0')} outside uploaded RAM`),
  };
};
