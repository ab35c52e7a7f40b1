// A minimal raw loader client for differential tests: sends SLIP-framed requests over TCP (to the
// real ROM under QEMU or to `espflash sim`) and records every response frame byte for byte, plus
// any bytes seen outside frames. No retries, no interpretation: what came back is what is compared.

import { connect, type Socket } from 'node:net';
import { packU32 } from '../../../src/core/protocol/bytes.js';
import { dataBlock, encodeCommand, syncData } from '../../../src/core/protocol/packets.js';
import { SlipDecoder, slipEncode } from '../../../src/core/protocol/slip.js';

/** What came back after one request: the frames in order and any bytes outside frames. */
export interface Exchange {
  frames: Uint8Array[];
  noise: Uint8Array;
}

/** A raw TCP client speaking SLIP. */
export class RawClient {
  private readonly socket: Socket;
  private readonly decoder = new SlipDecoder({ maxFrame: 0x10000 });
  private frames: Uint8Array[] = [];
  private noise: number[] = [];
  private lastRx = Date.now();
  private closed = false;

  private constructor(
    socket: Socket,
    /** The server's TCP port (to reconnect after a drop). */
    readonly port: number,
  ) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.lastRx = Date.now();
      const r = this.decoder.feed(new Uint8Array(chunk));
      this.frames.push(...r.frames);
      this.noise.push(...r.noise);
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  /** Connect to `127.0.0.1:port`. */
  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.setNoDelay(true);
        resolve(new RawClient(socket, port));
      });
      socket.once('error', reject);
    });
  }

  /** Whether the peer closed the connection. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Write bytes as they are (no framing). */
  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Send one request frame. */
  send(op: number, data: Uint8Array = new Uint8Array(0), checksum = 0): void {
    this.writeRaw(slipEncode(encodeCommand({ op, data, checksum })));
  }

  /** Send a *_DATA block (`len, seq, 0, 0` + payload) with its checksum (or `checksum` to spoil it). */
  sendBlock(op: number, seq: number, payload: Uint8Array, checksum?: number): void {
    const block = dataBlock({ seq, payload });
    this.send(op, block.data, checksum ?? block.checksum);
  }

  /** Forget a partial frame (after a reset, whose glitches can open one). */
  resync(): void {
    this.decoder.reset();
  }

  /** Drop everything received so far. */
  clear(): void {
    this.frames = [];
    this.noise = [];
  }

  /**
   * Wait until at least `count` frames (default 1) arrived and then nothing for `quietMs` (to catch
   * repeated replies), or until `maxMs` passed. `count: 0` waits for `quietMs` of silence. Returns
   * what arrived and forgets it.
   */
  async collect(options: { count?: number; quietMs?: number; maxMs?: number } = {}): Promise<Exchange> {
    const count = options.count ?? 1;
    const quiet = options.quietMs ?? 150;
    const max = options.maxMs ?? 5000;
    const start = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 10));
      const now = Date.now();
      if (this.closed || now - start > max) break;
      if (this.frames.length >= count && now - Math.max(this.lastRx, start) >= quiet) break;
    }
    const out = { frames: this.frames, noise: new Uint8Array(this.noise) };
    this.clear();
    return out;
  }

  /** Send a request and collect its replies. */
  async exchange(
    op: number,
    data: Uint8Array = new Uint8Array(0),
    options: { checksum?: number; count?: number; quietMs?: number; maxMs?: number } = {},
  ): Promise<Exchange> {
    this.clear();
    this.send(op, data, options.checksum ?? 0);
    return this.collect({ count: options.count ?? 1, ...options });
  }

  /** SYNC and collect every reply. */
  sync(): Promise<Exchange> {
    return this.exchange(0x08, syncData(), { count: 8, quietMs: 200 });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** u32 little-endian words as bytes. */
export const words = (...values: number[]): Uint8Array => packU32(...values);

/** A frame as spaced hex. */
export function frameHex(frame: Uint8Array): string {
  return Array.from(frame, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** A flasher stub as its JSON file describes it (the fields a MEM_* upload needs). */
export interface StubJson {
  entry: number;
  text: string;
  text_start: number;
  data?: string;
  data_start?: number;
}

/**
 * Upload a stub with MEM_BEGIN/MEM_DATA/MEM_END (0x1800-byte blocks) and return every exchange in
 * order (the last one holds the MEM_END reply and the stub's OHAI).
 */
export async function uploadStub(client: RawClient, stub: StubJson): Promise<Exchange[]> {
  const out: Exchange[] = [];
  const segments: Array<[Uint8Array, number]> = [[Buffer.from(stub.text, 'base64'), stub.text_start]];
  if (stub.data) segments.push([Buffer.from(stub.data, 'base64'), stub.data_start ?? 0]);
  for (const [bytes, addr] of segments) {
    const blocks = Math.ceil(bytes.length / 0x1800);
    out.push(await client.exchange(0x05, words(bytes.length, blocks, 0x1800, addr)));
    for (let i = 0; i < blocks; i++) {
      client.clear();
      client.sendBlock(0x07, i, new Uint8Array(bytes.subarray(i * 0x1800, (i + 1) * 0x1800)));
      out.push(await client.collect({ count: 1 }));
    }
  }
  out.push(await client.exchange(0x06, words(0, stub.entry), { count: 2, quietMs: 300 }));
  return out;
}
