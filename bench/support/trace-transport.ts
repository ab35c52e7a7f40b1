// A Transport wrapper for benches: decodes the SLIP frames going out and coming back and records,
// per opcode, how many commands were sent, the bytes on the wire and the time from a request to its
// reply, so a flash on a real chip can be split into connect, stub upload, baud, write and MD5.

import { opcodeName } from '../../src/core/protocol/opcodes.js';
import { SlipDecoder } from '../../src/core/protocol/slip.js';
import { ForwardingTransport } from './forwarding-transport.js';

/** Totals for one opcode. */
export interface OpTotals {
  count: number;
  /** SLIP payload bytes sent (requests). */
  bytesOut: number;
  /** Sum over requests of the time to their reply (overlapping requests each count). */
  ms: number;
  /** First request and last reply (ms since the trace started). */
  first: number;
  last: number;
}

/** Wraps `inner`; `ops` fills as commands go by. */
export class TraceTransport extends ForwardingTransport {
  readonly ops = new Map<string, OpTotals>();
  /** Every answered command: name, sent and replied (ms since the trace started). */
  readonly log: Array<{ op: string; sent: number; replied: number }> = [];
  readonly started = performance.now();
  private readonly out = new SlipDecoder({ maxFrame: 1 << 20 });
  private readonly back = new SlipDecoder({ maxFrame: 1 << 20 });
  private readonly pending = new Map<number, number[]>();

  private now(): number {
    return performance.now() - this.started;
  }

  private totals(op: number): OpTotals {
    const name = opcodeName(op);
    let t = this.ops.get(name);
    if (!t) {
      t = { count: 0, bytesOut: 0, ms: 0, first: this.now(), last: 0 };
      this.ops.set(name, t);
    }
    return t;
  }

  override async read(o: { timeoutMs: number; signal?: AbortSignal }): Promise<Uint8Array> {
    const bytes = await this.inner.read(o);
    for (const f of this.back.feed(bytes).frames) {
      if (f.length < 8 || f[0] !== 1) continue;
      const sent = this.pending.get(f[1]!)?.shift();
      if (sent === undefined) continue;
      const t = this.totals(f[1]!);
      t.ms += this.now() - sent;
      t.last = this.now();
      this.log.push({ op: opcodeName(f[1]!), sent, replied: this.now() });
    }
    return bytes;
  }

  override async write(data: Uint8Array): Promise<void> {
    for (const f of this.out.feed(data).frames) {
      if (f.length < 8 || f[0] !== 0) continue;
      const t = this.totals(f[1]!);
      t.count++;
      t.bytesOut += f.length;
      const queue = this.pending.get(f[1]!) ?? [];
      queue.push(this.now());
      this.pending.set(f[1]!, queue);
    }
    return this.inner.write(data);
  }

  override async flushInput() {
    // Replies dropped with the flushed input never come: forget what they would have matched.
    this.pending.clear();
    return this.inner.flushInput();
  }
}
