// An in-process Transport wired to a virtual ESP32: DTR/RTS drive its reset circuit, the host baud
// must match the device's (a mismatch garbles bytes), the flash can persist to a file, and a USB
// unplug fault fails pending and later I/O the way a vanished serial port does (`port/disconnected`).

import { type Clock, realClock } from '../core/session/clock.js';
import type { ModemSignals, Transport, TransportCapabilities } from '../core/session/transport.js';
import { EspflashError } from '../errors.js';
import { disconnectedError } from '../node/transport-errors.js';
import { bindFlashFile, type FlashFileBinding, loadFlashFile } from './flash-file.js';
import { type SimOptions, simMac, validateFlashSize, validateSecureDownload } from './sim-options.js';
import { garble, VirtualChip } from './virtual-chip.js';

export type { SimOptions } from './sim-options.js';
export { parseSimUrl } from './sim-options.js';

/** A Transport whose far end is a {@link VirtualChip}. */
export interface SimTransport extends Transport {
  readonly device: VirtualChip;
}

const DEFAULT_FLASH = 4 * 1024 * 1024;

/** Build the device for `options` (loading the flash file, if any) and its persistence binding. */
export function createVirtualChip(options: SimOptions): {
  device: VirtualChip;
  flashFile: FlashFileBinding | null;
} {
  const size = validateFlashSize(options.chip, options.flashSize ?? DEFAULT_FLASH, 'the flash size');
  if (options.secureDownload) validateSecureDownload(options.chip, 'secure download mode');
  const flashData = options.flashFile ? loadFlashFile(options.flashFile, size) : undefined;
  const device = new VirtualChip({
    chip: options.chip,
    flashSize: size,
    ...(flashData ? { flashData } : {}),
    ...(options.mac ? { mac: simMac(options.mac, 'the MAC address') } : {}),
    timing: options.timing ?? false,
    clock: options.clock ?? realClock,
    startInDownloadMode: options.startInDownloadMode ?? true,
    ...(options.faults ? { faults: options.faults } : {}),
    secureDownload: options.secureDownload ?? false,
    flashEncryption: options.flashEncryption ?? false,
  });
  if (options.revision) device.registers.setChipRevision(options.revision);
  const flashFile = options.flashFile ? bindFlashFile(device.flash, options.flashFile) : null;
  return { device, flashFile };
}

/** Create an in-process transport to a new virtual chip (closing it closes the chip). */
export function createSimTransport(options: SimOptions): SimTransport {
  const { device, flashFile } = createVirtualChip(options);
  return new InProcessSimTransport({ device, flashFile, clock: options.clock ?? realClock });
}

/** Parts of an {@link InProcessSimTransport}. */
export interface SimTransportParts {
  device: VirtualChip;
  /** Closed with the transport when `onClose` is absent. */
  flashFile: FlashFileBinding | null;
  clock: Clock;
  /** `sim://…` text for messages (default `sim://<chip>`). */
  description?: string;
  /** Called on close instead of closing the device (the registry keeps shared devices alive). */
  onClose?: () => void;
}

/** The in-process transport; normally made by {@link createSimTransport} or the sim:// registry. */
export class InProcessSimTransport implements SimTransport {
  readonly device: VirtualChip;
  readonly description: string;
  readonly capabilities: TransportCapabilities = { modemLines: true, baudRate: true, rawStream: false };
  private baud = 115200;
  private chunks: Uint8Array[] = [];
  private waiters: Array<() => void> = [];
  private closed = false;
  /** Set when the port vanished: every later operation fails with it. */
  private lost: EspflashError | null = null;
  private readonly parts: SimTransportParts;
  private readonly clock: Clock;
  private readonly stopUnplug: () => void;

  constructor(parts: SimTransportParts) {
    this.parts = parts;
    this.device = parts.device;
    this.clock = parts.clock;
    this.description = parts.description ?? `sim://${parts.device.chip.name}`;
    this.stopUnplug = this.device.usb.onUnplug(() => {
      this.lost = disconnectedError(this.description);
      this.wake();
    });
    this.device.attachHost((bytes, baud) => {
      this.chunks.push(baud === this.baud ? bytes : garble(bytes));
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
  }

  get baudRate(): number {
    return this.baud;
  }

  /** The chip's time base: read timeouts run on it, and so does whoever connects through this port. */
  get linkClock(): Clock {
    return this.clock;
  }

  read(options: { timeoutMs: number; signal?: AbortSignal }): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      if (this.closed) return reject(closedError());
      if (this.lost) return reject(this.lost);
      if (options.signal?.aborted) return reject(options.signal.reason);
      if (this.chunks.length) return resolve(this.take());
      const timeout = new AbortController();
      const finish = () => {
        timeout.abort();
        options.signal?.removeEventListener('abort', onAbort);
        this.waiters = this.waiters.filter((w) => w !== onData);
      };
      const onData = () => {
        finish();
        if (this.closed) reject(closedError());
        else if (this.lost) reject(this.lost);
        else resolve(this.take());
      };
      const onAbort = () => {
        finish();
        reject(options.signal?.reason);
      };
      this.waiters.push(onData);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.clock.sleep(options.timeoutMs, timeout.signal).then(
        () => {
          finish();
          resolve(new Uint8Array(0));
        },
        () => {},
      );
    });
  }

  async write(data: Uint8Array): Promise<void> {
    this.check();
    this.device.hostWrite(data.slice(), this.baud);
    // The port vanished while these bytes went out: the write fails like a serial write does.
    if (this.lost) throw this.lost;
  }

  async setSignals(signals: ModemSignals): Promise<void> {
    this.check();
    this.device.setLines(signals);
  }

  async setBaudRate(baud: number): Promise<void> {
    this.check();
    this.baud = baud;
  }

  async flushInput(): Promise<void> {
    this.check();
    this.chunks = [];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopUnplug();
    if (this.parts.onClose) this.parts.onClose();
    else {
      this.device.close();
      this.parts.flashFile?.close();
    }
    this.wake();
  }

  private check(): void {
    if (this.closed) throw closedError();
    if (this.lost) throw this.lost;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private take(): Uint8Array {
    const parts = this.chunks;
    this.chunks = [];
    if (parts.length === 1) return parts[0]!;
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function closedError(): EspflashError {
  return new EspflashError('transport/closed', 'the sim:// transport is closed', {
    hint: 'Open a new transport (--port sim://...) for another session.',
  });
}
