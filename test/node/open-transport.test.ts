// Port spec parsing (every accepted form and the usage errors for the rest) and openTransport
// dispatching to the right transport.

import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { EspflashError, UsageError } from '../../src/errors.js';
import { openTransport, PORT_SPEC_FORMS, parsePortSpec } from '../../src/node/open-transport.js';

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('parsePortSpec', () => {
  it.each([
    ['/dev/ttyUSB0', { kind: 'serial', path: '/dev/ttyUSB0' }],
    ['/dev/cu.usbmodem1101', { kind: 'serial', path: '/dev/cu.usbmodem1101' }],
    ['  /tmp/pty/a ', { kind: 'serial', path: '/tmp/pty/a' }],
    ['COM3', { kind: 'serial', path: 'COM3' }],
    ['com12', { kind: 'serial', path: 'COM12' }],
    ['\\\\.\\COM10', { kind: 'serial', path: '\\\\.\\COM10' }],
    ['socket://127.0.0.1:5555', { kind: 'tcp', host: '127.0.0.1', port: 5555 }],
    ['SOCKET://localhost:4000/', { kind: 'tcp', host: 'localhost', port: 4000 }],
    ['tcp://qemu.local:1234', { kind: 'tcp', host: 'qemu.local', port: 1234 }],
    ['socket://[::1]:7000', { kind: 'tcp', host: '::1', port: 7000 }],
    ['rfc2217://ser2net.lan:2217', { kind: 'rfc2217', host: 'ser2net.lan', port: 2217 }],
    ['rfc2217://10.0.0.2:3000?ign_set_control', { kind: 'rfc2217', host: '10.0.0.2', port: 3000 }],
    ['sim://esp32c3?flashSize=4MB', { kind: 'sim', url: 'sim://esp32c3?flashSize=4MB' }],
  ])('%s', (spec, expected) => {
    expect(parsePortSpec(spec)).toEqual(expected);
  });

  it.each([
    ['', /is empty/],
    ['ttyUSB0', /did you mean \/dev\/ttyUSB0/],
    ['usb', /is not a port/],
    ['socket://127.0.0.1', /no TCP port/],
    ['socket://:5555', /(no host|not a valid)/],
    ['socket://host:99999', /not a valid/],
    ['socket://host:0', /port 0/],
    ['rfc2217://host:2217/extra', /has a path/],
    ['http://host:80', /unknown scheme "http:\/\/"/],
  ])('rejects %j with port/bad-spec', (spec, why) => {
    const err = usageError(() => parsePortSpec(spec));
    expect(err.code).toBe('port/bad-spec');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(why);
    for (const form of PORT_SPEC_FORMS) expect(err.message).toContain(form);
    expect(err.hint).toContain('--port');
  });
});

describe('openTransport', () => {
  it('opens socket:// specs as raw TCP transports', async () => {
    const server = createServer((s) => s.end(Buffer.from('hi')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const t = await openTransport(`socket://127.0.0.1:${address.port}`, { baud: 460800 });
      expect(t.description).toBe(`socket://127.0.0.1:${address.port}`);
      expect(t.capabilities.modemLines).toBe(false);
      expect(t.baudRate).toBe(460800);
      expect(new TextDecoder().decode(await t.read({ timeoutMs: 2000 }))).toBe('hi');
      await t.close();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('rejects a bad spec before opening anything', async () => {
    await expect(openTransport('bogus')).rejects.toMatchObject({ code: 'port/bad-spec' });
  });

  it('passes serial paths to the serial transport (port/not-found for a missing device)', async () => {
    const err = await openTransport('/dev/espflash-test-does-not-exist').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EspflashError);
    expect((err as EspflashError).code).toBe('port/not-found');
  });

  it('delegates sim:// to the virtual device, at the requested host baud rate', async () => {
    const t = await openTransport('sim://esp32c3?flashSize=2MB', { baud: 230400 });
    try {
      expect(t.description).toBe('sim://esp32c3');
      expect(t.baudRate).toBe(230400);
      expect(t.capabilities.modemLines).toBe(true);
    } finally {
      await t.close();
    }
  });

  it("surfaces the virtual device's own usage errors for a bad sim:// URL", async () => {
    await expect(openTransport('sim://esp32?flashSize=lots')).rejects.toMatchObject({
      code: 'sim/bad-url',
      exitCode: 2,
    });
  });
});
