// The sim:// registry and the USB disconnect fault: the same URL or id= reaches the same chip, the
// port vanishes mid-write (port/disconnected), is missing while re-enumerating (port/not-found), and
// comes back to the same flash with the stub still running (or a freshly booted chip).

import { afterEach, describe, expect, it } from 'vitest';
import type { EspflashError } from '../../src/errors.js';
import { openTransport } from '../../src/node/open-transport.js';
import { openSimUrl, resetSimRegistry, simRegistryKey, simRegistrySize } from '../../src/sim/sim-registry.js';
import type { SimTransport } from '../../src/sim/sim-transport.js';
import { startSimServer } from '../../src/sim/tcp-server.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import {
  block,
  flashBegin,
  flashData,
  rawBytes,
  startStub,
  status,
  syncValue,
} from './support/fault-host.js';
import { dataBody, TestHost, words, xorChecksum } from './support/host.js';
import { connectTcp } from './support/socket-transport.js';

afterEach(() => resetSimRegistry());

const codeOf = async (p: Promise<unknown>) =>
  (
    (await p.then(
      () => null,
      (e: unknown) => e,
    )) as EspflashError
  )?.code;
const openErr = (url: string, clock?: VirtualClock) => {
  try {
    openSimUrl(url, clock ? { clock } : {});
    return null;
  } catch (err) {
    return (err as EspflashError).code;
  }
};

describe('registry', () => {
  it('keys URLs by id=, else by chip and parameters without fault/seed (order-insensitive)', () => {
    expect(simRegistryKey('sim://esp32?id=bench&flashSize=8MB')).toBe('id:bench');
    expect(simRegistryKey('sim://esp32?timing=1&flashSize=4MB&fault=corrupt:1e-4&seed=3')).toBe(
      simRegistryKey('sim://esp32?flashSize=4MB&timing=1'),
    );
    expect(simRegistryKey('sim://esp32c3')).not.toBe(simRegistryKey('sim://esp32'));
  });

  it('id= pins a chip: closing and reopening reaches the same flash and the running stub', async () => {
    const a = openSimUrl('sim://esp32?id=x');
    const host = new TestHost(a);
    await startStub(host);
    a.device.flash.program(0x5000, new Uint8Array([1, 2, 3]));
    await a.close();
    const b = openSimUrl('sim://esp32?id=x');
    expect(b.device).toBe(a.device);
    expect(b.device.flash.read(0x5000, 3)).toEqual(new Uint8Array([1, 2, 3]));
    expect(await syncValue(new TestHost(b))).toBe(0); // the stub answers SYNC with value 0
    await b.close();
    expect(simRegistrySize()).toBe(1);
  });

  it('without id= a chip lives while a transport holds it; a second concurrent open is port/busy', async () => {
    const a = openSimUrl('sim://esp32');
    expect(openErr('sim://esp32')).toBe('port/busy');
    await a.close();
    expect(simRegistrySize()).toBe(0);
    const b = openSimUrl('sim://esp32');
    expect(b.device).not.toBe(a.device);
    await b.close();
  });

  it('rejects a re-open of an id= that asks for another chip, flash size or faults', async () => {
    await openSimUrl('sim://esp32?id=y&fault=corrupt:0.1').close();
    expect(openErr('sim://esp32s3?id=y')).toBe('sim/id-conflict');
    expect(openErr('sim://esp32?id=y&flashSize=8MB')).toBe('sim/id-conflict');
    expect(openErr('sim://esp32?id=y&fault=drop:0.1')).toBe('sim/id-conflict');
    const same = openSimUrl('sim://esp32?id=y');
    expect(same.device.faults.config.corruptRate).toBe(0.1);
    await same.close();
  });

  it('faults from a URL are seeded: two chips with the same spec and traffic answer byte for byte alike', async () => {
    const run = async (id: string, seed: number) => {
      const t = (await openTransport(
        `sim://esp32?id=${id}&fault=corrupt:0.02,drop:0.2&seed=${seed}`,
      )) as SimTransport;
      const host = new TestHost(t);
      for (let i = 0; i < 30; i++) await host.send(0x0a, words(0x40001000 + 4 * (i % 4)));
      const out = Buffer.from(await rawBytes(t)).toString('hex');
      await t.close();
      return out;
    };
    const a = await run('d1', 5);
    expect(await run('d2', 5)).toBe(a);
    expect(await run('d3', 6)).not.toBe(a);
  });

  it('openTransport("sim://…") goes through the registry', async () => {
    const a = (await openTransport('sim://esp32?id=z')) as SimTransport;
    await a.close();
    const b = (await openTransport('sim://esp32?id=z')) as SimTransport;
    expect(b.device).toBe(a.device);
    await b.close();
  });
});

