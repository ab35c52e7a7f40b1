// An in-memory Transport pair for tests and in-process devices: what one end writes the other end
// reads (in chunks of at most `maxChunk`), and the host's DTR/RTS changes are logged with timestamps.

import { type Clock, realClock } from './clock.js';
import { ReadQueue, transportClosedError } from './read-queue.js';
import type { ModemSignals, Transport, TransportCapabilities } from './transport.js';

/** One `setSignals` call on the host end, as the device saw it. */
export interface SignalsLogEntry extends ModemSignals {
  /** `clock.now()` when the host set the lines. */
  at: number;
}

/** Options for {@link createMemoryTransportPair}. */
export interface MemoryTransportPairOptions {
  /** Largest number of bytes one `read` returns on either end (default: all that is buffered). */
  maxChunk?: number;
  /** Time source for read timeouts and log timestamps (default: the real clock). */
  clock?: Clock;
  /** Called on every host `setSignals`, after it is logged (lets a fake device react to resets). */
  onSignals?: (entry: SignalsLogEntry) => void;
  /** Description of the host end (default `memory://device`). */
  description?: string;
  /** Initial nominal baud rate of both ends (default 115200). */
  baudRate?: number;
}

/** The device end: a Transport plus the record of the host's modem-line changes. */
export interface MemoryDeviceTransport extends Transport {
  /** Every host `setSignals` call in order (repeated states included), oldest first. */
  readonly signalsLog: SignalsLogEntry[];
  /** The lines as the host last set them (both false initially). */
  readonly signals: ModemSignals;
}

/** A connected pair: the host side (what the flasher uses) and the device side (a fake chip). */
export interface MemoryTransportPair {
  host: Transport;
  device: MemoryDeviceTransport;
}

/**
 * Create two connected in-memory transports. Writes are delivered to the peer synchronously and
 * never dropped; closing either end closes both (the peer may still read what was already sent;
 * then its reads reject with `transport/closed`, as do writes on either end).
 */
export function createMemoryTransportPair(options: MemoryTransportPairOptions = {}): MemoryTransportPair {
  const clock = options.clock ?? realClock;
  const queueOptions = { clock, ...(options.maxChunk === undefined ? {} : { maxRead: options.maxChunk }) };
  const toDevice = new ReadQueue(queueOptions);
  const toHost = new ReadQueue(queueOptions);
  const hostDescription = options.description ?? 'memory://device';
  const deviceDescription = 'memory://host';
  const signalsLog: SignalsLogEntry[] = [];
  let signals: ModemSignals = { dtr: false, rts: false };
  let closed = false;

  const closeBoth = (closer: 'host' | 'device'): void => {
    if (closed) return;
    closed = true;
    // The closing end discards its input; the peer may still drain what was sent before the close.
    toHost.close(transportClosedError(hostDescription), { drain: closer === 'device' });
    toDevice.close(transportClosedError(deviceDescription), { drain: closer === 'host' });
  };

  const makeEnd = (end: {
    description: string;
    inbox: ReadQueue;
    outbox: ReadQueue;
    onSignals: (s: ModemSignals) => void;
    name: 'host' | 'device';
  }) => {
    const capabilities: TransportCapabilities = { modemLines: true, baudRate: true, rawStream: false };
    let baudRate = options.baudRate ?? 115200;
    const ensureOpen = (): void => {
      if (closed) throw transportClosedError(end.description);
    };
    return {
      description: end.description,
      capabilities,
      get baudRate() {
        return baudRate;
      },
      read: (readOptions: { timeoutMs: number; signal?: AbortSignal }) => end.inbox.read(readOptions),
      write: async (data: Uint8Array) => {
        ensureOpen();
        end.outbox.push(data);
      },
      setSignals: async (next: ModemSignals) => {
        ensureOpen();
        end.onSignals({ dtr: next.dtr, rts: next.rts });
      },
      setBaudRate: async (baud: number) => {
        ensureOpen();
        baudRate = baud;
      },
      flushInput: async () => {
        end.inbox.clear();
      },
      close: async () => closeBoth(end.name),
    } satisfies Transport;
  };

  const host = makeEnd({
    description: hostDescription,
    inbox: toHost,
    outbox: toDevice,
    name: 'host',
    onSignals: (s) => {
      signals = s;
      const entry = { ...s, at: clock.now() };
      signalsLog.push(entry);
      options.onSignals?.(entry);
    },
  });
  const deviceBase = makeEnd({
    description: deviceDescription,
    inbox: toDevice,
    outbox: toHost,
    name: 'device',
    onSignals: () => {},
  });
  const device: MemoryDeviceTransport = Object.defineProperties(deviceBase, {
    signalsLog: { value: signalsLog, enumerable: true },
    signals: { get: () => ({ ...signals }), enumerable: true },
  }) as typeof deviceBase & MemoryDeviceTransport;
  return { host, device };
}
