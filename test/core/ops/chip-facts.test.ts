import { describe, expect, it } from 'vitest';
import { esp32MajorRevision, readChipRevision } from '../../../src/core/ops/chip-revision.js';
import { estimateCrystal, nearestCrystal, rememberRomCrystal } from '../../../src/core/ops/crystal.js';
import { decodeMac, readMac } from '../../../src/core/ops/read-mac.js';
import { decodeSecurityInfo, readSecurityInfo } from '../../../src/core/ops/security-info.js';
import { packU32 } from '../../../src/core/protocol/bytes.js';
import { ScriptedLoader } from './support/scripted-loader.js';

describe('MAC layouts', () => {
  it('later chips: MAC1 low 16 bits then MAC0 big-endian', async () => {
    const loader = new ScriptedLoader({
      chip: 'esp32c3',
      stub: false,
      registers: { 1610647620: 0x56789abc, 1610647624: 0xffff1234 },
    });
    expect(await readMac(loader)).toBe('12:34:56:78:9a:bc');
  });

  it('ESP32: word2 bytes 1,0 then word1 bytes 3..0 (CRC byte dropped)', async () => {
    const loader = new ScriptedLoader({
      chip: 'esp32',
      stub: false,
      registers: { 1073061892: 0x11223344, 1073061896: 0x00aabbcc },
    });
    expect(await readMac(loader)).toBe('bb:cc:11:22:33:44');
  });

  it('ESP8266: OUI from m3, or from the m1 selector byte', () => {
    const layout = { kind: 'esp8266' } as const;
    const regs = (m0: number, m1: number, m3: number) => (a: number) =>
      ({ 1072693328: m0, 1072693332: m1, 1072693340: m3 })[a] ?? 0;
    expect(decodeMac(layout, regs(0x7f000000, 0x0000abcd, 0x00123456))).toEqual([
      0x12, 0x34, 0x56, 0xab, 0xcd, 0x7f,
    ]);
    expect(decodeMac(layout, regs(0x7f000000, 0x0000abcd, 0))).toEqual([0x18, 0xfe, 0x34, 0xab, 0xcd, 0x7f]);
    expect(decodeMac(layout, regs(0x01000000, 0x0001abcd, 0))).toEqual([0xac, 0xd0, 0x74, 0xab, 0xcd, 0x01]);
  });
});

describe('security info', () => {
  it('decodes every flag bit, chip id and flash encryption state', () => {
    const payload = new Uint8Array(20);
    payload.set(packU32((1 << 0) | (1 << 2) | (1 << 4) | (1 << 7) | (1 << 10)), 0);
    payload[4] = 0b0000111; // three bits set: encryption on
    payload.set(packU32(9, 3), 12);
    const s = decodeSecurityInfo(payload);
    expect(s.secureBootEnabled).toBe(true);
    expect(s.secureDownloadMode).toBe(true);
    expect(s.secureBootKeyRevoked).toEqual([false, true, false]);
    expect(s.jtagHardDisabled).toBe(true);
    expect(s.jtagSoftDisabled).toBe(false);
    expect(s.downloadIcacheDisabled).toBe(true);
    expect(s.flashEncryptionEnabled).toBe(true);
    expect(s.chipId).toBe(9);
    expect(s.apiVersion).toBe(3);
    payload[4] = 0b11;
    expect(decodeSecurityInfo(payload).flashEncryptionEnabled).toBe(false);
  });

  it('reads the 12-byte S2 layout and returns null on chips without the command', async () => {
    const s2 = new ScriptedLoader({ chip: 'esp32s2', stub: false, securityInfo: new Uint8Array(12) });
    const info = await readSecurityInfo(s2);
    expect(info?.chipId).toBeNull();
    expect(s2.log[0]!.responseDataLength).toBe(12);
    expect(await readSecurityInfo(new ScriptedLoader({ chip: 'esp32', stub: false }))).toBeNull();
  });
});

