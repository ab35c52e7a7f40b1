// A seeded fault-injecting TCP proxy for tests: listens on a free loopback port, forwards each client
// to a target port (QEMU's UART), flips one bit of a byte at a per-byte rate in each direction, and
// drops the client connection once after N bytes from the client. The target side stays up across
// client connections only as long as the target accepts the next one (QEMU does). Each host→chip flip
// is classified: the loader protocol checksums only the payload of MEM/FLASH/FLASH_DEFL_DATA blocks,
// so a flip anywhere else (a command's parameters, a data block's header, a SLIP framing byte) can
// go unnoticed by the chip.

import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** splitmix32: the same seed always gives the same faults. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 0x1_0000_0000;
  };
}

/** Options for {@link startFlakyProxy}. */
export interface FlakyProxyOptions {
  /** Where to forward (127.0.0.1). */
  targetPort: number;
  seed: number;
  /** Probability per byte (each direction) that one bit of it is flipped. */
  flipRate?: number;
  /** Drop the client once, after this many bytes from clients (counted across connections). */
  dropAfter?: number;
  /** Called for each flip (for debugging a seed): direction, stream offset, byte before and after. */
  onFlip?: (flip: { dir: 'up' | 'down'; at: number; from: number; to: number }) => void;
}

/** What the proxy did (for test messages). */
export interface FlakyProxyStats {
  connections: number;
  /** Bit flips host → chip and chip → host. */
  flipsUp: number;
  flipsDown: number;
  bytesUp: number;
  bytesDown: number;
  dropped: boolean;
  /**
   * Host→chip flips no checksum covers, SYNC frames left out (a damaged SYNC is harmless): opcode
   * and stream offset of each. Such a flip can send the stub into a long or wrong operation (an MD5
   * or erase of a huge range) that only a reset ends.
   */
  unchecked: Array<{ op: number; at: number }>;
}

const DATA_OPS = new Set([0x03, 0x07, 0x11]); // FLASH_DATA, MEM_DATA, FLASH_DEFL_DATA
const SYNC_OP = 0x08;

/** Follows the host's SLIP frames byte by byte to say which bytes a data checksum covers. */
class FrameTracker {
  private inFrame = false;
  private escaped = false;
  private index = 0;
  private op = -1;

  /** Where `byte` (as sent) sits: its frame's opcode and whether a checksum covers it. Then advance. */
  feed(byte: number): { op: number; checked: boolean } {
    if (byte === 0xc0) {
      if (this.inFrame && this.index > 0) this.inFrame = false;
      else {
        this.inFrame = true;
        this.index = 0;
        this.op = -1;
      }
      return { op: this.op, checked: false };
    }
    if (!this.inFrame) return { op: -1, checked: false };
    if (byte === 0xdb && !this.escaped) {
      this.escaped = true;
      return { op: this.op, checked: false };
    }
    const at = this.index++;
    const wasEscape = this.escaped;
    this.escaped = false;
    if (at === 1) this.op = byte;
    // Checksum field (4..7) and payload after the 16-byte block header (24..) of a data command.
    const covered = DATA_OPS.has(this.op) && ((at >= 4 && at < 8) || at >= 24);
    return { op: this.op, checked: covered && !wasEscape };
  }
}

export interface FlakyProxy {
  port: number;
  /** `socket://127.0.0.1:<port>` */
  url: string;
  stats: FlakyProxyStats;
  close(): Promise<void>;
}

/** Start the proxy. Each client gets its own connection to the target. */
export async function startFlakyProxy(options: FlakyProxyOptions): Promise<FlakyProxy> {
  const random = prng(options.seed);
  const rate = options.flipRate ?? 0;
  const stats: FlakyProxyStats = {
    connections: 0,
    flipsUp: 0,
    flipsDown: 0,
    bytesUp: 0,
    bytesDown: 0,
    dropped: false,
    unchecked: [],
  };
  let frames = new FrameTracker();
  const sockets = new Set<Socket>();
  /** Stream offset of `chunk[0]` (bytes already counted before the chunk). */
  const corrupt = (chunk: Buffer, dir: 'up' | 'down', base: number): Buffer => {
    if (rate <= 0) return chunk;
    const out = Buffer.from(chunk);
    for (let i = 0; i < out.length; i++) {
      const place = dir === 'up' ? frames.feed(out[i]!) : null;
      if (random() < rate) {
        const from = out[i]!;
        out[i] = from ^ (1 << Math.floor(random() * 8));
        const framing = out[i] === 0xc0 || out[i] === 0xdb;
        if (place && (!place.checked || framing) && place.op !== SYNC_OP) {
          stats.unchecked.push({ op: place.op, at: base + i });
        }
        options.onFlip?.({ dir, at: base + i, from, to: out[i]! });
        if (dir === 'up') stats.flipsUp++;
        else stats.flipsDown++;
      }
    }
    return out;
  };
  const server: Server = createServer((client) => {
    stats.connections++;
    frames = new FrameTracker();
    sockets.add(client);
    client.setNoDelay(true);
    const target = createConnection({ host: '127.0.0.1', port: options.targetPort });
    target.setNoDelay(true);
    sockets.add(target);
    const closeBoth = () => {
      client.destroy();
      target.destroy();
    };
    client.on('close', () => {
      sockets.delete(client);
      target.destroy();
    });
    target.on('close', () => {
      sockets.delete(target);
      client.destroy();
    });
    client.on('error', closeBoth);
    target.on('error', closeBoth);
    client.on('data', (chunk: Buffer) => {
      let data = chunk;
      if (
        !stats.dropped &&
        options.dropAfter !== undefined &&
        stats.bytesUp + data.length >= options.dropAfter
      ) {
        // Forward the bytes before the drop point (a frame cut in half), then cut the link.
        const keep = Math.max(0, options.dropAfter - stats.bytesUp);
        stats.dropped = true;
        target.write(corrupt(data.subarray(0, keep), 'up', stats.bytesUp), () => closeBoth());
        stats.bytesUp += keep;
        client.pause();
        return;
      }
      data = corrupt(data, 'up', stats.bytesUp);
      stats.bytesUp += data.length;
      target.write(data);
    });
    target.on('data', (chunk: Buffer) => {
      const out = corrupt(chunk, 'down', stats.bytesDown);
      stats.bytesDown += chunk.length;
      client.write(out);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `socket://127.0.0.1:${port}`,
    stats,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
