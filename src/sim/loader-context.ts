// What a command handler of the virtual loader works with: the device's parts (flash, registers,
// timing, faults), the per-boot loader state, and the device actions (reply, start stub, reset).

import type { ChipInfo } from '../chips/chips.js';
import type { StreamInflater } from '../core/write/stream-inflater.js';
import type { FaultInjector } from './faults.js';
import { FLASHER_STUB, type RomQuirks, type StubDialect } from './loader-dialects.js';
import type { NorFlash } from './nor-flash.js';
import { type Request, RomReplyBuffer, type Status } from './protocol.js';
import type { RegisterFile } from './registers.js';
import type { TimingModel } from './timing.js';

/** An in-progress FLASH_* or FLASH_DEFL_* session. */
export interface WriteSession {
  compressed: boolean;
  offset: number;
  /** Bytes to write: exact (stub) or as announced (ROM). */
  size: number;
  blockSize: number;
  nextSeq: number;
  /** Uncompressed bytes written so far. */
  written: number;
  /** Streaming zlib inflater (compressed sessions). */
  inflate: StreamInflater | null;
  /** Where a block's inflated bytes land (reused by every block of the session). */
  inflated: Uint8Array;
  /** Stub just-in-time erase: next unerased address and the end of the region to erase. */
  eraseCursor: number;
  eraseEnd: number;
  /** Stub: more data arrived than the session holds (dropped; the legacy stub reports it at END). */
  excess: boolean;
}

/** An in-progress MEM_* upload. */
export interface MemSession {
  address: number;
  size: number;
  written: number;
  nextSeq: number;
}

/** Loader state; reset on every boot. */
export interface LoaderState {
  stub: boolean;
  /** SPI_ATTACH (or the ESP8266 FLASH_BEGIN equivalent) happened: ROM flash commands work. */
  spiAttached: boolean;
  /** Flash size the ROM believes in (2 MB until SPI_SET_PARAMS). */
  knownFlashSize: number;
  mem: MemSession | null;
  /** RAM ranges uploaded since boot (for MEM_END's entry check). */
  memRegions: Array<{ start: number; end: number }>;
  /** MEM_BEGIN segments since boot (address and announced size: tells which stub was uploaded). */
  memSegments: Array<{ address: number; size: number }>;
  /** Which stub runs (meaningful once `stub` is true). */
  dialect: StubDialect;
  /** ROM reply buffer (chips with RomQuirks.persistentReplyBuffer). */
  romReply: RomReplyBuffer;
  /** The loader hung (RomQuirks.hangsAfterStreamEnd): nothing is answered until reset. */
  hung: boolean;
  write: WriteSession | null;
  /** Stub: error from background work, reported on the next DATA/END (sticky until BEGIN). */
  deferred: Status | null;
  /** Stub: clock time when the background flash work finishes. */
  busyUntil: number;
}

/** A handler's answer: a reply to send, or null for none. */
export interface HandlerResult {
  status: Status;
  value?: number;
  payload?: Uint8Array;
  /** Run after the reply went out (mode changes, baud change). */
  after?: () => void | Promise<void>;
  /** Send the reply this many times (ROM SYNC and ROM unknown-opcode replies repeat 8 times). */
  repeat?: number;
  /** ROM reply buffer: data bytes sent before the status even on failure (READ_FLASH_SLOW's 64). */
  bytes?: number;
}

/** Device services available to handlers. */
export interface DeviceServices {
  readonly chip: ChipInfo;
  readonly flash: NorFlash;
  readonly registers: RegisterFile;
  readonly timing: TimingModel;
  readonly faults: FaultInjector;
  /** The ROM runs in Secure Download Mode. */
  readonly secureDownload: boolean;
  /** FLASH_CRYPT_CNT eFuse (odd: flash encryption on). */
  readonly flashCryptCnt: number;
  /** Send one raw SLIP frame (no header). */
  sendFrame(payload: Uint8Array): void;
  /** Wait for the next frame from the host. */
  nextFrame(signal: AbortSignal): Promise<Uint8Array>;
  /** Switch the UART to `baud` (after pending output went out at the old rate). */
  setBaud(baud: number): void;
  /** The uploaded code is a stub of this dialect: switch to stub rules and send OHAI. */
  startStub(dialect: StubDialect): void;
  /** Leave the loader and run the application from flash. */
  runUserCode(): void;
  /** The USB port vanishes (disconnect fault). */
  unplug(): void;
  /** Watchdog reset into the ROM loader (reset fault). */
  watchdogReset(): void;
  /** Software reset (back into the ROM loader). */
  softwareReset(): void;
  /** Jumped to nonsense: print a panic and hang. */
  crash(reason: string): void;
}

/** Everything one handler call gets. */
export interface HandlerContext {
  device: DeviceServices;
  state: LoaderState;
  signal: AbortSignal;
  request: Request;
  /** The chip's ROM quirks (used while the ROM loader runs). */
  quirks: RomQuirks;
}

/** Fresh state for a boot into the ROM loader. */
export function initialLoaderState(): LoaderState {
  return {
    stub: false,
    spiAttached: false,
    knownFlashSize: 2 * 1024 * 1024,
    mem: null,
    memRegions: [],
    memSegments: [],
    dialect: FLASHER_STUB,
    romReply: new RomReplyBuffer(),
    hung: false,
    write: null,
    deferred: null,
    busyUntil: 0,
  };
}

/** u32 word `index` of the request data (0 when missing). */
export function word(request: Request, index: number): number {
  const d = request.data;
  const at = index * 4;
  if (at + 4 > d.length) return 0;
  return (d[at]! | (d[at + 1]! << 8) | (d[at + 2]! << 16) | (d[at + 3]! << 24)) >>> 0;
}
