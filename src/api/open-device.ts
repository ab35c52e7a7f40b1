// openDevice: choose the port (the given one, or the likely ESP board) → transport → connect (reset,
// sync, detect, stub, baud) → attach flash, detect id/size, SPI_SET_PARAMS → Device. Closes the
// transport again when any step fails.

import type { ChipName } from '../chips/chips.js';
import { type Connection, type ConnectOptions, connect } from '../core/connect/connect.js';
import { type PreparedFlash, prepareFlash } from '../core/ops/prepare-flash.js';
import type { Clock } from '../core/session/clock.js';
import type { Transport } from '../core/session/transport.js';
import {
  type AfterReset,
  type AfterResetName,
  type BeforeResetName,
  isFixedFlashSize,
  normaliseResetName,
} from '../core/settings.js';
import { errorKind, isEspflashError, isPortGone } from '../errors.js';
import type { FlashEventSink } from '../events.js';
import { flashSizeToBytes } from '../image/flash-params.js';
import type { Logger } from '../logger.js';
import { type BaudMemory, createBaudMemory } from '../node/baud-memory.js';
import { openTransport } from '../node/open-transport.js';
import { stubProviderFor } from '../node/stub-assets.js';
import {
  choosePort,
  type PortChoice,
  type PortLister,
  type PortMemory,
  type PortPrompt,
  usbFlags,
} from './choose-port.js';
import { Device } from './device.js';
import { createReconnector, type ReconnectPolicy } from './reconnect.js';

/** Options for {@link openDevice}. */
export interface OpenDeviceOptions {
  /**
   * `/dev/ttyUSB0`, `COM3`, `socket://host:port`, `rfc2217://host:port` or `sim://esp32`; a
   * {@link PortChoice} made earlier (no second port lookup); absent: the one likely ESP board plugged
   * in (several: the remembered one, else `prompt`'s answer, else `port/ambiguous`; none: `port/none`).
   */
  port?: string | PortChoice;
  /** Lists serial ports when choosing (default: the machine's); for tests and embedders. */
  listPorts?: PortLister;
  /** Asks which board when several are plugged in (see `choosePort`); absent: `port/ambiguous`. */
  prompt?: PortPrompt;
  /** The board remembered for this project (see `createPortMemory`). */
  portMemory?: PortMemory;
  /**
   * Baud rate after connecting, as the user asked for it (flag, env or config); the chip switches to
   * it. Absent: {@link DEFAULT_FLASH_BAUD} where the transport sets its own baud, and no change
   * (115200) over raw TCP, where the far end owns the rate.
   */
  baud?: number;
  /** Expected chip; a different chip fails with `connect/chip-mismatch`. */
  chip?: ChipName;
  /** Reset before connecting, either esptool spelling (`default_reset` / `default-reset`). */
  before?: BeforeResetName;
  /** Default mode of {@link Device.reset}, either esptool spelling (`hard_reset` / `hard-reset`). */
  after?: AfterResetName;
  /** Upload the flasher stub (default true). */
  stub?: boolean;
  /** Stub set as esptool v5 numbers them (2 = esp-flasher-stub, shipped; 1 = legacy, not shipped). */
  stubVersion?: number;
  /** A stub JSON of one's own (esptool's format), uploaded instead of the shipped one. */
  stubFile?: string;
  /** Custom bootloader-entry sequence, e.g. `D0|R1|W100|D1|R0|W50|D0`. */
  resetSequence?: string;
  /** Flash size to tell the loader (`4MB`), instead of the detected one. `detect`/`keep` mean detect. */
  flashSize?: string;
  /** The port is the chip's USB-OTG CDC interface (default: from the port's USB ids). */
  usbOtg?: boolean;
  /** The port is a USB-Serial/JTAG peripheral (303A:1001) (default: from the port's USB ids). */
  usbJtagSerial?: boolean;
  /** Connect attempts (default 7). */
  connectAttempts?: number;
  logger?: Logger;
  onEvent?: FlashEventSink;
  signal?: AbortSignal;
  /** Use this transport instead of opening `port` (embedding, tests). It is closed with the Device. */
  transport?: Transport;
  /**
   * How to open the port again after it vanished mid-flash (default: `openTransport(port)`, or none
   * when `transport` was handed in). Errors it throws are retried with backoff.
   */
  reopen?: (() => Promise<Transport>) | null;
  /** Reconnect backoff; `false` turns reconnecting off (a lost port is then final). */
  reconnect?: ReconnectPolicy | false;
  /**
   * Remembered last good baud per port: a port that needed a lower baud starts there. Default: the
   * machine-local cache for serial ports; off for URL ports and handed-in transports. `false`: off.
   */
  baudMemory?: BaudMemory | false;
  clock?: Clock;
}

