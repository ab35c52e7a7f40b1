import { describe, expect, it } from 'vitest';
import { decodeFlashId, readFlashId } from '../../../src/core/ops/flash-id.js';
import { attachFlash, setFlashParams } from '../../../src/core/ops/spi-attach.js';
import { readU32 } from '../../../src/core/protocol/bytes.js';
import { OP } from '../../../src/core/protocol/opcodes.js';
import { ScriptedLoader } from './support/scripted-loader.js';

const MB = 1 << 20;
const id = (manufacturer: number, type: number, capacity: number) =>
  manufacturer | (type << 8) | (capacity << 16);

describe('decodeFlashId', () => {
  it('maps the plain capacity codes 0x12-0x1C to 2^code', () => {
    expect(decodeFlashId(id(0xef, 0x40, 0x12)).sizeBytes).toBe(256 * 1024);
    expect(decodeFlashId(id(0xef, 0x40, 0x16)).sizeBytes).toBe(4 * MB);
    expect(decodeFlashId(id(0xef, 0x40, 0x18)).sizeName).toBe('16MB');
    expect(decodeFlashId(id(0xef, 0x40, 0x1c)).sizeName).toBe('256MB');
  });

  it('maps the offset families 0x20-0x22 and 0x32-0x3A through the table', () => {
    expect(decodeFlashId(id(0xc8, 0x40, 0x20)).sizeName).toBe('64MB');
    expect(decodeFlashId(id(0xc8, 0x40, 0x22)).sizeName).toBe('256MB');
    expect(decodeFlashId(id(0x20, 0x70, 0x32)).sizeName).toBe('256KB');
    expect(decodeFlashId(id(0x20, 0x70, 0x36)).sizeName).toBe('4MB');
    expect(decodeFlashId(id(0x20, 0x70, 0x3a)).sizeName).toBe('64MB');
  });

  it('reads Adesto sizes from the low 5 bits of the second byte', () => {
    expect(decodeFlashId(id(0x1f, 0x84, 0x01)).sizeName).toBe('512KB');
    expect(decodeFlashId(id(0x1f, 0x89, 0x01)).sizeName).toBe('16MB');
    expect(decodeFlashId(id(0x1f, 0x8a, 0x01)).sizeBytes).toBeNull();
  });

  it('returns null size for unknown codes and splits manufacturer/device id', () => {
    const d = decodeFlashId(0xff1640ef);
    expect(d.jedecId).toBe(0x1640ef);
    expect(d.manufacturer).toBe(0xef);
    expect(d.deviceId).toBe(0x4016);
    for (const cap of [0x00, 0x11, 0x1d, 0x23, 0x31, 0x3b, 0xff])
      expect(decodeFlashId(id(0xef, 0x40, cap)).sizeBytes).toBeNull();
  });
});

describe('readFlashId', () => {
  for (const chip of ['esp32', 'esp32s3', 'esp32c6', 'esp8266'] as const) {
    it(`runs RDID through the ${chip} SPI registers and restores USR/USR2`, async () => {
      const loader = new ScriptedLoader({ chip, stub: false, jedecId: 0x1840c8, registers: {} });
      const spi = loader.chip.spi;
      await loader.writeReg(spi.usr, 0x1234);
      await loader.writeReg(spi.usr2, 0x5678);
      loader.regWrites.length = 0;
      const r = await readFlashId(loader);
      expect(r.sizeName).toBe('16MB');
      expect(r.manufacturer).toBe(0xc8);
      const writes = loader.regWrites;
      expect(writes.find((w) => w.address === spi.usr2 && (w.value & 0xff) === 0x9f)?.value).toBe(
        ((7 << 28) | 0x9f) >>> 0,
      );
      expect(writes.find((w) => w.address === spi.usr && w.value !== 0x1234)?.value).toBe(0x90000000);
      if (spi.misoDlen !== null) expect(writes.find((w) => w.address === spi.misoDlen)?.value).toBe(23);
      else expect(writes.find((w) => w.address === spi.usr1)?.value).toBe(23 << 8);
      expect(writes.at(-2)).toEqual({ address: spi.usr, value: 0x1234 });
      expect(writes.at(-1)).toEqual({ address: spi.usr2, value: 0x5678 });
    });
  }
});

describe('attachFlash / setFlashParams', () => {
  it('sends the 8-byte ROM form, the 4-byte stub form, and FLASH_BEGIN(0,0) on the ESP8266 ROM', async () => {
    const rom = new ScriptedLoader({ chip: 'esp32c3', stub: false });
    await attachFlash(rom);
    expect(rom.log[0]).toMatchObject({ op: OP.SPI_ATTACH });
    expect(rom.log[0]!.data).toHaveLength(8);
    const stub = new ScriptedLoader({ chip: 'esp32c3', stub: true });
    await attachFlash(stub);
    expect(stub.log[0]!.data).toHaveLength(4);
    const e8266 = new ScriptedLoader({ chip: 'esp8266', stub: false });
    await attachFlash(e8266);
    expect(e8266.ops).toEqual([OP.FLASH_BEGIN]);
    expect(readU32(e8266.log[0]!.data!, 0)).toBe(0);
    expect(readU32(e8266.log[0]!.data!, 4)).toBe(0);
  });

  it('sends SPI_SET_PARAMS with the total size, and skips it on the ESP8266 ROM', async () => {
    const rom = new ScriptedLoader({ chip: 'esp32', stub: false });
    expect(await setFlashParams(rom, { totalSize: 8 * MB })).toBe(true);
    const d = rom.log[0]!.data!;
    expect([0, 1, 2, 3, 4, 5].map((i) => readU32(d, i * 4))).toEqual([
      0,
      8 * MB,
      0x10000,
      0x1000,
      0x100,
      0xffff,
    ]);
    const e8266 = new ScriptedLoader({ chip: 'esp8266', stub: false });
    expect(await setFlashParams(e8266, { totalSize: 4 * MB })).toBe(false);
    expect(e8266.log).toHaveLength(0);
  });
});
