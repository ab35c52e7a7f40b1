// ROM loader behaviour per chip: SYNC replies and values, status length, magic, security info,
// unsupported opcodes and their exact error bytes, attach/size rules, writes, MD5, slow reads.

import { createHash } from 'node:crypto';
import { deflate } from 'pako';
import { afterEach, describe, expect, it } from 'vitest';
import { CHIP_NAMES, type ChipName } from '../../src/chips/chips.js';
import { createSimTransport, type SimTransport } from '../../src/sim/sim-transport.js';
import { dataBody, expectOk, SYNC_DATA, TestHost, words, xorChecksum } from './support/host.js';

const open: SimTransport[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

/** A chip in its ROM loader; the ESP8266 ROM first auto-bauds on a SYNC (that first SYNC is lost). */
async function rom(chip: ChipName, extra: Partial<Parameters<typeof createSimTransport>[0]> = {}) {
  const transport = createSimTransport({ chip, ...extra });
  open.push(transport);
  const host = new TestHost(transport);
  if (chip === 'esp8266') {
    await host.send(0x08, SYNC_DATA);
    expect(await host.drain()).toEqual([]);
  }
  return { transport, host, flash: transport.device.flash };
}

const md5hex = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const ascii = (b: Uint8Array) => String.fromCharCode(...b);

describe('ROM SYNC', () => {
  it.each(CHIP_NAMES)('%s answers with 8 identical replies carrying 0x20120707', async (chip) => {
    const { host } = await rom(chip);
    await host.send(0x08, SYNC_DATA);
    const frames = await host.drain();
    expect(frames).toHaveLength(8);
    const statusLength = chip === 'esp8266' ? 2 : 4;
    for (const f of frames) {
      expect(Array.from(f.subarray(0, 8))).toEqual([1, 0x08, statusLength, 0, 0x07, 0x07, 0x12, 0x20]);
      expect(Array.from(f.subarray(8))).toEqual(new Array(statusLength).fill(0));
    }
  });

  it('answers a malformed SYNC payload with an invalid-message error', async () => {
    const { host } = await rom('esp32');
    const r = await host.command(0x08, new Uint8Array(36));
    expect(Array.from(r.data)).toEqual([1, 0x05, 0, 0]);
  });
});

describe('ROM registers', () => {
  it.each([
    ['esp8266', 0xfff0c101],
    ['esp32', 0x00f01d83],
    ['esp32s2', 0x000007c6],
    ['esp32s3', 0x00000009],
    ['esp32c6', 0x2ce0806f],
  ] as const)('%s reads its magic value at 0x40001000', async (chip, magic) => {
    const { host } = await rom(chip);
    const r = await host.command(0x0a, words(0x40001000));
    expect(r.value).toBe(magic);
  });

  it('reports the configured MAC through the ESP32 eFuse words', async () => {
    const { host } = await rom('esp32', { mac: '24:6f:28:aa:bb:cc' });
    const w1 = (await host.command(0x0a, words(0x3ff5a004))).value;
    const w2 = (await host.command(0x0a, words(0x3ff5a008))).value;
    expect(w1).toBe(0x28aabbcc);
    expect(w2 & 0xffff).toBe(0x246f);
  });

  it('reports the MAC through MAC0/MAC1 on later chips', async () => {
    const { host } = await rom('esp32c3', { mac: '10:20:30:40:50:60' });
    expect((await host.command(0x0a, words(0x60008844))).value).toBe(0x30405060);
    expect((await host.command(0x0a, words(0x60008848))).value & 0xffff).toBe(0x1020);
  });

  it('makes the UART divider match a 40 MHz crystal at the current baud', async () => {
    const { host } = await rom('esp32');
    const div = (await host.command(0x0a, words(0x3ff40014))).value & 0xfffff;
    expect(Math.round((115200 * div) / 1e6)).toBe(40);
  });

  it('makes esptool-style ESP32 crystal correction yield 40 MHz', async () => {
    const { host } = await rom('esp32');
    const cali = ((await host.command(0x0a, words(0x3ff5f06c))).value >>> 7) & 0x1ffffff;
    const ck8m = (await host.command(0x0a, words(0x3ff5a010))).value & 0xff;
    expect((cali * 15625 * ck8m) / 40).toBe(40_000_000);
  });

  it('answers RDID through the SPI user-command registers and clears the USR bit', async () => {
    const { host } = await rom('esp32s3', { flashSize: 8 * 1024 * 1024 });
    const base = 0x60002000;
    const record = (addr: number, value: number) => words(addr, value, 0xffffffff, 0);
    await expectOk(host, 0x09, record(base + 0x28, 23)); // MISO_DLEN
    await expectOk(host, 0x09, record(base + 0x18, (1 << 31) | (1 << 28))); // USR: command + MISO
    await expectOk(host, 0x09, record(base + 0x20, (7 << 28) | 0x9f)); // USR2
    await expectOk(host, 0x09, record(base + 0x58, 0));
    await expectOk(host, 0x09, record(base, 1 << 18));
    expect((await host.command(0x0a, words(base))).value & (1 << 18)).toBe(0);
    expect((await host.command(0x0a, words(base + 0x58))).value).toBe(0x1740ef);
  });

  it('applies WRITE_REG masks and takes several records per packet', async () => {
    const { host } = await rom('esp32');
    await expectOk(host, 0x09, words(0x3ff00000, 0xffffffff, 0xffffffff, 0, 0x3ff00000, 0x0, 0x0000ff00, 0));
    expect((await host.command(0x0a, words(0x3ff00000))).value).toBe(0xffff00ff);
    // A 12-byte field holds no whole record: the ESP32 ROM does nothing and succeeds; others reject it.
    expect(Array.from((await host.command(0x09, words(1, 2, 3))).data)).toEqual([0, 0, 0, 0]);
    const c3 = (await rom('esp32c3')).host;
    expect(Array.from((await c3.command(0x09, words(1, 2, 3))).data)).toEqual([1, 0x05, 0, 0]);
  });
});

describe('ROM GET_SECURITY_INFO and unsupported opcodes', () => {
  it('ESP8266 ROM rejects 0x14 as unsupported, 8 times', async () => {
    const { host } = await rom('esp8266');
    await host.send(0x14);
    const frames = await host.drain();
    expect(frames).toHaveLength(8);
    for (const f of frames) expect(Array.from(f.subarray(8))).toEqual([1, 0x05]);
  });

  it("ESP32 ROM answers 0x14 under the previous reply's opcode: once after READ_REG, 8 times after SYNC", async () => {
    const { host } = await rom('esp32');
    await host.send(0x14);
    expect((await host.drain()).map((f) => Array.from(f))).toEqual([[1, 0, 4, 0, 0, 0, 0, 0, 1, 0x05, 0, 0]]);
    await host.command(0x0a, words(0x40001000));
    await host.send(0x14);
    expect((await host.drain()).map((f) => Array.from(f))).toEqual([
      [1, 0x0a, 4, 0, 0x83, 0x1d, 0xf0, 0, 1, 0x05, 0, 0],
    ]);
    await host.send(0x08, SYNC_DATA);
    await host.drain();
    await host.send(0x14);
    const frames = await host.drain();
    expect(frames).toHaveLength(8);
    for (const f of frames)
      expect(Array.from(f)).toEqual([1, 0x08, 4, 0, 0x07, 0x07, 0x12, 0x20, 1, 0x05, 0, 0]);
  });

  it('ESP32-S2 ROM returns the 12-byte layout without chip id', async () => {
    const { host } = await rom('esp32s2');
    const r = await host.command(0x14);
    expect(r.data).toHaveLength(12 + 4);
    expect(Array.from(r.data.subarray(12))).toEqual([0, 0, 0, 0]);
  });

  it.each([
    ['esp32s3', 9],
    ['esp32c3', 5],
    ['esp32c6', 13],
    ['esp32p4', 18],
  ] as const)('%s ROM returns 20 bytes with chip id %s', async (chip, id) => {
    const { host } = await rom(chip);
    const r = await host.command(0x14);
    expect(r.data).toHaveLength(24);
    expect(new DataView(r.data.buffer).getUint32(12, true)).toBe(id);
  });

  it.each([0x0b, 0x0d, 0x0e, 0x0f, 0x10, 0x13, 0xd0])(
    'ESP8266 ROM rejects opcode %d with 01 05',
    async (op) => {
      const { host } = await rom('esp8266');
      const r = await host.command(op);
      expect(Array.from(r.data)).toEqual([1, 0x05]);
    },
  );

  it.each([0xd0, 0xd1, 0xd2, 0xd3, 0x0c, 0x42])(
    'ESP32 ROM rejects stub-only/unknown opcode %d with 01 05 00 00',
    async (op) => {
      const { host } = await rom('esp32');
      await host.command(0x0a, words(0x40001000));
      await host.send(op);
      const [f] = await host.drain();
      expect(Array.from(f!.subarray(8))).toEqual([1, 0x05, 0, 0]);
    },
  );

  it('ESP32-C3 ROM rejects a frame whose size field disagrees with its data; the ESP32 ROM ignores the field', async () => {
    const frame = new Uint8Array([0, 0x0a, 8, 0, 0, 0, 0, 0, 0, 0x10, 0, 0x40]);
    const c3 = (await rom('esp32c3')).host;
    await c3.sendRaw(frame);
    expect(Array.from((await c3.reply())!.data)).toEqual([1, 0x05, 0, 0]);
    const esp32 = (await rom('esp32')).host;
    await esp32.sendRaw(frame);
    const r = await esp32.reply();
    expect(r!.value).toBe(0x00f01d83);
    expect(Array.from(r!.data)).toEqual([0, 0, 0, 0]);
  });
});

describe('ROM flash commands', () => {
  it('fails flash commands until SPI_ATTACH, which needs 8 bytes (4 on the ESP32 ROM)', async () => {
    const { host } = await rom('esp32c3');
    expect(Array.from((await host.command(0x02, words(0x1000, 1, 0x400, 0, 0))).data)).toEqual([
      1, 0x06, 0, 0,
    ]);
    expect(Array.from((await host.command(0x13, words(0, 16, 0, 0))).data)).toEqual([1, 0x06, 0, 0]);
    expect(Array.from((await host.command(0x0d, words(0))).data)).toEqual([1, 0x05, 0, 0]);
    await expectOk(host, 0x0d, words(0, 0));
    await expectOk(host, 0x02, words(0x1000, 1, 0x400, 0, 0));
    const esp32 = (await rom('esp32')).host;
    expect(Array.from((await esp32.command(0x02, words(0x1000, 1, 0x400, 0))).data)).toEqual([1, 0x06, 0, 0]);
    await expectOk(esp32, 0x0d, words(0));
    await expectOk(esp32, 0x02, words(0x1000, 1, 0x400, 0));
  });

  it('assumes 2 MB until SPI_SET_PARAMS', async () => {
    const { host } = await rom('esp32c3');
    await expectOk(host, 0x0d, words(0, 0));
    expect(Array.from((await host.command(0x02, words(0x1000, 1, 0x400, 0x300000, 0))).data)).toEqual([
      1, 0x06, 0, 0,
    ]);
    await expectOk(host, 0x0b, words(0, 4 * 1024 * 1024, 0x10000, 0x1000, 0x100, 0xffff));
    await expectOk(host, 0x02, words(0x1000, 1, 0x400, 0x300000, 0));
  });

  it('writes blocks, checks checksum and sequence, and reports an ASCII MD5', async () => {
    const { host, flash } = await rom('esp32');
    await expectOk(host, 0x0d, words(0, 0));
    const image = new Uint8Array(0x800).map((_, i) => (i * 7) & 0xff);
    await expectOk(host, 0x02, words(image.length, 2, 0x400, 0x8000));
    const b0 = image.subarray(0, 0x400);
    const b1 = image.subarray(0x400);
    expect(Array.from((await host.command(0x03, dataBody(b0, 1), xorChecksum(b0))).data)).toEqual([
      1, 0x05, 0, 0,
    ]);
    // A corrupt block uses up its sequence number: the retry of the same bytes goes out as seq 1.
    expect(Array.from((await host.command(0x03, dataBody(b0, 0), xorChecksum(b0) ^ 1)).data)).toEqual([
      1, 0x07, 0, 0,
    ]);
    expect(Array.from((await host.command(0x03, dataBody(b0, 0), xorChecksum(b0))).data)).toEqual([
      1, 0x05, 0, 0,
    ]);
    expect(Array.from((await host.command(0x03, dataBody(b0, 1), xorChecksum(b0))).data)).toEqual([
      0, 0x05, 0, 0,
    ]);
    expect(Array.from((await host.command(0x03, dataBody(b1, 2), xorChecksum(b1))).data)).toEqual([
      0, 0x05, 0, 0,
    ]);
    expect(flash.read(0x8000, image.length)).toEqual(image);
    const r = await host.command(0x13, words(0x8000, image.length, 0, 0));
    expect(r.data).toHaveLength(36);
    expect(ascii(r.data.subarray(0, 32))).toBe(md5hex(image));
  });

  it('detects programming over unerased flash (read-back compare) and keeps the AND of old and new', async () => {
    const { host, flash } = await rom('esp32');
    flash.program(0x20000, new Uint8Array(0x1000).fill(0x0f));
    await expectOk(host, 0x0d, words(0, 0));
    await expectOk(host, 0x02, words(0, 1, 0x400, 0x20000)); // erase nothing
    const block = new Uint8Array(0x400).fill(0xf3);
    const r = await host.command(0x03, dataBody(block, 0), xorChecksum(block));
    expect(Array.from(r.data)).toEqual([1, 0x08, 0, 0]);
    expect(flash.read(0x20000, 4)).toEqual(new Uint8Array([0x03, 0x03, 0x03, 0x03]));
  });

  it('inflates FLASH_DEFL_* data into flash and rejects a corrupt stream with 0x0B', async () => {
    const { host, flash } = await rom('esp32s3');
    await expectOk(host, 0x0d, words(0, 0));
    const image = new Uint8Array(5000).map((_, i) => (i % 13) * 3);
    const z = deflate(image, { level: 9 });
    await expectOk(host, 0x10, words(Math.ceil(image.length / 0x400) * 0x400, 1, 0x400, 0x40000, 0));
    await expectOk(host, 0x11, dataBody(z, 0), xorChecksum(z));
    expect(flash.read(0x40000, image.length)).toEqual(image);
    await expectOk(host, 0x10, words(0x1000, 1, 0x400, 0x50000, 0));
    const junk = new Uint8Array([0x78, 0xda, 0xff, 0xff, 0xff, 0x00]);
    expect(Array.from((await host.command(0x11, dataBody(junk, 0), xorChecksum(junk))).data)).toEqual([
      1, 0x0b, 0, 0,
    ]);
  });

  it('reads 64-byte buffers with READ_FLASH_SLOW and rejects longer reads with 0x0A', async () => {
    const { host, flash } = await rom('esp32');
    flash.program(0x1000, new Uint8Array([1, 2, 3, 4, 5]));
    await expectOk(host, 0x0d, words(0, 0));
    const r = await host.command(0x0e, words(0x1000, 5));
    expect(r.data).toHaveLength(64 + 4);
    expect(Array.from(r.data.subarray(0, 6))).toEqual([1, 2, 3, 4, 5, 0]);
    // The 64-byte buffer goes out on failure too, still holding the last read.
    const bad = await host.command(0x0e, words(0x1000, 65));
    expect(bad.data).toHaveLength(64 + 4);
    expect(Array.from(bad.data.subarray(0, 5))).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(bad.data.subarray(64))).toEqual([1, 0x0a, 0, 0]);
  });

  it('ESP8266 ROM over-erases exactly as esptool get_erase_size compensates for', async () => {
    const { host, flash } = await rom('esp8266');
    flash.program(0, new Uint8Array(0x40000).fill(0));
    // esptool: 40 sectors at 0 -> head 16 -> sends (40 - 16) sectors; the ROM erases 40.
    await expectOk(host, 0x02, words(24 * 0x1000, 0, 0x400, 0));
    expect(flash.read(0x27fff, 2)).toEqual(new Uint8Array([0xff, 0x00]));
    // Uncompensated: 4 sectors at 0x30000 erase 8.
    await expectOk(host, 0x02, words(4 * 0x1000, 0, 0x400, 0x30000));
    expect(flash.read(0x37fff, 2)).toEqual(new Uint8Array([0xff, 0x00]));
  });

  it('rejects an unaligned ROM erase start', async () => {
    const { host } = await rom('esp32');
    await expectOk(host, 0x0d, words(0, 0));
    expect(Array.from((await host.command(0x02, words(0x100, 1, 0x400, 0x1100))).data)).toEqual([
      1, 0x06, 0, 0,
    ]);
  });
});

describe('ROM in Secure Download Mode', () => {
  it('flags SDM in GET_SECURITY_INFO and refuses READ_REG, MEM_* and MD5 as unsupported', async () => {
    const { host } = await rom('esp32s2', { secureDownload: true });
    const info = await host.command(0x14);
    expect(info.data[0]! & 0x04).toBe(0x04);
    for (const op of [0x0a, 0x05, 0x13, 0x09]) {
      expect(Array.from((await host.command(op, words(0, 0, 0, 0))).data)).toEqual([1, 0x05, 0, 0]);
      await host.drain();
    }
    await expectOk(host, 0x0d, words(0, 0));
    await expectOk(host, 0x02, words(0x1000, 1, 0x400, 0x1000, 0));
  });

  it('is refused for chips without Secure Download Mode', () => {
    expect(() => createSimTransport({ chip: 'esp32', secureDownload: true })).toThrow(
      expect.objectContaining({ code: 'sim/no-secure-download', exitCode: 2 }),
    );
  });
});
