// A fake Web Serial `SerialPort` backed by an espflash Transport (the sim in process, or a TCP
// socket to `espflash sim`), so esptool-js's unmodified Transport/ESPLoader can drive the sim.

import type { Transport } from '../../../src/core/session/transport.js';

interface Signals {
  dataTerminalReady?: boolean;
  requestToSend?: boolean;
  break?: boolean;
}

/** Implements the parts of the Web Serial port esptool-js 0.7.0 uses. */
export class TransportWebSerialPort {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  /** Every setSignals call, as the merged line state after it. */
  readonly signalLog: Array<{ dtr: boolean; rts: boolean }> = [];
  opens = 0;
  private lines = { dtr: false, rts: false };
  private stopRead: AbortController | null = null;
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  getInfo(): { usbVendorId?: number; usbProductId?: number } {
    return {};
  }

  async open(options: { baudRate: number }): Promise<void> {
    this.opens++;
    await this.transport.setBaudRate(options.baudRate);
    const stop = new AbortController();
    this.stopRead = stop;
    const transport = this.transport;
    this.readable = new ReadableStream<Uint8Array>({
      async pull(controller) {
        for (;;) {
          let bytes: Uint8Array;
          try {
            bytes = await transport.read({ timeoutMs: 500, signal: stop.signal });
          } catch {
            controller.close();
            return;
          }
          if (bytes.length) {
            controller.enqueue(bytes);
            return;
          }
        }
      },
      cancel() {
        stop.abort();
      },
    });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => transport.write(chunk),
    });
  }

  async close(): Promise<void> {
    this.stopRead?.abort();
    this.readable = null;
    this.writable = null;
  }

  /** Web Serial semantics: members left out keep their state. */
  async setSignals(signals: Signals): Promise<void> {
    if (signals.dataTerminalReady !== undefined) this.lines.dtr = signals.dataTerminalReady;
    if (signals.requestToSend !== undefined) this.lines.rts = signals.requestToSend;
    this.signalLog.push({ ...this.lines });
    await this.transport.setSignals({ ...this.lines });
  }
}
