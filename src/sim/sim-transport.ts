// An in-process Transport wired to a virtual ESP32: DTR/RTS drive its reset circuit, the host baud
// must match the device's (a mismatch garbles bytes), and the flash can persist to a file.

import { type Clock, realClock } from '../core/clock.js';
import type { ModemSignals, Transport, TransportCapabilities } from '../core/transport.js';
import { EspflashError } from '../errors.js';
import { garble, SimDevice } from './device.js';
import { bindFlashFile, type FlashFileBinding, loadFlashFile } from './flash-file.js';
import { type SimOptions, simMac, validateFlashSize, validateSecureDownload } from './sim-options.js';

export type { SimOptions } from './sim-options.js';
export { parseSimUrl } from './sim-options.js';

/** A Transport whose far end is a {@link SimDevice}. */
export interface SimTransport extends Transport {
  readonly device: SimDevice;
}

const DEFAULT_FLASH = 4 * 1024 * 1024;

/** Build the device for `options` (loading the flash file, if any) and its persistence binding. */
export function createSimDevice(options: SimOptions): {
  device: SimDevice;
  flashFile: FlashFileBinding | null;
} {
  const size = validateFlashSize(options.chip, options.flashSize ?? DEFAULT_FLASH, 'the flash size');
  if (options.secureDownload) validateSecureDownload(options.chip, 'secure download mode');
  const flashData = options.flashFile ? loadFlashFile(options.flashFile, size) : undefined;
  const device = new SimDevice({
    chip: options.chip,
    flashSize: size,
    ...(flashData ? { flashData } : {}),
    ...(options.mac ? { mac: simMac(options.mac, 'the MAC address') } : {}),
    timing: options.timing ?? false,
    clock: options.clock ?? realClock,
    startInDownloadMode: options.startInDownloadMode ?? true,
    ...(options.faults ? { faults: options.faults } : {}),
    secureDownload: options.secureDownload ?? false,
  });
  const flashFile = options.flashFile ? bindFlashFile(device.flash, options.flashFile) : null;
  return { device, flashFile };
}

/** Create an in-process transport to a new virtual chip. */
export function createSimTransport(options: SimOptions): SimTransport {
  const { device, flashFile } = createSimDevice(options);
  return new InProcessSimTransport({ device, flashFile, clock: options.clock ?? realClock });
}

class InProcessSimTransport implements SimTransport {
  readonly device: SimDevice;
  readonly description: string;
  readonly capabilities: TransportCapabilities = { modemLines: true, baudRate: true };
  private baud = 115200;
  private chunks: Uint8Array[] = [];
  private waiters: Array<() => void> = [];
  private closed = false;
  private readonly flashFile: FlashFileBinding | null;
  private readonly clock: Clock;

  constructor(parts: { device: SimDevice; flashFile: FlashFileBinding | null; clock: Clock }) {
    this.device = parts.device;
    this.flashFile = parts.flashFile;
    this.clock = parts.clock;
    this.description = `sim://${parts.device.chip.name}`;
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

  read(options: { timeoutMs: number; signal?: AbortSignal }): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      if (this.closed) return reject(closedError());
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
    if (this.closed) throw closedError();
    this.device.hostWrite(data.slice(), this.baud);
  }

  async setSignals(signals: ModemSignals): Promise<void> {
    if (this.closed) throw closedError();
    this.device.setLines(signals);
  }

  async setBaudRate(baud: number): Promise<void> {
    this.baud = baud;
  }

  async flushInput(): Promise<void> {
    this.chunks = [];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.device.close();
    this.flashFile?.close();
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