describe('USB disconnect fault', () => {
  const url = 'sim://esp32?fault=disconnect-at:@2,disconnect-ms:500';

  async function flashUntilUnplug(clock: VirtualClock, u = url) {
    const t = openSimUrl(u, { clock });
    const host = new TestHost(t);
    await startStub(host);
    await flashBegin(host, { offset: 0x40000, blockSize: 0x1000, blocks: 4, rom: false });
    expect(status(await flashData(host, 0, block(0, 0x1000)))).toEqual([0, 0]);
    expect(status(await flashData(host, 1, block(1, 0x1000)))).toEqual([0, 0]);
    const b2 = block(2, 0x1000);
    await host.send(0x03, dataBody(b2, 2), xorChecksum(b2));
    expect(await codeOf(t.read({ timeoutMs: 1000 }))).toBe('port/disconnected');
    return { t, host };
  }

  it('at block 2: the pending read and later I/O reject port/disconnected; the block never landed', async () => {
    const clock = new VirtualClock();
    const { t } = await flashUntilUnplug(clock);
    expect(await codeOf(t.read({ timeoutMs: 1000 }))).toBe('port/disconnected');
    expect(await codeOf(t.flushInput())).toBe('port/disconnected');
    expect(await codeOf(t.write(new Uint8Array([0xc0])))).toBe('port/disconnected');
    expect(await codeOf(t.setSignals({ dtr: false, rts: false }))).toBe('port/disconnected');
    expect(t.device.flash.read(0x41000, 0x1000)).toEqual(block(1, 0x1000));
    expect(t.device.flash.read(0x42000, 0x1000).every((b) => b === 0xff)).toBe(true);
    expect(t.device.faults.stats.disconnects).toBe(1);
  });

  it('a read already waiting when the port vanishes rejects too (after N host bytes)', async () => {
    const clock = new VirtualClock();
    const t = openSimUrl('sim://esp32?fault=disconnect-at:20', { clock });
    const pending = codeOf(t.read({ timeoutMs: 5000 }));
    const host = new TestHost(t);
    await host.send(0x0a, words(0x40001000)); // 14 bytes: fine
    expect(await codeOf(host.send(0x0a, words(0x40001000)))).toBe('port/disconnected');
    expect(await pending).toBe('port/disconnected');
    expect(t.device.faults.hostBytesReceived).toBe(20);
  });

  it('reopen: port/not-found while gone, then the same chip with its flash and the stub running', async () => {
    const clock = new VirtualClock();
    const { t } = await flashUntilUnplug(clock);
    await t.close();
    expect(openErr(url, clock)).toBe('port/not-found');
    await clock.sleep(499);
    expect(openErr(url, clock)).toBe('port/not-found');
    await clock.sleep(1);
    const again = openSimUrl(url, { clock });
    expect(again.device).toBe(t.device);
    expect(again.device.mode).toBe('stub');
    const host = new TestHost(again);
    expect(await syncValue(host)).toBe(0);
    // The fault fired once: the same block now goes through.
    await flashBegin(host, { offset: 0x42000, blockSize: 0x1000, blocks: 1, rom: false });
    expect(status(await flashData(host, 2, block(2, 0x1000)))).toEqual([0, 0]);
    expect(status(await host.command(0x04, words(1)))).toEqual([0, 0]);
    expect(again.device.flash.read(0x40000, 0x3000)).toEqual(
      new Uint8Array([...block(0, 0x1000), ...block(1, 0x1000), ...block(2, 0x1000)]),
    );
    await again.close();
    expect(simRegistrySize()).toBe(0);
  });

  it('disconnect-resets: the chip lost power and boots from flash when the port returns', async () => {
    const clock = new VirtualClock();
    const u = `${url},disconnect-resets`;
    const { t } = await flashUntilUnplug(clock, u);
    expect(t.device.mode).toBe('reset');
    await t.close();
    await clock.sleep(500);
    const again = openSimUrl(u, { clock });
    expect(again.device).toBe(t.device);
    expect(again.device.mode).toBe('app');
    expect(await syncValue(new TestHost(again))).toBeNull();
    expect(again.device.flash.read(0x40000, 0x1000)).toEqual(block(0, 0x1000));
    await again.close();
  });
});

describe('USB disconnect over `espflash sim` TCP', () => {
  it('drops the client, refuses connections while gone, then serves the same chip again', async () => {
    const clock = new VirtualClock();
    const server = await startSimServer({
      chip: 'esp32',
      port: 0,
      clock,
      faults: { disconnect: { atByte: 20, goneMs: 300 } },
    });
    try {
      const first = await connectTcp('127.0.0.1', server.port);
      const host = new TestHost(first);
      expect((await host.command(0x0a, words(0x40001000))).op).toBe(0x0a);
      await host.send(0x0a, words(0x40001000));
      await expect(first.read({ timeoutMs: 2000 })).rejects.toThrow('closed');
      const refused = await connectTcp('127.0.0.1', server.port);
      await expect(refused.read({ timeoutMs: 2000 })).rejects.toThrow('closed');
      await clock.sleep(300);
      const again = await connectTcp('127.0.0.1', server.port);
      // The chip's SLIP receiver still holds the cut frame: the first SYNC closes it and is lost.
      const h = new TestHost(again);
      expect(await syncValue(h, 300)).toBeNull();
      expect(await syncValue(h, 300)).toBe(0x20120707);
      expect(server.device.faults.stats.disconnects).toBe(1);
      await again.close();
    } finally {
      await server.close();
    }
  });
});