/** Whole connects (reset, sync, stub upload, flash attach) before a transfer error is final. */
export const CONNECT_TRIES = 4;

/**
 * connect + prepareFlash, again from the reset when a transfer fails on the way (a corrupted or lost
 * MEM_DATA block of the stub upload, a lost reply, a damaged chip-magic reply): the code table's
 * `transient` errors, and a loader that stopped answering (`link-lost`: the fresh connect starts with
 * a reset). Final errors (diagnosed connect failures, usage errors) and a port that is gone (nothing
 * here reopens it) end the connect.
 */
async function connectWithRetry(
  options: ConnectOptions,
  sizeBytes: number | undefined,
): Promise<{ loader: Connection; flash: PreparedFlash }> {
  for (let attempt = 1; ; attempt++) {
    let loader: Connection | null = null;
    try {
      loader = await connect(options);
      const flash = await prepareFlash(loader, sizeBytes === undefined ? {} : { sizeBytes });
      return { loader, flash };
    } catch (err) {
      const kind = errorKind(err);
      const retry = kind === 'transient' || (kind === 'link-lost' && !isPortGone(err));
      if (!retry || !isEspflashError(err) || attempt >= CONNECT_TRIES || options.signal?.aborted) throw err;
      options.onEvent?.({
        type: 'retry',
        operation: 'connect',
        attempt: attempt + 1,
        reason: `${err.code}: ${err.message}`,
      });
      // Back to 115200 on the host side: the next connect resets the chip into its ROM.
      if (options.transport.baudRate !== 115200 && options.transport.capabilities.baudRate) {
        await options.transport.setBaudRate(115200).catch(() => {});
      }
    }
  }
}

/** The options once the port is chosen. */
type ChosenOptions = OpenDeviceOptions & { port: string };

/** The baud memory to use for these options, or null. */
function memoryFor(options: ChosenOptions): BaudMemory | null {
  if (options.baudMemory === false) return null;
  if (options.baudMemory) return options.baudMemory;
  if (options.transport || options.port.includes('://')) return null;
  return createBaudMemory();
}

/** Baud for flashing when nothing asks for another (esptool's `-b` default for write-flash is the same). */
export const DEFAULT_FLASH_BAUD = 460800;

/** The ROM loader's baud after reset. */
const ROM_BAUD = 115200;

/** How the link's baud is chosen for one connect ({@link chooseLinkBaud}). */
export interface LinkBaud {
  /** Baud to switch to after connecting; undefined: stay at the ROM's 115200. */
  baud: number | undefined;
  /** Tell the chip although the transport has no host-side baud (raw TCP). */
  remote: boolean;
  /** One line for the user (raw TCP with an explicit baud), else null. */
  notice: string | null;
}

/**
 * The baud decision, as esptool makes it: a transport that sets its own rate (serial, RFC 2217, the
 * in-process sim) switches to the requested baud or {@link DEFAULT_FLASH_BAUD}. Raw TCP has no rate
 * of its own: only an explicit baud (flag, env, config) switches the chip there, with a notice that
 * a ser2net raw port must be set to follow; without one the link stays at 115200.
 */
export function chooseLinkBaud(options: {
  /** The explicit baud (flag, env, config), if any. */
  requested: number | undefined;
  /** Whether the transport changes its own baud (`capabilities.baudRate`). */
  transportSetsBaud: boolean;
  /** The `--port` value, for the notice. */
  port: string;
}): LinkBaud {
  const { requested, transportSetsBaud, port } = options;
  if (transportSetsBaud) return { baud: requested ?? DEFAULT_FLASH_BAUD, remote: false, notice: null };
  if (requested === undefined || requested === ROM_BAUD)
    return { baud: undefined, remote: false, notice: null };
  return {
    baud: requested,
    remote: true,
    notice:
      `${port} is raw TCP: switching the chip to ${requested} baud as asked; a ser2net raw port must be set to ` +
      `${requested} too (rfc2217:// changes both sides)`,
  };
}

/**
 * The port to open and its USB identity, so the right reset and block sizes are used: Espressif's
 * USB-Serial/JTAG (303A:1001) needs its own reset sequence, the ROM's USB-OTG CDC (303A:<chip id>)
 * 2 KiB blocks and a watchdog reset. Flags the caller set win; a handed-in transport needs no lookup.
 */
