// The virtual loader's command loop: parse each request frame, decide whether the running loader
// (ROM per chip, or the stub) supports the opcode, run its handler, and encode the reply the way
// that loader does (status layout, repeated replies, unknown-opcode errors).

import type { ChipInfo } from '../chips/chips.js';
import {
  BAD_LENGTH,
  handleAttach,
  handleChangeBaud,
  handleMemBegin,
  handleMemData,
  handleMemEnd,
  handleReadReg,
  handleSecurityInfo,
  handleSetParams,
  handleSync,
  handleWriteReg,
} from './cmd-basic.js';
import {
  handleEraseFlash,
  handleEraseRegion,
  handleMd5,
  handleReadFlash,
  handleReadSlow,
} from './cmd-read.js';
import { handleBegin, handleData, handleEnd, programPartially } from './cmd-write.js';
import {
  type DeviceServices,
  type HandlerContext,
  type HandlerResult,
  initialLoaderState,
  type LoaderState,
  word,
} from './loader-context.js';
import { type RomQuirks, romQuirks, type StubDialect } from './loader-dialects.js';
import { buildResponse, fail, OP, parseRequest, type Request, ROM_ERR, STUB_ERR } from './protocol.js';

type Handler = (ctx: HandlerContext) => Promise<HandlerResult | null>;

/** Largest data field the ROM's receive buffer takes (a MEM_DATA block plus its sub-header). */
export const ROM_MAX_DATA = 0x1800 + 16;
/** Largest data field the stub takes; longer gets 0xC0 0xEE. */
export const STUB_MAX_DATA = 0x4000 + 16;

const HANDLERS: Record<number, Handler> = {
  [OP.FLASH_BEGIN]: (c) => handleBegin(c, false),
  [OP.FLASH_DATA]: (c) => handleData(c, false),
  [OP.FLASH_END]: (c) => handleEnd(c, false),
  [OP.MEM_BEGIN]: handleMemBegin,
  [OP.MEM_END]: handleMemEnd,
  [OP.MEM_DATA]: handleMemData,
  [OP.SYNC]: handleSync,
  [OP.WRITE_REG]: handleWriteReg,
  [OP.READ_REG]: handleReadReg,
  [OP.SPI_SET_PARAMS]: handleSetParams,
  [OP.SPI_ATTACH]: handleAttach,
  [OP.READ_FLASH_SLOW]: handleReadSlow,
  [OP.CHANGE_BAUDRATE]: handleChangeBaud,
  [OP.FLASH_DEFL_BEGIN]: (c) => handleBegin(c, true),
  [OP.FLASH_DEFL_DATA]: (c) => handleData(c, true),
  [OP.FLASH_DEFL_END]: (c) => handleEnd(c, true),
  [OP.SPI_FLASH_MD5]: handleMd5,
  [OP.GET_SECURITY_INFO]: handleSecurityInfo,
  [OP.ERASE_FLASH]: handleEraseFlash,
  [OP.ERASE_REGION]: handleEraseRegion,
  [OP.READ_FLASH]: handleReadFlash,
};

/** Whether the chip's ROM loader implements `op` (PROTOCOL.md §2.1). */
export function romSupports(chip: ChipInfo, op: number): boolean {
  if (op >= OP.FLASH_BEGIN && op <= OP.READ_REG) return true;
  switch (op) {
    case OP.SPI_SET_PARAMS:
      return chip.rom.spiSetParams;
    case OP.SPI_ATTACH:
      return chip.rom.spiAttach;
    case OP.READ_FLASH_SLOW:
      return chip.rom.readFlashSlow;
    case OP.CHANGE_BAUDRATE:
      return chip.rom.changeBaud;
    case OP.FLASH_DEFL_BEGIN:
    case OP.FLASH_DEFL_DATA:
    case OP.FLASH_DEFL_END:
      return chip.rom.compressedWrite;
    case OP.SPI_FLASH_MD5:
      return chip.rom.md5;
    case OP.GET_SECURITY_INFO:
      return chip.securityInfoLength !== null;
    default:
      return false;
  }
}

/** The only commands a ROM in Secure Download Mode accepts (esptool docs). */
const SECURE_DOWNLOAD_OPS: ReadonlySet<number> = new Set([
  OP.SYNC,
  OP.SPI_ATTACH,
  OP.SPI_SET_PARAMS,
  OP.CHANGE_BAUDRATE,
  OP.FLASH_BEGIN,
  OP.FLASH_DATA,
  OP.FLASH_END,
  OP.GET_SECURITY_INFO,
]);

/** Whether the flasher stub implements `op` (no READ_FLASH_SLOW; security info only where the ROM has it). */
export function stubSupports(chip: ChipInfo, op: number): boolean {
  if (op === OP.READ_FLASH_SLOW) return false;
  if (op === OP.GET_SECURITY_INFO) return chip.securityInfoLength !== null;
  if (op >= OP.ERASE_FLASH && op <= OP.RUN_USER_CODE) return true;
  return HANDLERS[op] !== undefined;
}

/** One boot's worth of loader: created in ROM mode, switched to stub rules by `becomeStub`. */
export class VirtualLoader {
  readonly state: LoaderState = initialLoaderState();
  private readonly device: DeviceServices;
  private readonly quirks: RomQuirks;

  constructor(device: DeviceServices) {
    this.device = device;
    this.quirks = romQuirks(device.chip.name);
  }

