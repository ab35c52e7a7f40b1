// A seeded fault-injecting TCP proxy for tests: listens on a free loopback port, forwards each client
// to a target port (QEMU's UART), flips one bit of a byte at a per-byte rate in each direction, and
// drops the client connection once after N bytes from the client. The target side stays up across
// client connections only as long as the target accepts the next one (QEMU does).

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
  };
  const sockets = new Set<Socket>();
  /** Stream offset of `chunk[0]` (bytes already counted before the chunk). */
  const corrupt = (chunk: Buffer, dir: 'up' | 'down', base: number): Buffer => {
    if (rate <= 0) return chunk;
    const out = Buffer.from(chunk);
    for (let i = 0; i < out.length; i++) {
      if (random() < rate) {
        const from = out[i]!;
        out[i] = from ^ (1 << Math.floor(random() * 8));
        options.onFlip?.({ dir, at: base + i, from, to: out[i]! });
        if (dir === 'up') stats.flipsUp++;
        else stats.flipsDown++;
      }
    }
    return out;
  };
  const server: Server = createServer((client) => {
    stats.connections++;
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
