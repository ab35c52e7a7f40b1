// openDevice: port spec → transport → connect (reset, sync, detect, stub, baud) → attach flash,
// detect id/size, SPI_SET_PARAMS → Device. Closes the transport again when any step fails.

import type { ChipName } from '../chips/chips.js';
import type { Clock } from '../core/clock.js';
import { type BeforeReset, connect } from '../core/connect.js';
import { prepareFlash } from '../core/ops/prepare-flash.js';
import type { Transport } from '../core/transport.js';
import type { FlashEventSink } from '../events.js';
import { flashSizeToBytes } from '../image/flash-params.js';
import type { Logger } from '../logger.js';
import { openTransport } from '../node/open-transport.js';
import { esptoolJsStubProvider } from '../node/stub-assets.js';
import type { AfterReset } from '../plan/types.js';
import { Device } from './device.js';

/** Options for {@link openDevice}. */
export interface OpenDeviceOptions {
  /** `/dev/ttyUSB0`, `COM3`, `socket://host:port`, `rfc2217://host:port` or `sim://esp32`. */
  port: string;
  /** Baud rate after connecting (the stub switches to it; default 115200, i.e. no change). */
  baud?: number;
  /** Expected chip; a different chip fails with `connect/chip-mismatch`. */
  chip?: ChipName;
  before?: BeforeReset;
  /** Default mode of {@link Device.reset}. */
  after?: AfterReset;
  /** Upload the flasher stub (default true). */
  stub?: boolean;
  /** Custom bootloader-entry sequence, e.g. `D0|R1|W100|D1|R0|W50|D0`. */
  resetSequence?: string;
  /** Flash size to tell the loader (`4MB`), instead of the detected one. `detect`/`keep` mean detect. */
  flashSize?: string;
  /** The port is the chip's USB-OTG CDC interface. */
  usbOtg?: boolean;
  /** The port is a USB-Serial/JTAG peripheral (303A:1001). */
  usbJtagSerial?: boolean;
  /** Connect attempts (default 7). */
  connectAttempts?: number;
  logger?: Logger;
  onEvent?: FlashEventSink;
  signal?: AbortSignal;
  /** Use this transport instead of opening `port` (embedding, tests). It is closed with the Device. */
  transport?: Transport;
  clock?: Clock;
}

/** Accept `hard-reset` as well as `hard_reset`. */
function underscore<T extends string>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : (value.replace(/-/g, '_') as T);
}

/** Connect to the chip on `options.port` and get its flash ready. */
export async function openDevice(options: OpenDeviceOptions): Promise<Device> {
  const transport =
    options.transport ??
    (await openTransport(options.port, {
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    }));
  try {
    const before = underscore(options.before);
    const loader = await connect({
      transport,
      stubProvider: esptoolJsStubProvider,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.chip === undefined ? {} : { chip: options.chip }),
      ...(before === undefined ? {} : { before }),
      ...(options.resetSequence === undefined ? {} : { resetSequence: options.resetSequence }),
      ...(options.stub === undefined ? {} : { stub: options.stub }),
      ...(options.baud === undefined ? {} : { baud: options.baud }),
      ...(options.usbOtg === undefined ? {} : { usbOtg: options.usbOtg }),
      ...(options.usbJtagSerial === undefined ? {} : { usbJtagSerial: options.usbJtagSerial }),
      ...(options.connectAttempts === undefined ? {} : { attempts: options.connectAttempts }),
    });
    const size = options.flashSize;
    const given = size && size !== 'detect' && size !== 'keep' ? flashSizeToBytes(size) : undefined;
    const flash = await prepareFlash(loader, given === undefined ? {} : { sizeBytes: given });
    return new Device(loader, flash, {
      after: underscore(options.after) ?? 'hard_reset',
      usbOtg: options.usbOtg ?? false,
      signal: options.signal,
    });
  } catch (err) {
    await transport.close().catch(() => {});
    throw err;
  }
}