  /** Switch to stub rules (2 status bytes, stub opcodes, the real flash size). */
  becomeStub(dialect: StubDialect): void {
    this.state.stub = true;
    this.state.dialect = dialect;
    this.state.mem = null;
    this.state.write = null;
    this.state.knownFlashSize = this.device.flash.size;
  }

  /** Serve requests until `signal` aborts (reset or close). */
  async run(signal: AbortSignal): Promise<void> {
    try {
      for (;;) await this.handle(await this.device.nextFrame(signal), signal);
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  /** Handle one frame. */
  async handle(frame: Uint8Array, signal: AbortSignal): Promise<void> {
    const { device, state } = this;
    if (state.hung) return;
    const stub = state.stub;
    const request = parseRequest(frame);
    if (!request) {
      // Shorter than a header: esp-flasher-stub rejects it; the ROM and the legacy stub are not modelled.
      if (stub && state.dialect.checksDirection && frame.length >= 2) {
        this.reply(frame[1]!, { status: fail(0, STUB_ERR.BAD_DATA_LEN) });
      }
      return;
    }
    if (!stub && request.data.length > ROM_MAX_DATA) return; // overflowed the ROM's buffer: lost
    let result: HandlerResult | null;
    if (stub && request.data.length > STUB_MAX_DATA) {
      result = { status: fail(ROM_ERR.INVALID_MESSAGE, STUB_ERR.BAD_DATA_LEN), value: 0 };
      this.reply(request.op, result, 0xee);
      return;
    }
    if (!this.supported(request)) {
      this.replyUnsupported(request);
      return;
    }
    if (request.size !== request.data.length && (stub || !this.quirks.ignoresDeclaredSize)) {
      result = { status: BAD_LENGTH };
    } else if (stub && request.op === OP.RUN_USER_CODE) {
      device.runUserCode();
      return;
    } else {
      const ctx = { device, state, signal, request, quirks: this.quirks };
      if (await this.blockFault(ctx)) return;
      result = await HANDLERS[request.op]!(ctx);
    }
    if (!result) return;
    const stall = device.faults.stallFor(request.op);
    if (stall > 0) await device.timing.clock.sleep(stall, signal);
    this.reply(request.op, result);
    if (result.after) await result.after();
  }

  /** Whether the running loader takes this request (opcode, direction byte, Secure Download Mode). */
  private supported(request: Request): boolean {
    const { device, state } = this;
    if (state.stub) {
      if (request.dir !== 0 && state.dialect.checksDirection) return false;
      return stubSupports(device.chip, request.op);
    }
    if (request.dir !== 0) return false;
    return (
      romSupports(device.chip, request.op) && (!device.secureDownload || SECURE_DOWNLOAD_OPS.has(request.op))
    );
  }

  /**
   * An opcode the loader lacks. ROM: "invalid message" (8 times; with a persistent reply buffer under
   * the previous reply's opcode, 8 times only when that was SYNC). Stub: its unknown-opcode code once;
   * GET_SECURITY_INFO on a chip whose ROM lacks it fails with 0xFF in both stub families.
   */
  private replyUnsupported(request: Request): void {
    const { state, device } = this;
    if (state.stub) {
      const code =
        request.op === OP.GET_SECURITY_INFO && device.chip.securityInfoLength === null
          ? 0xff
          : state.dialect.unknownOpcode;
      this.reply(request.op, { status: fail(ROM_ERR.INVALID_MESSAGE, code) });
      return;
    }
    const status = fail(ROM_ERR.INVALID_MESSAGE, STUB_ERR.INVALID_COMMAND);
    if (this.quirks.persistentReplyBuffer) this.reply(null, { status });
    else this.reply(request.op, { status, repeat: 8 });
  }

  /**
   * Block-triggered disconnect (the block is lost with the port) or watchdog reset (half the block
   * reaches flash first). True when one fired.
   */
  private async blockFault(ctx: HandlerContext): Promise<boolean> {
    const { request, device } = ctx;
    const isData = request.op === OP.FLASH_DATA || request.op === OP.FLASH_DEFL_DATA;
    if (!isData || request.data.length < 16) return false;
    const hit = device.faults.blockTrigger(word(request, 1));
    if (hit === 'disconnect') device.unplug();
    if (hit === 'reset') {
      if (this.state.stub) await device.timing.until(this.state.busyUntil, ctx.signal);
      programPartially(ctx);
      device.watchdogReset();
    }
    return hit !== null;
  }

  private reply(op: number | null, result: HandlerResult, stubAux = 0): void {
    if (!this.state.stub && this.quirks.persistentReplyBuffer) {
      const buffer = this.state.romReply;
      const frame = buffer.reply({
        op,
        ...(result.value === undefined ? {} : { value: result.value }),
        ...(result.payload === undefined ? {} : { payload: result.payload }),
        ...(result.bytes === undefined ? {} : { bytes: result.bytes }),
        status: result.status,
        keepReason: op !== null && this.quirks.successKeepsReason.has(op),
      });
      for (let i = 0; i < (buffer.op === OP.SYNC ? 8 : 1); i++) this.device.sendFrame(frame);
      return;
    }
    const frame = buildResponse({
      op: op ?? 0,
      ...(result.value === undefined ? {} : { value: result.value }),
      ...(result.payload === undefined ? {} : { payload: result.payload }),
      status: result.status,
      responder: { stub: this.state.stub, romStatusBytes: this.device.chip.romStatusBytes },
    });
    if (stubAux && this.state.stub) frame[frame.length - 1] = stubAux;
    for (let i = 0; i < (result.repeat ?? 1); i++) this.device.sendFrame(frame);
  }
}
