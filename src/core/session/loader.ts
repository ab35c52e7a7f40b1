// The contract between connection establishment (connect.ts: sync, detect, stub, baud) and the
// operations that run on a connected loader (flash ops). One object per connected session.

import type { ChipInfo } from '../../chips/chips.js';
import type { FlashEventSink } from '../../events.js';
import type { Logger } from '../../logger.js';
import type { Clock } from './clock.js';
import type { Transport } from './transport.js';

/** One request to the loader. */
export interface CommandRequest {
  /** Opcode byte (see opcodes.ts). */
  op: number;
  /** Data field (after the 8-byte header). Empty when omitted. */
  data?: Uint8Array;
  /** Header checksum word; only meaningful for *_DATA commands (0 otherwise). */
  checksum?: number;
  /** Response timeout; defaults to the opcode's default (3 s). */
  timeoutMs?: number;
  /** Payload bytes that precede the status bytes in the reply (16/32 for MD5, 20/12 security info...). */
  responseDataLength?: number;
  /** False for commands the loader never answers (RUN_USER_CODE, ROM MEM_END may not). */
  expectResponse?: boolean;
}

/** A decoded, successful reply (a failing status is thrown as a coded error instead). */
export interface CommandResponse {
  /** The 32-bit value field of the response header (READ_REG result, SYNC value). */
  value: number;
  /** Payload before the status bytes (`responseDataLength` bytes). */
  data: Uint8Array;
}

/**
 * A connected ROM loader or flasher stub. Implementations flush stale input before each command,
 * match replies by opcode, map non-zero status to coded errors naming the command, and time out
 * with a coded error. Never call `command` concurrently.
 */
export interface Loader {
  readonly chip: ChipInfo;
  /** True once the flasher stub runs (2 status bytes, stub-only commands, 16 KiB blocks). */
  readonly isStub: boolean;
  /** The chip is in Secure Download Mode (no READ_REG, no MD5, no stub). */
  readonly secureDownloadMode: boolean;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The session's own events (connect, stub, baud); the write engine and flash ops take a sink as a parameter. */
  readonly onEvent: FlashEventSink;
  /** Send one command and await its reply. */
  command(request: CommandRequest): Promise<CommandResponse>;
  readReg(address: number): Promise<number>;
  writeReg(address: number, value: number, options?: { mask?: number; delayUs?: number }): Promise<void>;
  /** Read one raw SLIP frame (READ_FLASH data/MD5 frames carry no header). */
  readFrame(timeoutMs: number): Promise<Uint8Array>;
  /** Write one raw SLIP frame (READ_FLASH acknowledgements). */
  writeFrame(payload: Uint8Array): Promise<void>;
}
