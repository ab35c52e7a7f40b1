// serialport is imported on first use; when it (or its native binding) cannot load, listing and
// opening serial ports fail with `port/serialport-unavailable`, whose hint names the other ports.
import { afterEach, describe, expect, it } from 'vitest';
import { isEspflashError } from '../../src/errors.js';
import { listPorts } from '../../src/node/port-list.js';
import { openSerialTransport } from '../../src/node/serial-transport.js';
import { loadSerialPort, setSerialPortImporter } from '../../src/node/serialport-loader.js';

const broken = () => Promise.reject(new Error('No native build was found for platform=test\nmore detail'));

afterEach(() => setSerialPortImporter(undefined));

async function failure(promise: Promise<unknown>) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isEspflashError(err)) throw new Error(`expected an EspflashError, got ${String(err)}`);
  return err;
}

describe('serialport loader', () => {
  it('imports serialport once, on first use', async () => {
    let calls = 0;
    setSerialPortImporter(async () => {
      calls++;
      return import('serialport');
    });
    expect(calls).toBe(0);
    const a = await loadSerialPort();
    const b = await loadSerialPort();
    expect(a).toBe(b);
    expect(typeof a.SerialPort).toBe('function');
    expect(calls).toBe(1);
  });

  it('a failed import is port/serialport-unavailable with the first line of the reason', async () => {
    setSerialPortImporter(broken);
    const err = await failure(loadSerialPort());
    expect(err.code).toBe('port/serialport-unavailable');
    expect(err.message).toContain('No native build was found for platform=test');
    expect(err.message).not.toContain('more detail');
    for (const word of ['socket://', 'rfc2217://', 'sim://', 'npm rebuild serialport'])
      expect(err.hint).toContain(word);
  });

  it('opening a serial port gives the coded error', async () => {
    setSerialPortImporter(broken);
    expect((await failure(openSerialTransport({ path: '/dev/null' }))).code).toBe(
      'port/serialport-unavailable',
    );
  });

  it('listing falls back (Linux sysfs) and, when that fails too, gives the coded error', async () => {
    setSerialPortImporter(broken);
    const fallback = [{ path: '/dev/ttyUSB0', vendorId: '10c4', productId: 'ea60' }];
    expect((await listPorts({ fallback: async () => fallback })).map((p) => p.path)).toEqual([
      '/dev/ttyUSB0',
    ]);
    const err = await failure(
      listPorts({
        fallback: async () => {
          throw new Error('no sysfs');
        },
      }),
    );
    expect(err.code).toBe('port/serialport-unavailable');
  });
});
