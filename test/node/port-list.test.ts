// Port classification and ranking by USB VID:PID, with a mocked SerialPort.list().

import { describe, expect, it } from 'vitest';
import { classifyPort, listPorts, type RawPortInfo } from '../../src/node/port-list.js';

describe('classifyPort', () => {
  it.each([
    [{ vendorId: '303a', productId: '1001' }, 'usb-jtag-serial', true, undefined],
    [{ vendorId: '303A', productId: '1001' }, 'usb-jtag-serial', true, undefined],
    [{ vendorId: '303a', productId: '0002' }, 'usb-otg', true, 'esp32s2'],
    [{ vendorId: '303a', productId: '0009' }, 'usb-otg', true, 'esp32s3'],
    [{ vendorId: '303A', productId: '0012' }, 'usb-otg', true, 'esp32p4'],
    [{ vendorId: '303a', productId: '4001' }, 'usb-otg', true, undefined],
    [{ vendorId: '10C4', productId: 'EA60' }, 'usb-uart', true, undefined],
    [{ vendorId: '1a86', productId: '7523' }, 'usb-uart', true, undefined],
    [{ vendorId: '1A86', productId: '55D4' }, 'usb-uart', true, undefined],
    [{ vendorId: '0403', productId: '6001' }, 'usb-uart', true, undefined],
    [{ vendorId: '0403', productId: '6010' }, 'usb-uart', true, undefined],
    [{ vendorId: '0403', productId: '6014' }, 'usb-uart', true, undefined],
    [{ vendorId: '2341', productId: '0043' }, 'other', false, undefined],
    [{}, 'other', false, undefined],
  ])('%j -> %s', (ids, kind, likely, chip) => {
    const info = classifyPort({ path: '/dev/x', ...ids });
    expect(info.kind).toBe(kind);
    expect(info.likelyEspressif).toBe(likely);
    expect(info.chipHint).toBe(chip);
  });

  it('normalises ids to lower-case 4-digit hex and keeps the descriptive fields', () => {
    const info = classifyPort({
      path: 'COM4',
      vendorId: '0x10C4',
      productId: 'EA60',
      manufacturer: 'Silicon Labs',
      serialNumber: '0001',
    });
    expect(info).toMatchObject({
      path: 'COM4',
      vendorId: '10c4',
      productId: 'ea60',
      manufacturer: 'Silicon Labs',
      serialNumber: '0001',
    });
    expect(info.description).toMatch(/CP210x/);
    expect(classifyPort({ path: '/dev/ttyS0', vendorId: '', productId: 'zz' })).toEqual({
      path: '/dev/ttyS0',
      kind: 'other',
      likelyEspressif: false,
    });
  });
});

describe('listPorts', () => {
  const raw: RawPortInfo[] = [
    { path: '/dev/ttyS0' },
    { path: '/dev/ttyUSB10', vendorId: '1a86', productId: '7523', manufacturer: 'QinHeng' },
    { path: '/dev/ttyACM1', vendorId: '2341', productId: '0043', manufacturer: 'Arduino' },
    { path: '/dev/ttyUSB2', vendorId: '10c4', productId: 'ea60' },
    { path: '/dev/ttyACM3', vendorId: '303A', productId: '0009' },
    { path: '/dev/ttyACM0', vendorId: '303a', productId: '1001', manufacturer: 'Espressif' },
  ];

  it('ranks USB-Serial/JTAG, ROM USB-OTG, known bridges, then the rest (natural path order within a kind)', async () => {
    const ports = await listPorts({ list: async () => raw });
    expect(ports.map((p) => p.path)).toEqual([
      '/dev/ttyACM0',
      '/dev/ttyACM3',
      '/dev/ttyUSB2',
      '/dev/ttyUSB10',
      '/dev/ttyACM1',
      '/dev/ttyS0',
    ]);
    expect(ports.map((p) => p.likelyEspressif)).toEqual([true, true, true, true, false, false]);
    expect(ports[1]?.chipHint).toBe('esp32s3');
  });

  it('returns an empty list when there are no ports', async () => {
    expect(await listPorts({ list: async () => [] })).toEqual([]);
  });
});

describe('listPorts fallback', () => {
  it('uses the fallback when the serialport listing fails', async () => {
    const ports = await listPorts({
      list: async () => {
        throw new Error('spawn udevadm ENOENT');
      },
      fallback: async () => [{ path: '/dev/ttyACM0', vendorId: '303a', productId: '1001' }],
    });
    expect(ports.map((p) => p.kind)).toEqual(['usb-jtag-serial']);
  });

  it('fails with port/list-failed naming the cause when both fail', async () => {
    const failing = async (): Promise<never> => {
      throw new Error('spawn udevadm ENOENT');
    };
    await expect(listPorts({ list: failing, fallback: failing })).rejects.toMatchObject({
      code: 'port/list-failed',
      message: expect.stringContaining('udevadm'),
      hint: expect.stringContaining('--port'),
    });
  });
});
