// Each injected fault as a raw host sees it, with its exact device-side effect: wire corruption per
// direction, status errors per loader, watchdog reset mid-write, stalls, boot noise, wrong boot mode,
// silence, slow erase and a sector that cannot be programmed; plus seeded reproducibility.

import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimFaults } from '../../src/sim/faults.js';
import { createSimTransport, type SimTransport } from '../../src/sim/sim-transport.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import {
  block,
  classicReset,
  flashBegin,
  flashData,
  rawBytes,
  startStub,
  status,
  syncValue,
} from './support/fault-host.js';
import { dataBody, expectOk, TestHost, words, xorChecksum } from './support/host.js';

const open: SimTransport[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

function sim(faults: SimFaults, extra: { clock?: VirtualClock; timing?: boolean; download?: boolean } = {}) {
  const transport = createSimTransport({
    chip: 'esp32',
    faults,
    ...(extra.clock ? { clock: extra.clock } : {}),
    ...(extra.timing ? { timing: true } : {}),
    ...(extra.download === false ? { startInDownloadMode: false } : {}),
  });
  open.push(transport);
  return { transport, host: new TestHost(transport), device: transport.device };
}

const popcount = (x: number) => x.toString(2).replace(/0/g, '').length;
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest();

describe('wire corruption per direction', () => {
  it('corrupt-rx=1 flips one bit of every host byte: the device never sees a frame', async () => {
    const { transport, device } = sim({ corruptRxRate: 1 });
    const host = new TestHost(transport);
    await host.send(0x0a, words(0x40001000));
    expect(await rawBytes(transport)).toEqual(new Uint8Array(0));
    expect(device.faults.stats.bytesCorrupted).toBe(2 + 8 + 4);
  });

  it('corrupt-tx=1 leaves requests intact and flips exactly one bit in every reply byte', async () => {
    const clean = sim({});
    await clean.host.send(0x0a, words(0x40001000));
    const want = await rawBytes(clean.transport);
    const noisy = sim({ corruptTxRate: 1 });
    await noisy.host.send(0x0a, words(0x40001000));
    const got = await rawBytes(noisy.transport);
    expect(want.length).toBeGreaterThan(10);
    expect(got.length).toBe(want.length);
    for (let i = 0; i < got.length; i++) expect(popcount(got[i]! ^ want[i]!)).toBe(1);
    expect(noisy.device.faults.stats.bytesCorrupted).toBe(want.length);
  });
});

describe('status errors on a chosen block', () => {
  it('stub 0xC1@1: that block is answered C1 and not written; the resent block succeeds', async () => {
    const { host, device } = sim({ statusErrorOnBlock: { seq: 1, code: 0xc1 } });
    await startStub(host);
    await flashBegin(host, { offset: 0x10000, blockSize: 0x400, blocks: 2, rom: false });
    expect(status(await flashData(host, 0, block(0, 0x400)))).toEqual([0, 0]);
    expect(status(await flashData(host, 1, block(1, 0x400)))).toEqual([0xc1, 0]);
    expect(device.flash.read(0x10400, 0x400).every((b) => b === 0xff)).toBe(true);
    expect(status(await flashData(host, 1, block(1, 0x400)))).toEqual([0, 0]);
    expect(status(await host.command(0x04, words(1)))).toEqual([0, 0]);
    expect(device.flash.read(0x10400, 0x400)).toEqual(block(1, 0x400));
  });

  it('stub 0xC4@0 (default code) is deferred: block 0 is acked, block 1 gets C4, and so does END', async () => {
    const { host } = sim({ statusErrorOnBlock: { seq: 0 } });
    await startStub(host);
    await flashBegin(host, { offset: 0x10000, blockSize: 0x400, blocks: 2, rom: false });
    expect(status(await flashData(host, 0, block(0, 0x400)))).toEqual([0, 0]);
    expect(status(await flashData(host, 1, block(1, 0x400)))).toEqual([0xc4, 0]);
    expect(status(await host.command(0x04, words(1)))).toEqual([0xc4, 0]);
  });

  it('ROM variant 0x0108@1 answers 01 08; a stub code on the ROM maps to its ROM twin (C1 -> 01 07)', async () => {
    const rom = sim({ statusErrorOnBlock: { seq: 1, code: 0x0108 } });
    await flashBegin(rom.host, { offset: 0x10000, blockSize: 0x400, blocks: 2, rom: true });
    expect(status(await flashData(rom.host, 0, block(0, 0x400)))).toEqual([0, 0]);
    expect(status(await flashData(rom.host, 1, block(1, 0x400)))).toEqual([1, 0x08]);
    const mapped = sim({ statusErrorOnBlock: { seq: 0, code: 0xc1 } });
    await flashBegin(mapped.host, { offset: 0x10000, blockSize: 0x400, blocks: 1, rom: true });
    expect(status(await flashData(mapped.host, 0, block(0, 0x400)))).toEqual([1, 0x07]);
    // Once only. Like a real checksum error it used up sequence number 0: the ESP32 ROM now wants the
    // same block as seq 1, and its reply keeps the last failure reason in the second byte.
    expect(status(await flashData(mapped.host, 0, block(0, 0x400)))).toEqual([1, 0x05]);
    expect(status(await flashData(mapped.host, 1, block(0, 0x400)))).toEqual([0, 0x05]);
  });

  it('repeat fires on every arrival of the block', async () => {
    // (0x0108: an injected checksum error would use up the ROM's sequence number, see above.)
    const { host } = sim({ statusErrorOnBlock: { seq: 0, code: 0x0108, repeat: true } });
    await flashBegin(host, { offset: 0x10000, blockSize: 0x400, blocks: 1, rom: true });
    for (let i = 0; i < 3; i++) expect(status(await flashData(host, 0, block(0, 0x400)))).toEqual([1, 0x08]);
  });
});

describe('watchdog reset mid-write (reset-at)', () => {
  it('at block 2 on the stub: banner, ROM answers, blocks 0-1 kept, half of block 2 programmed', async () => {
    const { host, device } = sim({ resetToRom: { atBlock: 2 } });
    await startStub(host);
    await flashBegin(host, { offset: 0x20000, blockSize: 0x1000, blocks: 4, rom: false });
    await flashData(host, 0, block(0, 0x1000));
    await flashData(host, 1, block(1, 0x1000));
    const b2 = block(2, 0x1000);
    await host.send(0x03, dataBody(b2, 2), xorChecksum(b2));
    await host.drain();
    expect(host.noise).toContain('rst:0x10 (RTCWDT_RTC_RESET),boot:0x3');
    expect(host.noise).toContain('waiting for download');
    expect(device.mode).toBe('rom');
    expect(await syncValue(host)).toBe(0x20120707);
    expect(device.flash.read(0x20000, 0x2000)).toEqual(
      new Uint8Array([...block(0, 0x1000), ...block(1, 0x1000)]),
    );
    expect(device.flash.read(0x22000, 0x800)).toEqual(b2.subarray(0, 0x800));
    expect(device.flash.read(0x22800, 0x800).every((b) => b === 0xff)).toBe(true);
    expect(device.faults.stats.resets).toBe(1);
  });

  it('at host byte N: the reset hits after exactly N bytes and only once', async () => {
    const { transport, host, device } = sim({ resetToRom: { atByte: 100 } });
    await host.send(0x0a, words(0x40001000)); // 14 bytes
    await host.drain();
    expect(device.faults.hostBytesReceived).toBe(14);
    await transport.write(new Uint8Array(200).fill(0x41));
    await host.drain();
    expect(host.noise).toContain('rst:0x10 (RTCWDT_RTC_RESET)');
    expect(device.faults.hostBytesReceived).toBe(100);
    expect(await syncValue(host)).toBe(0x20120707);
    await transport.write(new Uint8Array(500).fill(0x41));
    expect(device.faults.stats.resets).toBe(1);
  });
});

describe('stalled replies', () => {
  it('stall=3000@read_reg delays only the first READ_REG reply past a 1 s read timeout', async () => {
    const clock = new VirtualClock();
    const { host } = sim({ stallReplies: [{ op: 0x0a, ms: 3000 }] }, { clock });
    await host.send(0x0a, words(0x40001000));
    expect(await host.reply(1000)).toBeNull();
    expect(clock.now()).toBe(1000);
    expect((await host.reply(5000))?.op).toBe(0x0a);
    expect(clock.now()).toBe(3000);
    await host.command(0x0a, words(0x40001000));
    expect(clock.now()).toBe(3000);
  });
});

describe('boot-time faults', () => {
  it('noise=48: seeded bytes before the banner after every reset; SYNC still works', async () => {
    const run = async (seed: number) => {
      const { transport, host } = sim({ bootNoise: 48, seed }, { download: false });
      await classicReset(transport);
      const first = await rawBytes(transport);
      await classicReset(transport);
      const second = await rawBytes(transport);
      expect(await syncValue(host)).toBe(0x20120707);
      return { first, second };
    };
    const a = await run(3);
    const banner =
      'ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n';
    expect(a.first.length).toBe(48 + banner.length);
    expect(Buffer.from(a.first.subarray(48)).toString('latin1')).toBe(banner);
    expect(a.second.subarray(0, 48)).not.toEqual(a.first.subarray(0, 48));
    expect((await run(3)).first).toEqual(a.first);
    expect((await run(4)).first.subarray(0, 48)).not.toEqual(a.first.subarray(0, 48));
  });

  it('wrong-boot: IO0 low is ignored; SPI_FAST_FLASH_BOOT, app log, no SYNC reply', async () => {
    const { transport, host, device } = sim({ ignoreBootStrap: true });
    expect(device.mode).toBe('app');
    await classicReset(transport, true);
    const log = await host.text();
    expect(log).toContain('boot:0x13 (SPI_FAST_FLASH_BOOT)');
    expect(log).toContain('invalid header: 0xffffffff');
    expect(log).not.toContain('waiting for download');
    expect(await syncValue(host)).toBeNull();
  });

  it('silent: no boot log and no replies', async () => {
    const { transport, host } = sim({ silent: true }, { download: false });
    await classicReset(transport);
    expect(await rawBytes(transport)).toEqual(new Uint8Array(0));
    expect(await syncValue(host)).toBeNull();
  });
});

describe('flash faults', () => {
  it('slow-erase=4 makes the ROM erase of a 64 KiB block take 600 ms instead of 150 ms', async () => {
    const eraseTime = async (eraseSlowdown?: number) => {
      const clock = new VirtualClock();
      const { host } = sim(eraseSlowdown ? { eraseSlowdown } : {}, { clock, timing: true });
      await expectOk(host, 0x0d, words(0, 0));
      const before = clock.now();
      await expectOk(host, 0x02, words(0x10000, 16, 0x1000, 0x10000));
      return clock.now() - before;
    };
    const normal = await eraseTime();
    expect((await eraseTime(4)) - normal).toBeCloseTo(450, 6);
  });

  it('bad-sector: the ROM read-back reports 01 08; bit 0 stays set', async () => {
    const { host, device } = sim({ badSectors: [0x31234] });
    await flashBegin(host, { offset: 0x30000, blockSize: 0x1000, blocks: 2, rom: true });
    expect(status(await flashData(host, 0, block(0, 0x1000)))).toEqual([0, 0]);
    expect(status(await flashData(host, 1, new Uint8Array(0x1000)))).toEqual([1, 0x08]);
    expect(device.flash.read(0x31000, 0x1000).every((b) => b === 0x01)).toBe(true);
  });

  it('bad-sector: the stub writes silently wrong data; only MD5 shows it', async () => {
    const { host, device } = sim({ badSectors: [0x30000] });
    await startStub(host);
    const data = block(5, 0x1000);
    await flashBegin(host, { offset: 0x30000, blockSize: 0x1000, blocks: 1, rom: false });
    expect(status(await flashData(host, 0, data))).toEqual([0, 0]);
    expect(status(await host.command(0x04, words(1)))).toEqual([0, 0]);
    const r = await host.command(0x13, words(0x30000, 0x1000, 0, 0));
    expect(Buffer.from(r.data.subarray(0, 16))).not.toEqual(md5(data));
    expect(device.flash.read(0x30000, 0x1000)).toEqual(data.map((b) => b | 1));
  });
});

describe('determinism', () => {
  it('same seed and traffic give byte-identical output; another seed does not', async () => {
    const run = async (seed: number) => {
      const { transport, host } = sim(
        { seed, corruptRate: 0.02, dropRate: 0.2, bootNoise: 16 },
        { download: false },
      );
      await classicReset(transport);
      for (let i = 0; i < 30; i++) await host.send(0x0a, words(0x40001000 + 4 * (i % 4)));
      return Buffer.from(await rawBytes(transport)).toString('hex');
    };
    const a = await run(11);
    expect(await run(11)).toBe(a);
    expect(await run(12)).not.toBe(a);
  });
});
