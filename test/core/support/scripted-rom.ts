// A scripted ROM loader / stub on top of ScriptedChip for connect tests: boot banners on reset (download
// mode when IO0 was held low while EN was held), SYNC ×8, security info, registers, MEM_* stub upload
// with OHAI, CHANGE_BAUDRATE; plus failure modes (app boot, TX down, silence, garbage, SDM).

import { type ChipInfo, type ChipName, chipInfo } from '../../../src/chips/chips.js';
import { bytesEqual, packU32, readU32 } from '../../../src/core/protocol/bytes.js';
import { OP } from '../../../src/core/protocol/opcodes.js';
import { dataChecksum, OHAI, syncData } from '../../../src/core/protocol/packets.js';
import type { TransportCapabilities } from '../../../src/core/session/transport.js';
import type { FakeClock } from './fake-clock.js';
import { ScriptedChip, type SentRequest } from './scripted-chip.js';

export interface ScriptedRomOptions {
  chip: ChipName;
  /** A stub is already running (SYNC values 0) until the next reset. */
  stubRunning?: boolean;
  /** Chip is already in download mode before any reset (default true). */
  startInDownload?: boolean;
  /** What a reset does: `auto` = download if IO0 was low during reset; `app` = always normal boot. */
  bootMode?: 'auto' | 'app';
  /** Download mode banner appears but SYNC is never answered. */
  txDown?: boolean;
  /** Nothing is ever sent. */
  silent?: boolean;
  /** Binary noise instead of a banner, and no replies. */
  garbage?: boolean;
  /** The loader rejects GET_SECURITY_INFO (forces magic detection). */
  noSecurityInfo?: boolean;
  /** Secure Download Mode. */
  sdm?: boolean;
  secureBoot?: boolean;
  /** How the ROM rejects unknown opcodes: a reply for another opcode (default) or for the same one. */
  unsupportedStyle?: 'other-op' | 'same-op';
  /** Register values for READ_REG (magic register defaults to the chip's first magic). */
  regs?: Record<number, number>;
  /** The ROM never answers MEM_END (it jumps to the stub first). */
  noMemEndReply?: boolean;
  /** The stub never says OHAI. */
  noOhai?: boolean;
  /** MEM_END reply status bytes 0/1 (e.g. [1, 0x0f]: bad RAM address); implies no OHAI. */
  memEndStatus?: [number, number];
  capabilities?: Partial<TransportCapabilities>;
  description?: string;
  chunkSize?: number;
}

/** What the fake saw. */
export interface ScriptedRomState {
  download: boolean;
  stub: boolean;
  writes: Array<{ address: number; value: number; mask: number; delayUs: number }>;
  memBegins: Array<{ size: number; blocks: number; blockSize: number; address: number }>;
  memBlocks: Array<{ seq: number; length: number }>;
  memEnd: { flag: number; entry: number } | null;
  baudArgs: Array<{ newBaud: number; second: number }>;
  resets: number;
}

const DOWNLOAD_BANNER =
  'ets Jul 29 2019 12:21:46\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n';
const APP_BANNER =
  'ets Jul 29 2019 12:21:46\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\nI (31) boot: ESP-IDF\r\n';

