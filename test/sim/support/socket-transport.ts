// A minimal Transport over a TCP socket (or any Node duplex), for driving `espflash sim` servers
// in tests without depending on the product's own socket transport.

import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ModemSignals, Transport } from '../../../src/core/session/transport.js';

export class StreamTransport implements Transport {
  readonly description: string;
  readonly capabilities = { modemLines: false, baudRate: false, rawStream: true };
  readonly baudRate = 115200;
  private chunks: Uint8Array[] = [];
  private waiters: Array<() => void> = [];
  private closed = false;
  readonly stream: Duplex;

  constructor(stream: Duplex, description: string) {
    this.stream = stream;
    this.description = description;
    stream.on('data', (d: Buffer) => {
      this.chunks.push(new Uint8Array(d));
      this.wake();
    });
    stream.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  read(options: { timeoutMs: number; signal?: AbortSignal }): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const take = () => {
        const parts = this.chunks;
        this.chunks = [];
        resolve(new Uint8Array(Buffer.concat(parts)));
      };
      if (this.chunks.length) return take();
      if (this.closed) return reject(new Error('closed'));
      if (options.signal?.aborted) return reject(options.signal.reason);
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== onData);
        resolve(new Uint8Array(0));
      }, options.timeoutMs);
      const onData = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (this.chunks.length) take();
        else reject(new Error('closed'));
      };
      const onAbort = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== onData);
        reject(options.signal?.reason);
      };
      this.waiters.push(onData);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async write(data: Uint8Array): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.stream.write(data, (err) => (err ? reject(err) : resolve())),
    );
  }

  async setSignals(_signals: ModemSignals): Promise<void> {}
  async setBaudRate(_baud: number): Promise<void> {}
  async flushInput(): Promise<void> {
    this.chunks = [];
  }
  async close(): Promise<void> {
    this.stream.destroy();
  }
}

export async function connectTcp(host: string, port: number): Promise<StreamTransport> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(port, host, () => resolve(s));
    s.once('error', reject);
  });
  socket.setNoDelay(true);
  return new StreamTransport(socket, `socket://${host}:${port}`);
}