async function portFor(options: OpenDeviceOptions): Promise<{ choice: PortChoice; options: ChosenOptions }> {
  const asked = options.port;
  const choice: PortChoice =
    typeof asked === 'object'
      ? asked
      : options.transport
        ? { port: asked ?? options.transport.description, info: null }
        : await choosePort({
            port: asked,
            ...(options.listPorts === undefined ? {} : { listPorts: options.listPorts }),
            ...(options.logger === undefined ? {} : { logger: options.logger }),
            ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
            ...(options.portMemory === undefined ? {} : { memory: options.portMemory }),
            ...(options.signal === undefined ? {} : { signal: options.signal }),
          });
  const usb = usbFlags(choice.info?.kind);
  return {
    choice,
    options: {
      ...options,
      port: choice.port,
      ...(options.usbOtg === undefined && usb.usbOtg !== undefined ? { usbOtg: usb.usbOtg } : {}),
      ...(options.usbJtagSerial === undefined && usb.usbJtagSerial !== undefined
        ? { usbJtagSerial: usb.usbJtagSerial }
        : {}),
    },
  };
}

/** Choose the port (see {@link OpenDeviceOptions.port}), connect to the chip and get its flash ready. */
export async function openDevice(requested: OpenDeviceOptions = {}): Promise<Device> {
  const { choice, options } = await portFor(requested);
  const memory = memoryFor(options);
  const open = () =>
    openTransport(options.port, {
      ackNudge: true,
      pace: true,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  // A stub version that is not shipped is a usage error before the port is opened.
  const stubProvider = stubProviderFor({ version: options.stubVersion, file: options.stubFile });
  const transport = options.transport ?? (await open());
  // The link's own time base (the in-process sim's clock) unless the caller named one.
  const clock = options.clock ?? transport.linkClock;
  const link = chooseLinkBaud({
    requested: options.baud,
    transportSetsBaud: transport.capabilities.baudRate,
    port: options.port,
  });
  if (link.notice) options.onEvent?.({ type: 'warning', code: 'connect/tcp-baud', message: link.notice });
  let baud = link.baud;
  const remembered = memory ? await memory.recall(options.port).catch(() => null) : null;
  if (baud !== undefined && remembered !== null && remembered < baud) {
    options.onEvent?.({
      type: 'warning',
      code: 'flash/baud-remembered',
      message: `${options.port} needed ${remembered} baud last time: starting there instead of ${baud}`,
    });
    baud = remembered;
  }
  try {
    const before = options.before;
    const connectOptions: Omit<ConnectOptions, 'transport' | 'baud'> = {
      stubProvider,
      ...(clock === undefined ? {} : { clock }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.chip === undefined ? {} : { chip: options.chip }),
      ...(before === undefined ? {} : { before }),
      ...(options.resetSequence === undefined ? {} : { resetSequence: options.resetSequence }),
      ...(options.stub === undefined ? {} : { stub: options.stub }),
      ...(options.usbOtg === undefined ? {} : { usbOtg: options.usbOtg }),
      ...(options.usbJtagSerial === undefined ? {} : { usbJtagSerial: options.usbJtagSerial }),
      ...(options.connectAttempts === undefined ? {} : { attempts: options.connectAttempts }),
      ...(link.remote ? { remoteBaud: true } : {}),
    };
    const size = options.flashSize;
    const given = size && isFixedFlashSize(size) ? flashSizeToBytes(size) : undefined;
    const { loader, flash } = await connectWithRetry(
      { ...connectOptions, transport, ...(baud === undefined ? {} : { baud }) },
      given,
    );
    const reopen = options.reopen !== undefined ? options.reopen : options.transport ? null : open;
    return new Device(loader, flash, {
      after: options.after === undefined ? 'hard_reset' : (normaliseResetName(options.after) as AfterReset),
      usbOtg: options.usbOtg ?? false,
      signal: options.signal,
      port: options.port,
      portChoice: choice,
      requestedBaud: baud,
      baudMemory: memory,
      reconnect:
        options.reconnect === false
          ? null
          : createReconnector({
              connect: connectOptions,
              baud,
              sizeBytes: given,
              reopen,
              ...(options.reconnect === undefined ? {} : { policy: options.reconnect }),
            }),
    });
  } catch (err) {
    await transport.close().catch(() => {});
    throw err;
  }
}
