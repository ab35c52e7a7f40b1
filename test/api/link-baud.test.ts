// The baud decision per transport (esptool's rule over raw TCP): an explicit --baud switches the chip
// over socket:// with one notice; without one the link stays at 115200 there. Checked as a pure
// decision and end to end against the virtual ESP32 served over TCP.

import { describe, expect, it } from 'vitest';
import { chooseLinkBaud, DEFAULT_FLASH_BAUD, openDevice } from '../../src/api/open-device.js';
import type { FlashEvent } from '../../src/events.js';
import { startSimServer } from '../../src/sim/tcp-server.js';

describe('chooseLinkBaud', () => {
  const port = 'socket://127.0.0.1:5555';

  it('a transport with its own baud switches to the request, else to the flashing default', () => {
    expect(chooseLinkBaud({ requested: 921600, transportSetsBaud: true, port: '/dev/ttyUSB0' })).toEqual({
      baud: 921600,
      remote: false,
      notice: null,
    });
    expect(chooseLinkBaud({ requested: undefined, transportSetsBaud: true, port: '/dev/ttyUSB0' })).toEqual({
      baud: DEFAULT_FLASH_BAUD,
      remote: false,
      notice: null,
    });
  });

  it('raw TCP without an explicit baud stays at 115200, silently', () => {
    expect(chooseLinkBaud({ requested: undefined, transportSetsBaud: false, port })).toEqual({
      baud: undefined,
      remote: false,
      notice: null,
    });
    expect(chooseLinkBaud({ requested: 115200, transportSetsBaud: false, port })).toMatchObject({
      remote: false,
      notice: null,
    });
  });

  it('raw TCP with an explicit baud switches the chip and says the far end must follow', () => {
    const link = chooseLinkBaud({ requested: 921600, transportSetsBaud: false, port });
    expect(link.baud).toBe(921600);
    expect(link.remote).toBe(true);
    expect(link.notice).toContain(port);
    expect(link.notice).toContain('921600');
    expect(link.notice).toContain('ser2net');
    expect(link.notice).toContain('rfc2217://');
  });
});

describe('openDevice over socket:// (virtual ESP32 served over TCP)', () => {
  it('--baud 921600 switches the chip (CHANGE_BAUDRATE) with one notice', async () => {
    const server = await startSimServer({ chip: 'esp32', port: 0 });
    const events: FlashEvent[] = [];
    try {
      const device = await openDevice({
        port: `socket://127.0.0.1:${server.port}`,
        baud: 921600,
        onEvent: (e) => events.push(e),
      });
      try {
        expect(server.device.baud).toBe(921600);
        expect(device.loader.baud).toBe(921600);
        expect(events.filter((e) => e.type === 'warning' && e.code === 'connect/tcp-baud')).toHaveLength(1);
        expect(events).toContainEqual({ type: 'baud-changed', baud: 921600 });
        // The link works at the new rate.
        const data = Uint8Array.from({ length: 9000 }, (_, i) => (i * 7) & 0xff);
        expect((await device.writeBin(0x20000, data)).status).toBe('written');
      } finally {
        await device.close();
      }
    } finally {
      await server.close();
    }
  });

  it('without an explicit baud the chip stays at 115200 and nothing is said', async () => {
    const server = await startSimServer({ chip: 'esp32', port: 0 });
    const events: FlashEvent[] = [];
    try {
      const device = await openDevice({
        port: `socket://127.0.0.1:${server.port}`,
        onEvent: (e) => events.push(e),
      });
      try {
        expect(server.device.baud).toBe(115200);
        expect(device.loader.baud).toBe(115200);
        expect(events.some((e) => e.type === 'baud-changed')).toBe(false);
        expect(events.some((e) => e.type === 'warning' && e.code === 'connect/tcp-baud')).toBe(false);
      } finally {
        await device.close();
      }
    } finally {
      await server.close();
    }
  });
});
