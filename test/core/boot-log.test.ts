import { describe, expect, it } from 'vitest';
import { BootLogBuffer, diagnoseConnectFailure, parseBootMode } from '../../src/core/connect/boot-log.js';
import { parseSecurityInfo } from '../../src/core/connect/chip-detect.js';

const enc = (t: string) => new TextEncoder().encode(t);

describe('boot log', () => {
  it('keeps only the last bytes up to its limit', () => {
    const b = new BootLogBuffer(10);
    b.append(enc('0123456'));
    b.append(enc('789abcdef'));
    expect(b.text()).toBe('6789abcdef');
    expect(b.length).toBe(10);
    expect(b.total).toBe(16);
    b.clear();
    expect(b.text()).toBe('');
  });

  it('reads the last boot banner and whether download mode followed', () => {
    const text =
      'rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n...' +
      'rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n';
    expect(parseBootMode(text)).toEqual({ strap: 0x3, downloadMode: true });
    expect(parseBootMode('rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)')).toEqual({
      strap: 0x13,
      downloadMode: false,
    });
    expect(parseBootMode(' ets Jan  8 2013,rst cause:2, boot mode:(3,6)')).toBeNull();
  });

  it('falls back to a generic no-sync error when frames arrived but SYNC failed', () => {
    const err = diagnoseConnectFailure({
      port: '/dev/ttyUSB0',
      bootLog: '',
      bytesReceived: 40,
      framesReceived: 2,
      attempts: 7,
      lastError: new Error('No reply to SYNC within 100 ms'),
    });
    expect(err.code).toBe('connect/no-sync');
    expect(err.message).toContain('/dev/ttyUSB0');
    expect(err.message).toContain('No reply to SYNC');
  });
});

describe('security info', () => {
  it('parses the 20-byte layout with chip id and flags', () => {
    const p = new Uint8Array(20);
    p[0] = 0x05; // secure boot + secure download
    p[4] = 3;
    p.set([1, 2, 3, 4, 5, 6, 7], 5);
    p[12] = 9;
    p[16] = 2;
    expect(parseSecurityInfo(p)).toEqual({
      flags: 5,
      flashCryptCnt: 3,
      keyPurposes: [1, 2, 3, 4, 5, 6, 7],
      chipId: 9,
      apiVersion: 2,
      secureBootEnabled: true,
      secureDownloadMode: true,
    });
  });

  it('parses the ESP32-S2 12-byte layout without a chip id', () => {
    const info = parseSecurityInfo(new Uint8Array(12));
    expect(info.chipId).toBeNull();
    expect(info.apiVersion).toBeNull();
    expect(info.secureDownloadMode).toBe(false);
  });
});