describe('crystal estimate', () => {
  it('rounds to 26/40/48 MHz', () => {
    expect(nearestCrystal(25.6)).toBe(26);
    expect(nearestCrystal(39.9)).toBe(40);
    expect(nearestCrystal(47)).toBe(48);
  });

  it('uses baud × clkdiv, halved on ESP8266', async () => {
    // 40 MHz / 115200 ≈ 347 → 115200 × 347 / 1e6 ≈ 39.97 MHz
    const esp32 = new ScriptedLoader({
      chip: 'esp32',
      stub: false,
      registers: { 1072955412: 0xfff00000 | 347 },
    });
    expect(await estimateCrystal(esp32)).toBe(40);
    // ESP8266 with 26 MHz: clkdiv ≈ 2 × 26e6 / 115200 ≈ 451
    const e8266 = new ScriptedLoader({ chip: 'esp8266', stub: false, registers: { 1610612756: 451 } });
    expect(await estimateCrystal(e8266)).toBe(26);
    expect(await estimateCrystal(new ScriptedLoader({ chip: 'esp32p4', stub: false }))).toBeNull();
  });

  // Observed on the real ESP32 ROM under QEMU: the ROM's divider is 0x15a (346) at 115200; once
  // esp-flasher-stub runs it is 0x7002b6 (694 + 7/16), the 80 MHz APB clock from the PLL.
  const UART0_CLKDIV = 0x3ff40014;
  it('a stub clocking the UART from the PLL gives unknown, not 48 MHz', async () => {
    const stub = new ScriptedLoader({ chip: 'esp32', stub: true, registers: { [UART0_CLKDIV]: 0x7002b6 } });
    expect(await estimateCrystal(stub)).toBeNull();
  });

  it('keeps what the ROM showed right after SYNC, through a stub upload or a baud change on that link', async () => {
    const rom = new ScriptedLoader({ chip: 'esp32', stub: false, registers: { [UART0_CLKDIV]: 0x15a } });
    await rememberRomCrystal(rom);
    const stub: ScriptedLoader = Object.create(rom, { isStub: { value: true } });
    await stub.writeReg(UART0_CLKDIV, 0x7002b6);
    expect(await estimateCrystal(stub)).toBe(40);
    // The ROM itself after CHANGE_BAUDRATE: its divider follows its calibrated guess (QEMU: 28 at
    // 921600, "26 MHz"); the measurement right after SYNC stands.
    await rom.writeReg(UART0_CLKDIV, 28);
    (rom.transport as { baudRate: number }).baudRate = 921600;
    expect(await estimateCrystal(rom)).toBe(40);
    // Another link (a fresh connection to a chip already running the stub) has no ROM measurement.
    const other = new ScriptedLoader({ chip: 'esp32', stub: true, registers: { [UART0_CLKDIV]: 0x7002b6 } });
    expect(await estimateCrystal(other)).toBeNull();
  });
});

describe('chip revision', () => {
  it('decodes the ESP32 revision bits and reports null elsewhere', async () => {
    expect(esp32MajorRevision({ rev1: false, rev2: false, rev3: false })).toBe(0);
    expect(esp32MajorRevision({ rev1: true, rev2: false, rev3: false })).toBe(1);
    expect(esp32MajorRevision({ rev1: true, rev2: true, rev3: false })).toBe(2);
    expect(esp32MajorRevision({ rev1: true, rev2: true, rev3: true })).toBe(3);
    const v3 = new ScriptedLoader({
      chip: 'esp32',
      stub: false,
      registers: { 1073061900: 1 << 15, 1073061908: (1 << 20) | (1 << 24), 1073111164: 0x80000000 },
    });
    expect(await readChipRevision(v3)).toEqual({ major: 3, minor: 1 });
    expect(await readChipRevision(new ScriptedLoader({ chip: 'esp8266', stub: false }))).toBeNull();
  });
});
