// Raw TCP transport against a local net.Server: bytes both ways, timeouts, capabilities, peer close
// and the connection-refused error.

import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Transport } from '../../src/core/session/transport.js';
import { EspflashError } from '../../src/errors.js';
import { openTcpTransport } from '../../src/node/tcp-transport.js';
import { FakeClock } from '../core/support/fake-clock.js';

interface Peer {
  server: Server;
  port: number;
  /** The server side of the next accepted connection. */
  accepted: Promise<Socket>;
}

async function listen(): Promise<Peer> {
  const server = createServer();
  let accept: (s: Socket) => void = () => {};
  const accepted = new Promise<Socket>((resolve) => {
    accept = resolve;
  });
  server.on('connection', (s) => accept(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, accepted };
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

/** Collect `length` bytes arriving on a server-side socket. */
function receive(socket: Socket, length: number): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const parts: number[] = [];
    const onData = (chunk: Buffer) => {
      parts.push(...chunk);
      if (parts.length >= length) {
        socket.off('data', onData);
        resolve(Uint8Array.from(parts));
      }
    };
    socket.on('data', onData);
  });
}

describe('TCP transport (socket://)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function connected(
    options: { ackNudge?: boolean; pace?: boolean; clock?: FakeClock } = {},
  ): Promise<{ t: Transport; peer: Socket; port: number }> {
    const { server, port, accepted } = await listen();
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const t = await openTcpTransport({ host: '127.0.0.1', port, ...options });
    cleanups.push(() => t.close());
    const peer = await accepted;
    cleanups.push(async () => {
      peer.destroy();
    });
    return { t, peer, port };
  }

  it('moves bytes both ways and describes itself as a socket:// URL', async () => {
    const { t, peer, port } = await connected();
    expect(t.description).toBe(`socket://127.0.0.1:${port}`);
    const sent = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const got = receive(peer, sent.length);
    await t.write(sent);
    expect(await got).toEqual(sent);
    peer.write(Buffer.from([0xc0, 0x01, 0xff, 0xc0]));
    expect(await t.read({ timeoutMs: 2000 })).toEqual(new Uint8Array([0xc0, 0x01, 0xff, 0xc0]));
  });

  it('buffers bytes that arrive before a read, and times out empty when none do', async () => {
    const { t, peer } = await connected();
    expect(await t.read({ timeoutMs: 20 })).toHaveLength(0);
    peer.write(Buffer.from('early'));
    await new Promise((r) => setTimeout(r, 50));
    expect(new TextDecoder().decode(await t.read({ timeoutMs: 0 }))).toBe('early');
  });

  it('has no modem lines or baud rate; both calls succeed without effect on the wire', async () => {
    const { t, peer } = await connected();
    expect(t.capabilities).toEqual({ modemLines: false, baudRate: false, rawStream: true });
    let wire = 0;
    peer.on('data', (c: Buffer) => {
      wire += c.length;
    });
    await t.setSignals({ dtr: true, rts: true });
    await t.setBaudRate(921600);
    expect(t.baudRate).toBe(921600);
    await t.write(new Uint8Array([1]));
    await new Promise((r) => setTimeout(r, 50));
    expect(wire).toBe(1);
  });

  it('ackNudge: a NUL goes back while a reply frame is open and after framed replies, never for boot text', async () => {
    const { t, peer } = await connected({ ackNudge: true });
    const back: number[] = [];
    peer.on('data', (c: Buffer) => back.push(...c));
    const settle = () => new Promise((r) => setTimeout(r, 50));
    // Boot text before the peer has framed anything: nothing to nudge.
    peer.write(Buffer.from('ets Jul 29 2019\r\n'));
    await settle();
    expect(back).toEqual([]);
    // A frame that stops half-way (Nagle holding the rest): one NUL, outside any frame on our side.
    peer.write(Buffer.from([0xc0, 0x01]));
    await settle();
    expect(back).toEqual([0x00]);
    // Once the peer has framed something, every chunk is acknowledged (more frames may follow).
    peer.write(Buffer.from([0x0a, 0x02, 0xc0]));
    await settle();
    expect(back).toEqual([0x00, 0x00]);
    const got: number[] = [];
    for (let i = 0; i < 3 && got.length < 42; i++) got.push(...(await t.read({ timeoutMs: 100 })));
    expect(got.at(-1)).toBe(0xc0);
  });

  it('without ackNudge (a console) nothing is ever sent back', async () => {
    const { peer } = await connected();
    const back: number[] = [];
    peer.on('data', (c: Buffer) => back.push(...c));
    peer.write(Buffer.from([0xc0, 0x01]));
    await new Promise((r) => setTimeout(r, 50));
    expect(back).toEqual([]);
  });

  it('pace: once a baud switch names the link rate, long writes take that long (virtual time), intact', async () => {
    const clock = new FakeClock();
    const { t, peer } = await connected({ pace: true, clock });
    const data = Uint8Array.from({ length: 4600 }, (_, i) => (i * 7) & 0xff);
    // Before any switch the rate is unknown: one burst, no waiting.
    let got = receive(peer, data.length);
    await t.write(data);
    expect(await got).toEqual(data);
    expect(clock.now()).toBe(0);
    await t.setBaudRate(115200); // 11.52 bytes per ms
    got = receive(peer, data.length);
    await t.write(data);
    expect(await got).toEqual(data);
    // The last slice goes out without a wait after it.
    expect(clock.now()).toBeGreaterThanOrEqual((data.length - 64) / 11.52);
    expect(clock.now()).toBeLessThanOrEqual(data.length / 11.52 + 1);
    // Short writes (commands) never wait.
    const before = clock.now();
    await t.write(new Uint8Array(200));
    expect(clock.now()).toBe(before);
  });

  it('flushInput drops received bytes', async () => {
    const { t, peer } = await connected();
    peer.write(Buffer.from('stale'));
    await new Promise((r) => setTimeout(r, 50));
    await t.flushInput();
    expect(await t.read({ timeoutMs: 0 })).toHaveLength(0);
  });

  it('rejects a pending read with transport/closed when the peer hangs up, after draining sent bytes', async () => {
    const { t, peer } = await connected();
    peer.end(Buffer.from('bye'));
    expect(new TextDecoder().decode(await t.read({ timeoutMs: 2000 }))).toBe('bye');
    const err = await rejection(t.read({ timeoutMs: 5000 }));
    expect(err.code).toBe('transport/closed');
    expect((await rejection(t.write(new Uint8Array([1])))).code).toBe('transport/closed');
  });

  it('local close rejects pending reads and is idempotent', async () => {
    const { t } = await connected();
    const pending = rejection(t.read({ timeoutMs: 10_000 }));
    await t.close();
    await t.close();
    expect((await pending).code).toBe('transport/closed');
  });

  it('fails with port/connection-refused and a hint when nothing listens', async () => {
    const { server, port } = await listen();
    await new Promise<void>((r) => server.close(() => r()));
    const err = await rejection(openTcpTransport({ host: '127.0.0.1', port }));
    expect(err.code).toBe('port/connection-refused');
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.hint).toMatch(/--port/);
    expect(err.exitCode).toBe(1);
  });
});
