// Loader packets (PROTOCOL.md §1.2–§1.4): encode requests (8-byte header, always a checksum word),
// decode responses, read the status bytes for 2- and 4-byte trailers, build *_DATA blocks and SYNC.

import { asciiBytes, concatBytes, packU32, readU16, readU32, toHex, writeU16, writeU32 } from './bytes.js';
import { OP } from './opcodes.js';

/** Seed of the XOR data checksum. */
export const CHECKSUM_SEED = 0xef;

/** One request before SLIP framing. */
export interface CommandPacket {
  op: number;
  /** Data field; empty when omitted. */
  data?: Uint8Array;
  /** Header checksum word (only *_DATA commands fill it; 0 otherwise). */
  checksum?: number;
}

/** Encode a request: `00 op size(u16) checksum(u32) data`. The result is not SLIP-framed. */
export function encodeCommand(packet: CommandPacket): Uint8Array {
  const data = packet.data ?? new Uint8Array(0);
  const out = new Uint8Array(8 + data.length);
  out.set(commandHeader(packet), 0);
  out.set(data, 8);
  return out;
}

/** The 8-byte header of a request (to frame it with its data field without joining them first). */
export function commandHeader(packet: CommandPacket): Uint8Array {
  const size = packet.data?.length ?? 0;
  if (size > 0xffff) throw new RangeError(`data field of ${size} bytes exceeds the u16 size field`);
  const out = new Uint8Array(8);
  out[0] = 0x00;
  out[1] = packet.op & 0xff;
  writeU16(out, 2, size);
  writeU32(out, 4, (packet.checksum ?? 0) >>> 0);
  return out;
}

/** `0xEF` XOR every payload byte (the data block without its 16-byte sub-header). */
export function dataChecksum(payload: Uint8Array): number {
  let sum = CHECKSUM_SEED;
  for (const b of payload) sum ^= b;
  return sum;
}

/** A *_DATA block's data field and header checksum. */
export interface DataBlock {
  /** `len, seq, 0, 0` followed by the payload. */
  data: Uint8Array;
  checksum: number;
}

/** Build the data field of MEM_DATA / FLASH_DATA / FLASH_DEFL_DATA for block `seq`. */
export function dataBlock(options: { seq: number; payload: Uint8Array }): DataBlock {
  return {
    data: concatBytes(packU32(options.payload.length, options.seq, 0, 0), options.payload),
    checksum: dataChecksum(options.payload),
  };
}

/** SYNC data field: `07 07 12 20` + 32 × `55`. */
export function syncData(): Uint8Array {
  const out = new Uint8Array(36).fill(0x55);
  out.set([0x07, 0x07, 0x12, 0x20]);
  return out;
}

/** The unframed SYNC request (44 bytes; 46 on the wire with the two SLIP ENDs). */
export function syncPacket(): Uint8Array {
  return encodeCommand({ op: OP.SYNC, data: syncData() });
}

/** A response frame split into its header fields. */
export interface DecodedResponse {
  op: number;
  /** Header `value` (READ_REG result, SYNC value). */
  value: number;
  /** Everything after the 8-byte header: payload, then status bytes. */
  data: Uint8Array;
}

/**
 * Decode one SLIP-decoded frame as a response, or null when it is not one (shorter than 8 bytes,
 * or direction byte ≠ 1: an `OHAI`, a READ_FLASH data frame, garbage). Trailing bytes beyond the
 * declared size are ignored; a size larger than the frame keeps what arrived.
 */
export function decodeResponse(frame: Uint8Array): DecodedResponse | null {
  if (frame.length < 8 || frame[0] !== 0x01) return null;
  const size = readU16(frame, 2);
  return { op: frame[1]!, value: readU32(frame, 4), data: frame.slice(8, Math.min(frame.length, 8 + size)) };
}

/** Outcome of reading the status bytes of a response. */
export type ResponseStatus =
  | { kind: 'ok'; payload: Uint8Array }
  | { kind: 'error'; byte0: number; byte1: number; code: number }
  | { kind: 'short'; length: number };

/**
 * Read the status at `data[responseDataLength]` (works for 2- and 4-byte trailers). When the data is
 * too short to hold payload + 2 status bytes, a status-only reply (≤ 4 bytes) with a non-zero first
 * byte is an error reply; anything else is a short response. The code is `byte0 << 8 | byte1`.
 */
export function readStatus(data: Uint8Array, responseDataLength = 0): ResponseStatus {
  let at = responseDataLength;
  if (data.length < responseDataLength + 2) {
    if (data.length >= 2 && data.length <= 4 && data[0] !== 0) at = 0;
    else return { kind: 'short', length: data.length };
  }
  const byte0 = data[at]!;
  const byte1 = data[at + 1]!;
  if (byte0 !== 0) return { kind: 'error', byte0, byte1, code: (byte0 << 8) | byte1 };
  return { kind: 'ok', payload: data.slice(0, responseDataLength) };
}

/** ROM reason byte meaning "message invalid": also the ROM's answer to an unknown opcode. */
export const ROM_INVALID_MESSAGE = 0x05;

/**
 * True when a reply for a different opcode carries the ROM's "invalid message" status, which is how
 * a ROM rejects an opcode it does not implement.
 */
export function isUnsupportedReply(reply: DecodedResponse): boolean {
  return reply.data.length >= 2 && reply.data[0] !== 0 && reply.data[1] === ROM_INVALID_MESSAGE;
}

/**
 * Decode an SPI_FLASH_MD5 payload to lower-case hex: 16 raw bytes (stub) or 32 ASCII hex characters
 * (ROM). Returns null for any other shape.
 */
export function decodeMd5Reply(payload: Uint8Array): string | null {
  if (payload.length === 16) return toHex(payload);
  if (payload.length === 32) {
    const text = String.fromCharCode(...payload).toLowerCase();
    return /^[0-9a-f]{32}$/.test(text) ? text : null;
  }
  return null;
}

/** The stub's start-up frame payload: ASCII `OHAI`. */
export const OHAI = asciiBytes('OHAI');
