// Device-side wire constants and reply encoding: opcodes, ROM and stub error codes, how each loader
// lays out its status bytes, and the XOR data checksum. Written for the sim, independent of the client.

import { writeU16, writeU32 } from '../core/protocol/bytes.js';

/** Opcodes the sim understands. */
export const OP = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  READ_FLASH_SLOW: 0x0e,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  GET_SECURITY_INFO: 0x14,
  ERASE_FLASH: 0xd0,
  ERASE_REGION: 0xd1,
  READ_FLASH: 0xd2,
  RUN_USER_CODE: 0xd3,
} as const;

/** ROM failure reasons (second status byte after a 1). */
export const ROM_ERR = {
  INVALID_MESSAGE: 0x05,
  FAILED_TO_ACT: 0x06,
  BAD_CRC: 0x07,
  FLASH_WRITE: 0x08,
  FLASH_READ: 0x09,
  FLASH_READ_LENGTH: 0x0a,
  DEFLATE: 0x0b,
} as const;

/** Stub status codes (first status byte). */
export const STUB_ERR = {
  BAD_DATA_LEN: 0xc0,
  BAD_DATA_CHECKSUM: 0xc1,
  BAD_BLOCKSIZE: 0xc2,
  INVALID_COMMAND: 0xc3,
  FAILED_SPI_OP: 0xc4,
  FAILED_SPI_UNLOCK: 0xc5,
  NOT_IN_FLASH_MODE: 0xc6,
  INFLATE_ERROR: 0xc7,
  NOT_ENOUGH_DATA: 0xc8,
  TOO_MUCH_DATA: 0xc9,
} as const;

/** SYNC payload: `07 07 12 20` then 32 x 0x55. */
export const SYNC_PAYLOAD = new Uint8Array([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);
/** The value a ROM puts in SYNC replies (first SYNC payload word, little-endian). */
export const ROM_SYNC_VALUE = 0x20120707;
/** The unsolicited frame a freshly started stub sends. */
export const OHAI = new Uint8Array([0x4f, 0x48, 0x41, 0x49]);

/** A decoded request frame. */
export interface Request {
  /** Direction byte (0 for a request; the loaders differ in what they do with anything else). */
  dir: number;
  op: number;
  /** Declared data length (header bytes 2-3). */
  size: number;
  checksum: number;
  data: Uint8Array;
}

/** Parse a request frame; null when it is shorter than the 8-byte header. */
export function parseRequest(frame: Uint8Array): Request | null {
  if (frame.length < 8) return null;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return {
    dir: frame[0]!,
    op: frame[1]!,
    size: view.getUint16(2, true),
    checksum: view.getUint32(4, true),
    data: frame.subarray(8),
  };
}

/** Outcome of a command: OK, or an error the responding loader encodes its own way. */
export type Status = { ok: true } | { ok: false; rom: number; stub: number };

export const OK: Status = { ok: true };

/** An error with the code each loader would report. */
export function fail(rom: number, stub: number): Status {
  return { ok: false, rom, stub };
}

/** Who is answering: decides the status layout. */
export interface Responder {
  stub: boolean;
  /** 2 or 4 (ROM only; the stub always sends 2). */
  romStatusBytes: 2 | 4;
}

/** Build a response frame payload (before SLIP). */
export function buildResponse(options: {
  op: number;
  value?: number;
  payload?: Uint8Array;
  status: Status;
  responder: Responder;
}): Uint8Array {
  const { responder, status } = options;
  const payload = status.ok ? (options.payload ?? new Uint8Array(0)) : new Uint8Array(0);
  const statusLen = responder.stub ? 2 : responder.romStatusBytes;
  const out = new Uint8Array(8 + payload.length + statusLen);
  out[0] = 0x01;
  out[1] = options.op;
  writeU16(out, 2, payload.length + statusLen);
  writeU32(out, 4, options.value ?? 0);
  out.set(payload, 8);
  const at = 8 + payload.length;
  if (!status.ok) {
    if (responder.stub) out[at] = status.stub;
    else {
      out[at] = 1;
      out[at + 1] = status.rom;
    }
  }
  return out;
}

/** `0xEF` XOR every byte. */
export function dataChecksum(bytes: Uint8Array): number {
  let c = 0xef;
  for (const b of bytes) c ^= b;
  return c;
}

/**
 * The ESP32 ROM's single response buffer (RomQuirks.persistentReplyBuffer): opcode, value and data
 * bytes survive from one reply to the next; each reply rewrites only what it must.
 */
export class RomReplyBuffer {
  op = 0;
  value = 0;
  private readonly data = new Uint8Array(0x100);

  /**
   * Encode a reply. `op` null keeps the previous opcode (an unsupported command). `bytes` is how many
   * data bytes precede the status (default: the payload's length); a fixed reply size is sent even on
   * failure, and past a shorter payload, with whatever the buffer held.
   */
  reply(options: {
    op: number | null;
    value?: number;
    payload?: Uint8Array;
    bytes?: number;
    status: Status;
    /** A success leaves the failure-reason byte as it was (the flash write commands). */
    keepReason?: boolean;
  }): Uint8Array {
    if (options.op !== null) this.op = options.op;
    if (options.value !== undefined) this.value = options.value >>> 0;
    const { status } = options;
    const n = options.bytes ?? (status.ok ? (options.payload?.length ?? 0) : 0);
    if (options.payload && status.ok) this.data.set(options.payload, 0);
    this.data[n] = status.ok ? 0 : 1;
    if (!status.ok) this.data[n + 1] = status.rom;
    else if (!options.keepReason) this.data[n + 1] = 0;
    const out = new Uint8Array(8 + n + 4);
    out[0] = 0x01;
    out[1] = this.op;
    writeU16(out, 2, n + 4);
    writeU32(out, 4, this.value);
    out.set(this.data.subarray(0, n + 4), 8);
    return out;
  }
}
