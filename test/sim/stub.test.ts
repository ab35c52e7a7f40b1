// Stub behaviour after a real stub image is uploaded: OHAI, 2-byte status, stub-only commands,
// block-size limits, deferred errors, READ_FLASH stop-and-wait flow control and its MD5 frame.

import { createHash } from 'node:crypto';
import { deflate } from 'pako';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChipName } from '../../src/chips/chips.js';
import type { SimFaults } from '../../src/sim/faults.js';
import { createSimTransport, type SimTransport } from '../../src/sim/sim-transport.js';
import {
  concat,
  dataBody,
  expectOk,
  SYNC_DATA,
  TestHost,
  uploadStub,
  words,
  xorChecksum,
} from './support/host.js';
import { legacyStubStandIn, loadStub } from './support/stub-image.js';

const open: SimTransport[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

async function stub(chip: ChipName = 'esp32', faults?: SimFaults, legacy = false) {
  const transport = createSimTransport({ chip, ...(faults ? { faults } : {}) });
  open.push(transport);
  const host = new TestHost(transport);
  if (chip === 'esp8266') {
    // The ESP8266 ROM starts at 74880 baud and locks onto the first SYNC, which is lost.
    await host.send(0x08, SYNC_DATA);
    expect(await host.drain()).toEqual([]);
  }
  const memEnd = await uploadStub(host, legacy ? legacyStubStandIn() : loadStub(chip));
  expect(Array.from(memEnd.data)).toEqual(chip === 'esp8266' ? [0, 0] : [0, 0, 0, 0]);
  const ohai = await host.frame();
  expect(String.fromCharCode(...ohai!)).toBe('OHAI');
  return { transport, host, device: transport.device, flash: transport.device.flash };
}

const status = (data: Uint8Array) => Array.from(data.subarray(data.length - 2));
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest();

describe('starting the stub', () => {
  it('replies to MEM_END as the ROM, then sends OHAI and switches to stub rules', async () => {
    const { host, device } = await stub('esp32c3');
    expect(device.mode).toBe('stub');
    await host.send(0x08, SYNC_DATA);
    const frames = await host.drain();
    expect(frames).toHaveLength(8);
    for (const f of frames) expect(Array.from(f)).toEqual([1, 0x08, 2, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('faults instead of starting when MEM_END jumps outside the uploaded RAM', async () => {
    const transport = createSimTransport({ chip: 'esp32' });
    open.push(transport);
    const host = new TestHost(transport);
    const code = new Uint8Array(64).fill(0x11);
    await expectOk(host, 0x05, words(64, 1, 0x1800, 0x40080000));
    await expectOk(host, 0x07, dataBody(code, 0), xorChecksum(code));
    await expectOk(host, 0x06, words(0, 0x40090000));
    expect(await host.text()).toContain('Guru Meditation Error');
    expect(transport.device.mode).toBe('app');
  });
});

describe('stub commands and errors', () => {
  it('answers unknown opcodes and READ_FLASH_SLOW with C3 once, like esp-flasher-stub', async () => {
    const { host } = await stub();
    await host.send(0x0e, words(0, 16));
    const frames = await host.drain();
    expect(frames.map((f) => Array.from(f))).toEqual([[1, 0x0e, 2, 0, 0, 0, 0, 0, 0xc3, 0]]);
    expect(Array.from((await host.command(0x77)).data)).toEqual([0xc3, 0]);
  });

  it('answers unknown opcodes with FF in the legacy stub', async () => {
    const { host } = await stub('esp32', undefined, true);
    expect(Array.from((await host.command(0x0e, words(0, 16))).data)).toEqual([0xff, 0]);
    expect(Array.from((await host.command(0x77)).data)).toEqual([0xff, 0]);
  });

  it('fails GET_SECURITY_INFO on ESP32 with FF (both stubs) but returns 20 bytes on ESP32-S3', async () => {
    expect(Array.from((await (await stub('esp32')).host.command(0x14)).data)).toEqual([0xff, 0]);
    expect(Array.from((await (await stub('esp32', undefined, true)).host.command(0x14)).data)).toEqual([
      0xff, 0,
    ]);
    const r = await (await stub('esp32s3')).host.command(0x14);
    expect(r.data).toHaveLength(22);
    expect(r.data[12]).toBe(9);
  });

  it('takes SPI_ATTACH with exactly 4 bytes', async () => {
    const { host } = await stub();
    await expectOk(host, 0x0d, words(0));
    expect(status((await host.command(0x0d, words(0, 0))).data)).toEqual([0xc0, 0]);
  });

  it('limits the block size to 16 KiB (legacy stub only) and the data field to 0x4010 bytes', async () => {
    const legacy = (await stub('esp32', undefined, true)).host;
    expect(status((await legacy.command(0x02, words(0x8000, 2, 0x4001, 0x10000))).data)).toEqual([0xc2, 0]);
    const { host } = await stub();
    await expectOk(host, 0x02, words(0x8000, 2, 0x4001, 0x10000));
    await expectOk(host, 0x02, words(0x8000, 2, 0x4000, 0x10000));
    const big = new Uint8Array(0x4001);
    expect(status((await host.command(0x03, dataBody(big, 0), xorChecksum(big))).data)).toEqual([0xc0, 0xee]);
  });

  it('writes 16 KiB blocks, trims padding past the announced size, and reports a raw MD5', async () => {
    const { host, flash } = await stub();
    const image = new Uint8Array(0x5000).map((_, i) => (i * 13) & 0xff);
    await expectOk(host, 0x02, words(image.length, 2, 0x4000, 0x20001));
    const b0 = image.subarray(0, 0x4000);
    const b1 = concat(image.subarray(0x4000), new Uint8Array(0x3000).fill(0xff));
    await expectOk(host, 0x03, dataBody(b0, 0), xorChecksum(b0));
    await expectOk(host, 0x03, dataBody(b1, 1), xorChecksum(b1));
    await expectOk(host, 0x04, words(1));
    expect(flash.read(0x20001, image.length)).toEqual(image);
    const r = await host.command(0x13, words(0x20001, image.length, 0, 0));
    expect(r.data).toHaveLength(18);
    expect(Buffer.from(r.data.subarray(0, 16))).toEqual(md5(image));
    // The stub erases whole sectors just in time, so the byte before an unaligned start is erased too.
    expect(flash.counters.sectorsErased + flash.counters.blocksErased * 16).toBeGreaterThanOrEqual(6);
  });

  it('checks the checksum at once (C1) but reports flash failures on the next DATA and on END (deferred)', async () => {
    const { host } = await stub('esp32', { statusErrorOnBlock: { seq: 1 } });
    const block = new Uint8Array(0x4000).fill(0x42);
    await expectOk(host, 0x02, words(0x10000, 4, 0x4000, 0x100000));
    expect(status((await host.command(0x03, dataBody(block, 0), xorChecksum(block) ^ 0x80)).data)).toEqual([
      0xc1, 0,
    ]);
    await expectOk(host, 0x03, dataBody(block, 0), xorChecksum(block));
    await expectOk(host, 0x03, dataBody(block, 1), xorChecksum(block));
    expect(status((await host.command(0x03, dataBody(block, 2), xorChecksum(block))).data)).toEqual([
      0xc4, 0,
    ]);
    expect(status((await host.command(0x04, words(1))).data)).toEqual([0xc4, 0]);
  });

  it.each([
    ['esp-flasher-stub', false, 0xc0, 0],
    ['legacy stub', true, 0xc8, 0xc9],
  ] as const)(
    '%s: DATA without BEGIN (C6), END short (%i), plain excess dropped, compressed excess (%i)',
    async (_n, legacy, short, excess) => {
      const { host, flash } = await stub('esp32', undefined, legacy);
      const block = new Uint8Array(0x100).fill(1);
      expect(status((await host.command(0x03, dataBody(block, 0), xorChecksum(block))).data)).toEqual([
        0xc6, 0,
      ]);
      await expectOk(host, 0x02, words(0x200, 1, 0x4000, 0));
      await expectOk(host, 0x03, dataBody(block, 0), xorChecksum(block));
      expect(status((await host.command(0x04, words(1))).data)).toEqual([short, 0]);
      await expectOk(host, 0x02, words(0x100, 1, 0x4000, 0x1000));
      await expectOk(host, 0x03, dataBody(block, 0), xorChecksum(block));
      await expectOk(host, 0x03, dataBody(block, 1), xorChecksum(block));
      await expectOk(host, 0x04, words(1));
      expect(flash.read(0x1100, 1)[0]).toBe(0xff);
      const z = deflate(new Uint8Array(0x100).fill(3), { level: 9 });
      await expectOk(host, 0x10, words(0x100, 2, 0x4000, 0x2000));
      await expectOk(host, 0x11, dataBody(z, 0), xorChecksum(z));
      await expectOk(host, 0x11, dataBody(block, 1), xorChecksum(block));
      expect(status((await host.command(0x12, words(1))).data)).toEqual([excess, 0]);
    },
  );

  it('inflates the exact size with FLASH_DEFL_* and defers a corrupt stream error (C7)', async () => {
    const { host, flash } = await stub();
    const image = new Uint8Array(100_000).map((_, i) => (i >> 6) & 0xff);
    const z = deflate(image, { level: 9 });
    const blocks = Math.ceil(z.length / 0x4000);
    await expectOk(host, 0x10, words(image.length, blocks, 0x4000, 0x10000));
    for (let seq = 0; seq < blocks; seq++) {
      const chunk = z.subarray(seq * 0x4000, (seq + 1) * 0x4000);
      await expectOk(host, 0x11, dataBody(chunk, seq), xorChecksum(chunk));
    }
    await expectOk(host, 0x12, words(1));
    expect(flash.read(0x10000, image.length)).toEqual(image);
    await expectOk(host, 0x10, words(0x1000, 1, 0x4000, 0x80000));
    const junk = new Uint8Array([0x78, 0xda, 0xff, 0xff, 0xff, 0xff]);
    await expectOk(host, 0x11, dataBody(junk, 0), xorChecksum(junk));
    expect(status((await host.command(0x12, words(1))).data)).toEqual([0xc7, 0]);
  });

  it('erases regions on sector boundaries only, and the whole chip', async () => {
    const { host, flash } = await stub();
    flash.program(0x3000, new Uint8Array(0x2000));
    expect(status((await host.command(0xd1, words(0x3100, 0x1000))).data)).toEqual([0xc0, 0]);
    await expectOk(host, 0xd1, words(0x3000, 0x1000));
    expect(flash.read(0x3fff, 2)).toEqual(new Uint8Array([0xff, 0x00]));
    await expectOk(host, 0xd0);
    expect(flash.read(0x4000, 1)[0]).toBe(0xff);
  });
});

describe('stub READ_FLASH', () => {
  it('rejects packets over 4096 bytes with C0', async () => {
    const { host } = await stub();
    expect(status((await host.command(0xd2, words(0, 0x2000, 0x1001, 64))).data)).toEqual([0xc0, 0]);
  });

  it('sends one packet at a time, waits for each ack, then the MD5 frame', async () => {
    const { host, flash } = await stub();
    const data = new Uint8Array(10_000).map((_, i) => (i * 31) & 0xff);
    flash.program(0x1000, data);
    await expectOk(host, 0xd2, words(0x1000, data.length, 0x1000, 1024));
    const received: Uint8Array[] = [];
    let total = 0;
    while (total < data.length) {
      const frame = (await host.frame())!;
      received.push(frame);
      total += frame.length;
      // Nothing else may arrive before the ack.
      expect(await host.frame(30)).toBeNull();
      await host.sendRaw(words(total));
    }
    expect(received.map((f) => f.length)).toEqual([4096, 4096, 1808]);
    expect(concat(...received)).toEqual(data);
    const digest = (await host.frame())!;
    expect(Buffer.from(digest)).toEqual(md5(data));
  });
});

describe('leaving the stub', () => {
  it('FLASH_END(0) keeps esp-flasher-stub running (as on QEMU)', async () => {
    const { host, device } = await stub('esp32');
    await expectOk(host, 0x02, words(0, 0, 0x4000, 0));
    await expectOk(host, 0x04, words(0));
    expect(device.mode).toBe('stub');
    expect((await host.command(0x08, SYNC_DATA)).value).toBe(0);
  });

  it('FLASH_END(0) software-resets the legacy stub into the ROM loader', async () => {
    const { host, device } = await stub('esp32', undefined, true);
    await expectOk(host, 0x02, words(0, 0, 0x4000, 0));
    await expectOk(host, 0x04, words(0));
    expect(await host.text()).toContain('rst:0xc (SW_CPU_RESET),boot:0x3 (DOWNLOAD_BOOT');
    expect(device.mode).toBe('rom');
    expect((await host.command(0x08, SYNC_DATA)).value).toBe(0x20120707);
  });

  it('RUN_USER_CODE gets no reply and starts the application', async () => {
    const { host, device } = await stub('esp8266');
    await host.send(0xd3);
    const text = await host.text();
    expect(text).toContain('invalid header');
    expect(device.mode).toBe('app');
  });
});
