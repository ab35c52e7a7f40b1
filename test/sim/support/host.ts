// A deliberately tiny host for sim tests: hand-built request frames, SLIP framing, reply parsing.
// Independent of the client protocol code so the sim is checked against the spec, not against it.

import { SlipDecoder, slipEncode } from '../../../src/core/protocol/slip.js';
import type { Transport } from '../../../src/core/session/transport.js';

/** u32 words little-endian. */
export function words(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    view.setUint32(i * 4, v >>> 0, true);
  });
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function xorChecksum(bytes: Uint8Array): number {
  let c = 0xef;
  for (const b of bytes) c ^= b;
  return c;
}

/** A request frame (before SLIP): 00 op size(u16) checksum(u32) data. */
export function requestFrame(op: number, data: Uint8Array = new Uint8Array(0), checksum = 0): Uint8Array {
  const head = new Uint8Array(8);
  const view = new DataView(head.buffer);
  head[1] = op;
  view.setUint16(2, data.length, true);
  view.setUint32(4, checksum >>> 0, true);
  return concat(head, data);
}

/** Data-carrying command body: len, seq, 0, 0, payload (checksum goes in the header). */
export function dataBody(payload: Uint8Array, seq: number): Uint8Array {
  return concat(words(payload.length, seq, 0, 0), payload);
}

export const SYNC_DATA = new Uint8Array([0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)]);

export interface Reply {
  op: number;
  size: number;
  value: number;
  /** Data field including status bytes. */
  data: Uint8Array;
}

export function parseReply(frame: Uint8Array): Reply | null {
  if (frame.length < 8 || frame[0] !== 1) return null;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return {
    op: frame[1]!,
    size: view.getUint16(2, true),
    value: view.getUint32(4, true),
    data: frame.slice(8),
  };
}

/** Drives a transport with raw frames and collects decoded frames and noise. */
export class TestHost {
  readonly transport: Transport;
  private decoder = new SlipDecoder();
  private frames: Uint8Array[] = [];
  noise = '';

  constructor(transport: Transport) {
    this.transport = transport;
  }

  async send(op: number, data?: Uint8Array, checksum?: number): Promise<void> {
    await this.transport.write(slipEncode(requestFrame(op, data, checksum)));
  }

  async sendRaw(payload: Uint8Array): Promise<void> {
    await this.transport.write(slipEncode(payload));
  }

  /** Next decoded frame, or null after `timeoutMs` of silence. */
  async frame(timeoutMs = 2000): Promise<Uint8Array | null> {
    for (;;) {
      const f = this.frames.shift();
      if (f) return f;
      const bytes = await this.transport.read({ timeoutMs });
      if (bytes.length === 0) return null;
      const r = this.decoder.feed(bytes);
      this.noise += String.fromCharCode(...r.noise);
      this.frames.push(...r.frames);
    }
  }

  /** Next reply frame (skipping non-replies). */
  async reply(timeoutMs = 2000): Promise<Reply | null> {
    for (;;) {
      const f = await this.frame(timeoutMs);
      if (!f) return null;
      const r = parseReply(f);
      if (r) return r;
    }
  }

  /** Send and wait for the reply with the same opcode. */
  async command(op: number, data?: Uint8Array, checksum?: number, timeoutMs = 2000): Promise<Reply> {
    await this.send(op, data, checksum);
    for (;;) {
      const r = await this.reply(timeoutMs);
      if (!r) throw new Error(`no reply to 0x${op.toString(16)}`);
      if (r.op === op) return r;
    }
  }

  /** Collect everything that arrives until `timeoutMs` of silence. */
  async drain(timeoutMs = 50): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (;;) {
      const f = await this.frame(timeoutMs);
      if (!f) return out;
      out.push(f);
    }
  }

  /** Read raw text (boot logs) until silence. */
  async text(timeoutMs = 50): Promise<string> {
    let s = '';
    for (;;) {
      const b = await this.transport.read({ timeoutMs });
      if (b.length === 0) return s;
      s += String.fromCharCode(...b);
    }
  }
}

/** Flasher stub image as esptool-js ships it. */
export interface StubImage {
  entry: number;
  text: Uint8Array;
  textStart: number;
  data: Uint8Array;
  dataStart: number;
}

/** Upload `stub` with MEM_BEGIN/MEM_DATA/MEM_END (0x1800-byte blocks); returns the MEM_END reply. */
export async function uploadStub(host: TestHost, stub: StubImage): Promise<Reply> {
  for (const [bytes, start] of [
    [stub.text, stub.textStart],
    [stub.data, stub.dataStart],
  ] as const) {
    const blocks = Math.ceil(bytes.length / 0x1800);
    await expectOk(host, 0x05, words(bytes.length, blocks, 0x1800, start));
    for (let seq = 0; seq < blocks; seq++) {
      const chunk = bytes.subarray(seq * 0x1800, (seq + 1) * 0x1800);
      await expectOk(host, 0x07, dataBody(chunk, seq), xorChecksum(chunk));
    }
  }
  return host.command(0x06, words(0, stub.entry));
}

/** Send a payload-less command and throw unless its status is OK. */
export async function expectOk(
  host: TestHost,
  op: number,
  data?: Uint8Array,
  checksum?: number,
): Promise<Reply> {
  const r = await host.command(op, data, checksum);
  if (r.data[0] !== 0) {
    throw new Error(`0x${op.toString(16)} failed: ${Array.from(r.data).join(',')}`);
  }
  return r;
}
