// RFC 2217 transport against a real ser2net in front of a socat pty pair (bytes both ways, baud
// acknowledgement, DTR/RTS requests, purge), plus scripted fake servers for the failure paths.

import { execFileSync } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Transport } from '../../src/core/session/transport.js';
import { EspflashError } from '../../src/errors.js';
import { openRfc2217Transport } from '../../src/node/rfc2217-transport.js';
import { openSerialTransport } from '../../src/node/serial-transport.js';
import { HAVE_SER2NET, SER2NET_SKIP_NOTE, type Ser2net, startSer2net } from './support/ser2net.js';
import { HAVE_SOCAT, type PtyPair, SOCAT_SKIP_NOTE, startPtyPair } from './support/socat.js';

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

async function readBytes(t: Transport, length: number, timeoutMs = 3000): Promise<Uint8Array> {
  const parts: number[] = [];
  while (parts.length < length) {
    const chunk = await t.read({ timeoutMs });
    if (chunk.length === 0) break;
    parts.push(...chunk);
  }
  return Uint8Array.from(parts);
}

async function rejection(promise: Promise<unknown>): Promise<EspflashError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof EspflashError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

/** Poll `check` every 10 ms for at most `ms` (the proxy forwards asynchronously). */
async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

function indexOfBytes(haystack: Uint8Array, needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A TCP proxy that records what the client sends, to check the requests that reach ser2net. */
async function recordingProxy(
  target: number,
): Promise<{ port: number; sent: () => Uint8Array; close(): Promise<void> }> {
  const upstream: number[] = [];
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const backend = createConnection({ host: '127.0.0.1', port: target });
    sockets.push(client, backend);
    client.on('data', (c: Buffer) => {
      upstream.push(...c);
      backend.write(c);
    });
    backend.on('data', (c: Buffer) => client.write(c));
    client.on('close', () => backend.destroy());
    backend.on('close', () => client.destroy());
    client.on('error', () => {});
    backend.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    sent: () => Uint8Array.from(upstream),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe.skipIf(!HAVE_SER2NET || !HAVE_SOCAT)(
  `RFC 2217 transport against ser2net${SER2NET_SKIP_NOTE}${SOCAT_SKIP_NOTE}`,
  () => {
    let pty: PtyPair | undefined;
    let ser2net: Ser2net | undefined;
    const cleanups: Array<() => Promise<void>> = [];

    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
      await ser2net?.cleanup();
      await pty?.cleanup();
    });

    /** ser2net serves pty end `a`; the test plays the device on end `b`. */
    async function setup(): Promise<{ t: Transport; device: Transport; port: number }> {
      pty = await startPtyPair();
      ser2net = await startSer2net({ device: pty.a });
      const device = await openSerialTransport({ path: pty.b });
      cleanups.push(() => device.close());
      const t = await openRfc2217Transport({ host: '127.0.0.1', port: ser2net.port });
      cleanups.push(() => t.close());
      return { t, device, port: ser2net.port };
    }

    it('moves bytes both ways, with 0xFF and CR NUL intact', async () => {
      const { t, device, port } = await setup();
      expect(t.description).toBe(`rfc2217://127.0.0.1:${port}`);
      expect(t.capabilities).toEqual({ modemLines: true, baudRate: true, rawStream: false });
      const binary = Uint8Array.from([
        0xff,
        0x0d,
        0x00,
        0x0d,
        0x0a,
        0xff,
        0xff,
        ...Array.from({ length: 256 }, (_, i) => i),
      ]);
      await t.write(binary);
      expect(await readBytes(device, binary.length)).toEqual(binary);
      await device.write(binary);
      expect(await readBytes(t, binary.length)).toEqual(binary);
    });

    it('sets the serial side to the requested baud rate once ser2net acknowledges it', async () => {
      const { t } = await setup();
      expect(t.baudRate).toBe(115200);
      await t.setBaudRate(921600);
      expect(t.baudRate).toBe(921600);
      const speed = execFileSync('stty', ['-F', pty!.a, 'speed'], { encoding: 'utf8', timeout: 5000 });
      expect(speed.trim()).toBe('921600');
      // Data still flows after the change.
      await t.write(text('after'));
    });

    it('sends DTR/RTS SET-CONTROL requests (only for lines that change) and ser2net keeps serving', async () => {
      pty = await startPtyPair();
      ser2net = await startSer2net({ device: pty.a });
      const proxy = await recordingProxy(ser2net.port);
      cleanups.push(() => proxy.close());
      const device = await openSerialTransport({ path: pty.b });
      cleanups.push(() => device.close());
      const t = await openRfc2217Transport({ host: '127.0.0.1', port: proxy.port });
      cleanups.push(() => t.close());

      const dtrOff = [255, 250, 44, 5, 9, 255, 240];
      const rtsOff = [255, 250, 44, 5, 12, 255, 240];
      const dtrOn = [255, 250, 44, 5, 8, 255, 240];
      const rtsOn = [255, 250, 44, 5, 11, 255, 240];
      // Opening leaves both lines off.
      await eventually(() => indexOfBytes(proxy.sent(), rtsOff) >= 0);
      const afterOpen = proxy.sent().length;
      expect(indexOfBytes(proxy.sent(), dtrOff)).toBeGreaterThanOrEqual(0);
      expect(indexOfBytes(proxy.sent(), rtsOff)).toBeGreaterThanOrEqual(0);

      await t.setSignals({ dtr: false, rts: true });
      await t.setSignals({ dtr: true, rts: false });
      await t.write(text('ping'));
      expect(decode(await readBytes(device, 4))).toBe('ping');
      const tail = proxy.sent().subarray(afterOpen);
      expect([...tail]).toEqual([...rtsOn, ...dtrOn, ...rtsOff, ...text('ping')]);
      await device.write(text('pong'));
      expect(decode(await readBytes(t, 4))).toBe('pong');
    });

    it('flushInput discards what the device sent before it', async () => {
      const { t, device } = await setup();
      await device.write(text('stale boot log'));
      await new Promise((r) => setTimeout(r, 300));
      await t.flushInput();
      // As a command would: the request follows the purge on the same stream, so once the device
      // has it the server has purged and acknowledged; only then does the device answer.
      await t.write(text('?'));
      expect(decode(await readBytes(device, 1))).toBe('?');
      await device.write(text('fresh'));
      expect(decode(await readBytes(t, 5))).toBe('fresh');
      expect(await t.read({ timeoutMs: 100 })).toHaveLength(0);
    });

    it('close rejects pending reads and frees the server for the next client', async () => {
      const { t, device } = await setup();
      const pending = rejection(t.read({ timeoutMs: 10_000 }));
      await t.close();
      expect((await pending).code).toBe('transport/closed');
      const again = await openRfc2217Transport({ host: '127.0.0.1', port: ser2net!.port });
      cleanups.push(() => again.close());
      await device.write(text('hi'));
      expect(decode(await readBytes(again, 2))).toBe('hi');
    });
  },
);

