// The device model: the DTR/RTS auto-reset circuit and boot strapping, ROM banners, leaving the
// loader with FLASH_END(1), baud mismatches, and seeded fault injection.

import { afterEach, describe, expect, it } from 'vitest';
import { createSimTransport, type SimTransport } from '../../src/sim/sim-transport.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { expectOk, SYNC_DATA, TestHost, uploadStub, words } from './support/host.js';
import { loadStub } from './support/stub-image.js';

const open: SimTransport[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

function sim(options: Parameters<typeof createSimTransport>[0]) {
  const transport = createSimTransport(options);
  open.push(transport);
  return { transport, host: new TestHost(transport), device: transport.device };
}

/** Classic reset: EN low with IO0 high, then release EN with IO0 low. */
async function classicReset(t: SimTransport, download = true): Promise<void> {
  await t.setSignals({ dtr: false, rts: true });
  await t.setSignals({ dtr: download, rts: false });
  await t.setSignals({ dtr: false, rts: false });
}

describe('reset circuit and boot modes', () => {
  it('prints the ESP32 download banner when IO0 is low as EN is released', async () => {
    const { transport, host, device } = sim({ chip: 'esp32', startInDownloadMode: false });
    expect(await host.text()).toBe('');
    await classicReset(transport);
    expect(await host.text()).toBe(
      'ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n',
    );
    expect(device.mode).toBe('rom');
    expect((await host.command(0x08, SYNC_DATA)).value).toBe(0x20120707);
  });

  it('boots from flash when IO0 is high: SPI_FAST_FLASH_BOOT, an app log, and SLIP is ignored', async () => {
    const { transport, host, device } = sim({ chip: 'esp32' });
    device.flash.program(0x1000, new Uint8Array([0xe9, 3, 2, 0x20, 0x18, 0x06, 0x08, 0x40]));
    await classicReset(transport, false);
    const log = await host.text();
    expect(log).toContain('boot:0x13 (SPI_FAST_FLASH_BOOT)');
    expect(log).toContain('entry 0x40080618');
    expect(log).not.toContain('waiting for download');
    expect(device.mode).toBe('app');
    await host.send(0x08, SYNC_DATA);
    expect(await host.drain(100)).toEqual([]);
  });

  it('complains about an invalid header when the flash is erased', async () => {
    const { transport, host } = sim({ chip: 'esp32c3', startInDownloadMode: false });
    await classicReset(transport, false);
    const log = await host.text();
    expect(log).toContain('boot:0xc (SPI_FAST_FLASH_BOOT)');
    expect(log).toContain('invalid header: 0xffffffff');
  });

  it('prints DOWNLOAD(USB/UART0) on newer chips', async () => {
    const { transport, host } = sim({ chip: 'esp32s3', startInDownloadMode: false });
    await classicReset(transport);
    expect(await host.text()).toMatch(
      /rst:0x1 \(POWERON\),boot:0x0 \(DOWNLOAD\(USB\/UART0\)\)\r\nwaiting for download/,
    );
  });

  it('holds the chip in reset while RTS alone is asserted; both lines together reset nothing', async () => {
    const { transport, device } = sim({ chip: 'esp32' });
    await transport.setSignals({ dtr: true, rts: true });
    expect(device.mode).toBe('rom');
    await transport.setSignals({ dtr: false, rts: true });
    expect(device.mode).toBe('reset');
    // Releasing EN with RTS still asserted leaves IO0 high: a normal (flash) boot.
    await transport.setSignals({ dtr: true, rts: true });
    expect(device.mode).toBe('app');
  });

  it('a reset drops the running stub: the ROM answers again', async () => {
    const { transport, host, device } = sim({ chip: 'esp32' });
    await uploadStub(host, loadStub('esp32'));
    expect(device.mode).toBe('stub');
    await classicReset(transport);
    await host.text();
    expect((await host.command(0x08, SYNC_DATA)).value).toBe(0x20120707);
  });
});

describe('leaving the ROM loader', () => {
  it('FLASH_END(1) replies, then runs the app and stops answering', async () => {
    const { host, device } = sim({ chip: 'esp32' });
    await expectOk(host, 0x0d, words(0, 0));
    await expectOk(host, 0x02, words(0, 0, 0x400, 0));
    const r = await host.command(0x04, words(1));
    expect(Array.from(r.data)).toEqual([0, 0, 0, 0]);
    expect(await host.text()).toContain('invalid header');
    expect(device.mode).toBe('app');
    await host.send(0x08, SYNC_DATA);
    expect(await host.drain(100)).toEqual([]);
  });
});

describe('baud rate', () => {
  it('garbles both directions when host and device disagree, until the host follows', async () => {
    const { transport, host, device } = sim({ chip: 'esp32' });
    await uploadStub(host, loadStub('esp32'));
    await host.frame(); // OHAI
    const r = await host.command(0x0f, words(921600, 115200));
    expect(Array.from(r.data)).toEqual([0, 0]);
    expect(device.baud).toBe(921600);
    await host.send(0x0a, words(0x40001000));
    expect(await host.drain(100)).toEqual([]);
    await transport.setBaudRate(921600);
    expect((await host.command(0x0a, words(0x40001000))).value).toBe(0x00f01d83);
  });

  it('shows device output sent at another baud as noise without frames', async () => {
    const { transport, host } = sim({ chip: 'esp8266', startInDownloadMode: false });
    await classicReset(transport);
    const text = await host.text();
    expect(text.length).toBeGreaterThan(20);
    expect(text).not.toContain('boot mode');
    await transport.setBaudRate(74880);
    await classicReset(transport);
    expect(await host.text()).toContain('boot mode:(1,7)');
  });

  it('updates UART_CLKDIV after a ROM baud change', async () => {
    const { transport, host } = sim({ chip: 'esp32c3' });
    await expectOk(host, 0x0f, words(460800, 0));
    await transport.setBaudRate(460800);
    const div = (await host.command(0x0a, words(0x60000014))).value & 0xfffff;
    expect(Math.round((460800 * div) / 1e6)).toBe(40);
  });
});

describe('fault injection', () => {
  async function corruptedReplies(seed: number): Promise<string> {
    const { host, device } = sim({ chip: 'esp32', faults: { seed, corruptRate: 0.01 } });
    for (let i = 0; i < 40; i++) await host.send(0x0a, words(0x40001000));
    const frames = await host.drain();
    expect(device.faults.stats.bytesCorrupted).toBeGreaterThan(0);
    return `${frames.map((f) => Buffer.from(f).toString('hex')).join('|')}#${host.noise}`;
  }

  it('corrupts bytes reproducibly for a seed', async () => {
    const a = await corruptedReplies(7);
    const b = await corruptedReplies(7);
    const c = await corruptedReplies(8);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('stalls every reply by stallMs of device time', async () => {
    const clock = new VirtualClock();
    const { host } = sim({ chip: 'esp32', clock, faults: { stallMs: 250 } });
    await host.command(0x0a, words(0x40001000));
    expect(clock.now()).toBe(250);
  });

  it('drops every reply at dropRate 1', async () => {
    const { host, device } = sim({ chip: 'esp32', faults: { dropRate: 1 } });
    await host.send(0x08, SYNC_DATA);
    expect(await host.drain()).toEqual([]);
    expect(device.faults.stats.framesDropped).toBe(8);
  });
});