/** Build the fake and its state. */
export function createScriptedRom(
  clock: FakeClock,
  options: ScriptedRomOptions,
): { device: ScriptedChip; state: ScriptedRomState; chip: ChipInfo } {
  const chip = chipInfo(options.chip);
  const state: ScriptedRomState = {
    download: options.startInDownload ?? true,
    stub: options.stubRunning ?? false,
    writes: [],
    memBegins: [],
    memBlocks: [],
    memEnd: null,
    baudArgs: [],
    resets: 0,
  };
  let strapLow = false;
  const statusLen = () => (state.stub ? 2 : chip.romStatusBytes);
  const ok = () => new Array<number>(statusLen()).fill(0);
  const fail = (b0: number, b1: number) => {
    const s = ok();
    s[0] = b0;
    s[1] = b1;
    return s;
  };

  const reject = (req: SentRequest, d: ScriptedChip) => {
    if (state.stub) d.reply({ op: req.op, status: fail(0xc3, 0) });
    else {
      // A ROM repeats its rejection (about 8 frames).
      const op = options.unsupportedStyle === 'same-op' ? req.op : 0x00;
      for (let i = 0; i < 8; i++) d.reply({ op, status: fail(1, 5), delayMs: 1 + i });
    }
  };

  const responder = (req: SentRequest, d: ScriptedChip) => {
    if (options.silent || options.garbage || options.txDown || !state.download) return;
    switch (req.op) {
      case OP.SYNC: {
        if (!bytesEqual(req.data, syncData())) return;
        for (let i = 0; i < 8; i++)
          d.reply({ op: OP.SYNC, value: state.stub ? 0 : 0x20120707, status: ok(), delayMs: 1 + i });
        return;
      }
      case OP.GET_SECURITY_INFO: {
        const len = state.stub ? (chip.securityInfoLength === null ? null : 20) : chip.securityInfoLength;
        if (len === null || options.noSecurityInfo) return reject(req, d);
        const payload = new Uint8Array(len);
        payload.set(packU32((options.secureBoot ? 1 : 0) | (options.sdm ? 4 : 0)), 0);
        if (len === 20) payload.set(packU32(chip.imageChipId ?? 0, 0), 12);
        return d.reply({ op: req.op, payload, status: ok() });
      }
      case OP.READ_REG: {
        if (options.sdm && !state.stub) return reject(req, d);
        const addr = readU32(req.data, 0);
        const value = options.regs?.[addr] ?? (addr === 0x40001000 ? chip.magicValues[0]! : 0);
        return d.reply({ op: req.op, value, status: ok() });
      }
      case OP.WRITE_REG: {
        for (let at = 0; at + 16 <= req.data.length; at += 16) {
          state.writes.push({
            address: readU32(req.data, at),
            value: readU32(req.data, at + 4),
            mask: readU32(req.data, at + 8),
            delayUs: readU32(req.data, at + 12),
          });
        }
        return d.reply({ op: req.op, status: ok() });
      }
      case OP.MEM_BEGIN: {
        const [size, blocks, blockSize, address] = [0, 4, 8, 12].map((o) => readU32(req.data, o)) as [
          number,
          number,
          number,
          number,
        ];
        state.memBegins.push({ size, blocks, blockSize, address });
        return d.reply({ op: req.op, status: ok() });
      }
      case OP.MEM_DATA: {
        const length = readU32(req.data, 0);
        const payload = req.data.subarray(16);
        if (payload.length !== length || dataChecksum(payload) !== req.checksum) {
          return d.reply({ op: req.op, status: state.stub ? fail(0xc1, 0) : fail(1, 7) });
        }
        state.memBlocks.push({ seq: readU32(req.data, 4), length });
        return d.reply({ op: req.op, status: ok() });
      }
      case OP.MEM_END: {
        state.memEnd = { flag: readU32(req.data, 0), entry: readU32(req.data, 4) };
        if (options.memEndStatus) return d.reply({ op: req.op, status: fail(...options.memEndStatus) });
        if (!options.noMemEndReply) d.reply({ op: req.op, status: ok() });
        if (!options.noOhai) {
          state.stub = true;
          d.sendFrame(OHAI, 5);
        }
        return;
      }
      case OP.CHANGE_BAUDRATE: {
        state.baudArgs.push({ newBaud: readU32(req.data, 0), second: readU32(req.data, 4) });
        return d.reply({ op: req.op, status: ok() });
      }
      default:
        return reject(req, d);
    }
  };

  const device = new ScriptedChip({
    clock,
    responder,
    capabilities: options.capabilities,
    description: options.description,
    chunkSize: options.chunkSize,
    onSignals: (lines, previous, d) => {
      if (lines.rts && lines.dtr) strapLow = true;
      if (lines.rts && !previous.rts) strapLow = lines.dtr;
      if (previous.rts && !lines.rts) {
        // EN released: the chip boots, sampling IO0.
        state.resets++;
        state.stub = false;
        state.download = options.bootMode !== 'app' && (strapLow || lines.dtr);
        strapLow = false;
        if (options.silent) return;
        if (options.garbage) {
          d.deliver(Uint8Array.from([0x00, 0xf0, 0x8f, 0x3e, 0x80, 0x11, 0xfe, 0x7f, 0x00, 0x81]), 2);
          return;
        }
        d.text(state.download ? DOWNLOAD_BANNER : APP_BANNER, 2);
      }
    },
  });
  return { device, state, chip };
}