/** A scripted Telnet server: `onData` sees every chunk the client sends. */
async function fakeServer(onData: (socket: Socket, chunk: Buffer) => void, greeting?: number[]) {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    if (greeting) s.write(Buffer.from(greeting));
    s.on('data', (c: Buffer) => onData(s, c));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('RFC 2217 transport against scripted servers', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('fails with rfc2217/unsupported when the server refuses COM-PORT-OPTION', async () => {
    const server = await fakeServer((s, c) => {
      if (indexOfBytes(c, [255, 251, 44]) >= 0) s.write(Buffer.from([255, 254, 44]));
    });
    cleanups.push(server.close);
    const err = await rejection(openRfc2217Transport({ host: '127.0.0.1', port: server.port }));
    expect(err.code).toBe('rfc2217/unsupported');
    expect(err.hint).toContain('socket://');
  });

  it('fails with rfc2217/no-reply when a raw TCP server never negotiates', async () => {
    const server = await fakeServer(() => {});
    cleanups.push(server.close);
    const err = await rejection(
      openRfc2217Transport({ host: '127.0.0.1', port: server.port, replyTimeoutMs: 100 }),
    );
    expect(err.code).toBe('rfc2217/no-reply');
    expect(err.message).toContain('COM-PORT-OPTION');
  });

  it('refuses options it does not want, once, and rejects a baud rate the server would not set', async () => {
    const received: number[] = [];
    const server = await fakeServer(
      (s, c) => {
        received.push(...c);
        if (indexOfBytes(c, [255, 251, 44]) >= 0) s.write(Buffer.from([255, 253, 44]));
        // Answer every SET-BAUDRATE with 9600 (0x00002580).
        if (indexOfBytes(c, [255, 250, 44, 1]) >= 0)
          s.write(Buffer.from([255, 250, 44, 101, 0, 0, 0x25, 0x80, 255, 240]));
      },
      // WILL ECHO twice, DO TERMINAL-TYPE (24) twice: refused once each, no negotiation loop.
      [255, 251, 1, 255, 251, 1, 255, 253, 24, 255, 253, 24],
    );
    cleanups.push(server.close);
    const err = await rejection(openRfc2217Transport({ host: '127.0.0.1', port: server.port }));
    expect(err.code).toBe('rfc2217/baud-rejected');
    expect(err.details).toMatchObject({ requested: 115200, confirmed: 9600 });
    const sent = Uint8Array.from(received);
    const count = (seq: number[]) => {
      let n = 0;
      for (let i = 0; i + seq.length <= sent.length; i++) if (seq.every((v, j) => sent[i + j] === v)) n++;
      return n;
    };
    expect(count([255, 254, 1])).toBe(1);
    expect(count([255, 252, 24])).toBe(1);
  });

  it('drops stale bytes that arrive before the purge acknowledgement, keeps those after it', async () => {
    const server = await fakeServer((s, c) => {
      if (indexOfBytes(c, [255, 251, 44]) >= 0) s.write(Buffer.from([255, 253, 44]));
      const baud = indexOfBytes(c, [255, 250, 44, 1]);
      if (baud >= 0) s.write(Buffer.from([255, 250, 44, 101, ...c.subarray(baud + 4, baud + 8), 255, 240]));
      if (indexOfBytes(c, [255, 250, 44, 12, 1, 255, 240]) >= 0) {
        // Stale output still in flight, the purge acknowledgement, then fresh output (with an escaped 0xFF).
        s.write(Buffer.from([...text('stale'), 255, 250, 44, 112, 1, 255, 240, ...text('fresh'), 255, 255]));
      }
    });
    cleanups.push(server.close);
    const t = await openRfc2217Transport({ host: '127.0.0.1', port: server.port });
    cleanups.push(() => t.close());
    await t.flushInput();
    const got = await readBytes(t, 6);
    expect([...got]).toEqual([...text('fresh'), 0xff]);
  });

  it('accepts input again when a server never acknowledges the purge', async () => {
    let client: Socket | undefined;
    const server = await fakeServer((s, c) => {
      client = s;
      if (indexOfBytes(c, [255, 251, 44]) >= 0) s.write(Buffer.from([255, 253, 44]));
      const baud = indexOfBytes(c, [255, 250, 44, 1]);
      if (baud >= 0) s.write(Buffer.from([255, 250, 44, 101, ...c.subarray(baud + 4, baud + 8), 255, 240]));
    });
    cleanups.push(server.close);
    const t = await openRfc2217Transport({ host: '127.0.0.1', port: server.port, replyTimeoutMs: 100 });
    cleanups.push(() => t.close());
    await t.flushInput();
    await new Promise((r) => setTimeout(r, 250));
    client!.write(Buffer.from('late'));
    expect(decode(await readBytes(t, 4))).toBe('late');
  });
});
