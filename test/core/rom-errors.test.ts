import { describe, expect, it } from 'vitest';
import { OP } from '../../src/core/protocol/opcodes.js';
import { statusError } from '../../src/core/protocol/rom-errors.js';

const ROM_CASES: Array<[number, string]> = [
  [0x00, 'rom/undefined'],
  [0x01, 'rom/invalid-input'],
  [0x02, 'rom/malloc-failed'],
  [0x03, 'rom/send-failed'],
  [0x04, 'rom/receive-failed'],
  [0x05, 'rom/invalid-message'],
  [0x06, 'rom/failed-to-act'],
  [0x07, 'rom/bad-crc'],
  [0x08, 'rom/flash-write'],
  [0x09, 'rom/flash-read'],
  [0x0a, 'rom/read-length'],
  [0x0b, 'rom/deflate'],
  [0x0c, 'rom/deflate-adler32'],
  [0x0d, 'rom/deflate-param'],
  [0x0e, 'rom/bad-ram-size'],
  [0x0f, 'rom/bad-ram-address'],
  [0x64, 'rom/invalid-parameter'],
  [0x65, 'rom/invalid-format'],
  [0x66, 'rom/description-too-long'],
  [0x67, 'rom/bad-encoding'],
  [0x69, 'rom/insufficient-storage'],
];

const STUB_CASES: Array<[number, string]> = [
  [0xc0, 'stub/bad-data-len'],
  [0xc1, 'stub/bad-data-checksum'],
  [0xc2, 'stub/bad-blocksize'],
  [0xc3, 'stub/invalid-command'],
  [0xc4, 'stub/spi-failed'],
  [0xc5, 'stub/spi-unlock'],
  [0xc6, 'stub/not-in-flash-mode'],
  [0xc7, 'stub/inflate'],
  [0xc8, 'stub/not-enough-data'],
  [0xc9, 'stub/too-much-data'],
  [0xca, 'stub/nand-program'],
  [0xcb, 'stub/nand-erase'],
  [0xff, 'stub/not-implemented'],
];

describe('status → coded error', () => {
  it.each(ROM_CASES)('ROM reason 0x%s maps to its code', (reason, code) => {
    const err = statusError({ op: OP.FLASH_DATA, byte0: 1, byte1: reason });
    expect(err.code).toBe(code);
    expect(err.message).toMatch(/^FLASH_DATA failed: .+ \(ROM status 0x01 0x[0-9A-F]{2}\)$/);
    expect(err.details).toMatchObject({ command: 'FLASH_DATA', status: [1, reason], code: 0x100 | reason });
  });

  it.each(STUB_CASES)('stub code 0x%s maps to its code', (byte0, code) => {
    const err = statusError({ op: OP.FLASH_DEFL_END, byte0, byte1: 0 });
    expect(err.code).toBe(code);
    expect(err.message).toContain('FLASH_DEFL_END failed');
    expect(err.message).toContain('stub status');
  });

  it('words the flash write error as documented', () => {
    const err = statusError({ op: OP.FLASH_DEFL_DATA, byte0: 1, byte1: 8 });
    expect(err.message).toBe('FLASH_DEFL_DATA failed: flash write error (ROM status 0x01 0x08)');
    expect(err.exitCode).toBe(1);
  });

  it('hints at baud and cable for corrupted data', () => {
    expect(statusError({ op: OP.FLASH_DATA, byte0: 0xc1, byte1: 0 }).hint).toMatch(/--baud/);
    expect(statusError({ op: OP.FLASH_DATA, byte0: 1, byte1: 7 }).hint).toMatch(/cable/);
  });

  it('reports unknown statuses with both byte values (undefined stub codes, unknown ROM reasons)', () => {
    for (const [b0, b1] of [
      [0xcc, 0x00],
      [0x01, 0x42],
      [0x02, 0x00],
    ] as const) {
      const err = statusError({ op: OP.SPI_FLASH_MD5, byte0: b0, byte1: b1 });
      expect(err.code).toBe('rom/unknown-status');
      expect(err.message).toContain('SPI_FLASH_MD5');
      expect(err.message).toContain(`0x${b0.toString(16).toUpperCase().padStart(2, '0')}`);
      expect(err.details.status).toEqual([b0, b1]);
    }
  });
});
