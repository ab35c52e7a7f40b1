import { describe, expect, it } from 'vitest';
import { openDevice } from '../../src/api/open-device.js';
import type { FlashEvent } from '../../src/events.js';
import { createSimTransport } from '../../src/sim/sim-transport.js';

describe('openDevice / Device', () => {
  it('connects, attaches and detects the flash; boardInfo describes the chip', async () => {
    const transport = createSimTransport({ chip: 'esp32c3', flashSize: 8 << 20, mac: '24:0a:c4:00:11:22' });
    const events: FlashEvent[] = [];
    const device = await openDevice({
      port: transport.description,
      transport,
      onEvent: (e) => events.push(e),
    });
    try {
      expect(device.chip.name).toBe('esp32c3');
      expect(device.flashInfo).toMatchObject({ sizeBytes: 8 << 20, sizeName: '8MB', sizeSource: 'detected' });
      const info = await device.boardInfo();
      expect(info).toMatchObject({
        chip: 'esp32c3',
        mac: '24:0a:c4:00:11:22',
        stub: true,
        secureDownloadMode: false,
      });
      expect(info.flash.size).toBe('8MB');
      expect(info.security?.secureBootEnabled).toBe(false);
      expect(events.find((e) => e.type === 'flash-detected')).toMatchObject({ size: 8 << 20 });
    } finally {
      await device.close();
    }
  });

  it('writeBin skips identical data unless forced; md5 and readFlash agree with the chip', async () => {
    const transport = createSimTransport({ chip: 'esp32' });
    const device = await openDevice({ port: transport.description, transport });
    try {
      const data = new Uint8Array(10_000).map((_, i) => (i * 13) & 0xff);
      expect((await device.writeBin(0x3000, data)).status).toBe('written');
      expect((await device.writeBin(0x3000, data)).status).toBe('skipped');
      expect((await device.writeBin(0x3000, data, { force: true })).status).toBe('written');
      expect(await device.readFlash(0x3000, data.length)).toEqual(data);
      expect(transport.device.flash.read(0x3000, data.length)).toEqual(data);
      const r = await device.writeBin(0x3000, data);
      expect(await device.md5(0x3000, data.length)).toBe(r.md5);
      await device.eraseRegion(0x3000, 0x3000);
      expect(transport.device.flash.read(0x3000, 0x3000).every((b) => b === 0xff)).toBe(true);
    } finally {
      await device.close();
    }
  });

  it('refuses ranges beyond the flash with flash/out-of-range', async () => {
    const transport = createSimTransport({ chip: 'esp32', flashSize: 2 << 20 });
    const device = await openDevice({ port: transport.description, transport });
    try {
      await expect(device.readFlash((2 << 20) - 16, 32)).rejects.toMatchObject({
        code: 'flash/out-of-range',
        exitCode: 2,
      });
      await expect(device.writeBin(2 << 20, new Uint8Array(4))).rejects.toMatchObject({
        code: 'flash/out-of-range',
      });
    } finally {
      await device.close();
    }
  });

  it('closes the transport when connecting fails (chip mismatch)', async () => {
    const transport = createSimTransport({ chip: 'esp32' });
    await expect(
      openDevice({ port: transport.description, transport, chip: 'esp32s3' }),
    ).rejects.toMatchObject({
      code: 'connect/chip-mismatch',
    });
    await expect(transport.read({ timeoutMs: 10 })).rejects.toMatchObject({ code: 'transport/closed' });
  });
});
