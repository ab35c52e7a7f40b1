// The TCP server with real sockets: raw bytes, reconnecting clients reach the same device,
// esptool-js over TCP, the socat pseudo-terminal, and the coded errors for a busy port / no socat.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESPLoader, Transport as EspJsTransport } from 'esptool-js';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type SimServer, startSimServer } from '../../src/sim/tcp-server.js';
import { HAVE_SOCAT, SOCAT_SKIP_NOTE } from '../node/support/socat.js';
import { SYNC_DATA, TestHost, uploadStub, words } from './support/host.js';
import { connectTcp, StreamTransport } from './support/socket-transport.js';
import { loadStub } from './support/stub-image.js';
import { TransportWebSerialPort } from './support/web-serial.js';

const servers: SimServer[] = [];
const clients: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of servers.splice(0)) await s.close();
  vi.restoreAllMocks();
});

async function server(options: Partial<Parameters<typeof startSimServer>[0]> = {}): Promise<SimServer> {
  const s = await startSimServer({ chip: 'esp32', port: 0, ...options });
  servers.push(s);
  return s;
}

async function client(s: SimServer): Promise<TestHost> {
  const t = await connectTcp(s.host, s.port);
  clients.push(t);
  return new TestHost(t);
}

describe('sim TCP server', () => {
  it('starts in download mode and speaks raw SLIP over the socket', async () => {
    const s = await server();
    const host = await client(s);
    await host.send(0x08, SYNC_DATA);
    const frames = await host.drain(200);
    expect(frames).toHaveLength(8);
    expect(new DataView(frames[0]!.buffer).getUint32(4, true)).toBe(0x20120707);
  });

  it('lets a reconnecting client reach the same device (stub still running, flash kept)', async () => {
    const s = await server();
    const a = await client(s);
    await uploadStub(a, loadStub('esp32'));
    expect(String.fromCharCode(...(await a.frame())!)).toBe('OHAI');
    s.device.flash.program(0x9000, new Uint8Array([0x42]));
    await a.transport.close();
    const b = await client(s);
    const r = await b.command(0x08, SYNC_DATA);
    expect(r.value).toBe(0);
    const md5 = await b.command(0x13, words(0x9000, 1, 0, 0));
    expect(md5.data).toHaveLength(18);
  });

  it('serves esptool-js over TCP (no reset lines): stub, baud change, compressed write with MD5', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const s = await server({ chip: 'esp32c6' });
    const tcp = await connectTcp(s.host, s.port);
    clients.push(tcp);
    const port = new TransportWebSerialPort(tcp);
    const loader = new ESPLoader({
      transport: new EspJsTransport(
        port as unknown as ConstructorParameters<typeof EspJsTransport>[0],
        false,
      ),
      baudrate: 460800,
      romBaudrate: 115200,
      terminal: { clean() {}, writeLine() {}, write() {} },
    });
    await loader.main('no_reset');
    expect(loader.chip.CHIP_NAME).toBe('ESP32-C6');
    expect(s.device.mode).toBe('stub');
    expect(s.device.baud).toBe(460800);
    const data = new Uint8Array(40_000).map((_, i) => (i * 11) & 0xff);
    const { createHash } = await import('node:crypto');
    await loader.writeFlash({
      fileArray: [{ data, address: 0x10000 }],
      flashMode: 'keep',
      flashFreq: 'keep',
      flashSize: 'keep',
      eraseAll: false,
      compress: true,
      calculateMD5Hash: (image: unknown) =>
        createHash('md5')
          .update(image as Uint8Array)
          .digest('hex'),
    });
    expect(s.device.flash.read(0x10000, data.length)).toEqual(data);
  });

  it('reports a busy address as sim/address-in-use', async () => {
    const s = await server();
    await expect(startSimServer({ chip: 'esp32', host: s.host, port: s.port })).rejects.toMatchObject({
      code: 'sim/address-in-use',
      exitCode: 2,
    });
  });

  it('reports a missing socat as sim/socat-missing with an install hint', async () => {
    const link = join(mkdtempSync(join(tmpdir(), 'espflash-pty-')), 'tty');
    const err = await startSimServer({
      chip: 'esp32',
      port: 0,
      ptyLink: link,
      socatPath: '/nonexistent/socat',
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'sim/socat-missing' });
    expect(err.hint).toContain('apt-get install socat');
  });

  it.skipIf(!HAVE_SOCAT)(
    `exposes a pseudo-terminal through socat that talks to the device${SOCAT_SKIP_NOTE}`,
    async () => {
      const link = join(mkdtempSync(join(tmpdir(), 'espflash-pty-')), 'tty');
      const s = await server({ ptyLink: link });
      expect(s.pty).toBe(link);
      const serial = new SerialPort({ path: link, baudRate: 115200 });
      await new Promise<void>((resolve, reject) => serial.once('open', resolve).once('error', reject));
      const t = new StreamTransport(serial, link);
      clients.push({ close: () => new Promise<void>((resolve) => serial.close(() => resolve())) });
      const host = new TestHost(t);
      const r = await host.command(0x0a, words(0x40001000));
      expect(r.value).toBe(0x00f01d83);
    },
  );
});
