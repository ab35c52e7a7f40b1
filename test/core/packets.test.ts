import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/core/protocol/bytes.js';
import { OP, opcodeName, opcodeSlug, timeoutFor } from '../../src/core/protocol/opcodes.js';
import {
  dataBlock,
  dataChecksum,
  decodeMd5Reply,
  decodeResponse,
  encodeCommand,
  isUnsupportedReply,
  readStatus,
  syncPacket,
} from '../../src/core/protocol/packets.js';
import { slipEncode } from '../../src/core/protocol/slip.js';

describe('request encoding', () => {
  it('SYNC is exactly 46 bytes on the wire with the documented layout', () => {
    const wire = slipEncode(syncPacket());
    expect(wire.length).toBe(46);
    const expected = fromHex(`c0000824000000000007071220${'55'.repeat(32)}c0`);
    expect([...wire]).toEqual([...expected]);
  });

  it('always writes an 8-byte header with a checksum word, even for empty commands', () => {
    expect([...encodeCommand({ op: 0x14 })]).toEqual([0x00, 0x14, 0, 0, 0, 0, 0, 0]);
    const readReg = encodeCommand({ op: 0x0a, data: Uint8Array.of(0x00, 0x10, 0x00, 0x40) });
    expect([...readReg]).toEqual([0x00, 0x0a, 0x04, 0x00, 0, 0, 0, 0, 0x00, 0x10, 0x00, 0x40]);
  });

  it('stores the checksum zero-extended little-endian in bytes 4..7', () => {
    const p = encodeCommand({ op: 0x03, data: new Uint8Array(300), checksum: 0xab });
    expect([...p.subarray(0, 8)]).toEqual([0x00, 0x03, 0x2c, 0x01, 0xab, 0, 0, 0]);
  });

  it('computes the XOR checksum from the 0xEF seed', () => {
    expect(dataChecksum(new Uint8Array(0))).toBe(0xef);
    expect(dataChecksum(Uint8Array.of(0x01, 0x02))).toBe(0xec);
    expect(dataChecksum(Uint8Array.of(0xef))).toBe(0x00);
    expect(dataChecksum(new Uint8Array(8).fill(0xff))).toBe(0xef);
  });

  it('builds *_DATA blocks with the 16-byte sub-header and a checksum over the payload only', () => {
    const b = dataBlock({ seq: 3, payload: Uint8Array.of(0x10, 0x20, 0x30) });
    expect([...b.data]).toEqual([3, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x20, 0x30]);
    expect(b.checksum).toBe(0xef ^ 0x10 ^ 0x20 ^ 0x30);
  });
});

describe('response decoding', () => {
  it('decodes an ESP32 ROM READ_REG reply with a 4-byte status', () => {
    const r = decodeResponse(fromHex('010a0400831df00000000000'));
    expect(r).toEqual({ op: 0x0a, value: 0x00f01d83, data: Uint8Array.of(0, 0, 0, 0) });
    expect(readStatus(r!.data)).toEqual({ kind: 'ok', payload: new Uint8Array(0) });
  });

  it('reads ESP8266 ROM and stub 2-byte status the same way', () => {
    const rom8266 = decodeResponse(fromHex('0108020007071220' + '0000'));
    expect(rom8266?.data.length).toBe(2);
    expect(readStatus(rom8266!.data).kind).toBe('ok');
    const stubFail = decodeResponse(fromHex('01030200' + '00000000' + 'c100'));
    expect(readStatus(stubFail!.data)).toEqual({ kind: 'error', byte0: 0xc1, byte1: 0, code: 0xc100 });
  });

  it('decodes the ROM error code as byte0 << 8 | byte1', () => {
    expect(readStatus(Uint8Array.of(1, 8, 0, 0))).toEqual({
      kind: 'error',
      byte0: 1,
      byte1: 8,
      code: 0x0108,
    });
  });

  it('finds the status after a payload: stub MD5 (16 raw + 2) and ROM MD5 (32 ASCII + 4)', () => {
    const digest = fromHex('0123456789abcdef0123456789abcdef');
    const stub = readStatus(Uint8Array.from([...digest, 0, 0]), 16);
    expect(stub.kind).toBe('ok');
    expect(decodeMd5Reply(stub.kind === 'ok' ? stub.payload : new Uint8Array(0))).toBe(
      '0123456789abcdef0123456789abcdef',
    );
    const ascii = new TextEncoder().encode('0123456789ABCDEF0123456789ABCDEF');
    const rom = readStatus(Uint8Array.from([...ascii, 0, 0, 0, 0]), 32);
    expect(decodeMd5Reply(rom.kind === 'ok' ? rom.payload : new Uint8Array(0))).toBe(
      '0123456789abcdef0123456789abcdef',
    );
    expect(decodeMd5Reply(new Uint8Array(20))).toBeNull();
    expect(decodeMd5Reply(new TextEncoder().encode('z'.repeat(32)))).toBeNull();
  });

  it('applies the short-response rule: a status-only error reply vs. a truncated payload', () => {
    expect(readStatus(Uint8Array.of(1, 5, 0, 0), 32)).toEqual({
      kind: 'error',
      byte0: 1,
      byte1: 5,
      code: 0x0105,
    });
    expect(readStatus(new Uint8Array(16), 20)).toEqual({ kind: 'short', length: 16 });
    expect(readStatus(Uint8Array.of(0, 0), 16)).toEqual({ kind: 'short', length: 2 });
  });

  it('rejects frames that are not responses', () => {
    expect(decodeResponse(new TextEncoder().encode('OHAI'))).toBeNull();
    expect(decodeResponse(fromHex('000800000000000000'))).toBeNull();
  });

  it('ignores bytes beyond the declared size', () => {
    const r = decodeResponse(fromHex('0104020000000000' + '0000' + 'ffff'));
    expect(r?.data.length).toBe(2);
  });

  it('recognises an "invalid message" reply for another opcode as unsupported', () => {
    expect(isUnsupportedReply({ op: 0, value: 0, data: Uint8Array.of(1, 5, 0, 0) })).toBe(true);
    expect(isUnsupportedReply({ op: 0, value: 0, data: Uint8Array.of(1, 6, 0, 0) })).toBe(false);
    expect(isUnsupportedReply({ op: 0, value: 0, data: Uint8Array.of(0, 5) })).toBe(false);
  });
});

describe('opcode table', () => {
  it('names and slugs opcodes for messages and error codes', () => {
    expect(OP.SPI_FLASH_MD5).toBe(0x13);
    expect(OP.FLASH_DEFL_DATA).toBe(0x11);
    expect(opcodeName(0x13)).toBe('SPI_FLASH_MD5');
    expect(opcodeSlug(0x13)).toBe('spi-flash-md5');
    expect(opcodeName(0x42)).toBe('opcode 0x42');
  });

  it('scales timeouts per decimal MB with a 3 s floor and a 240 s cap', () => {
    expect(timeoutFor('SPI_FLASH_MD5', 1_000_000)).toBe(8000);
    expect(timeoutFor('SPI_FLASH_MD5', 100_000)).toBe(3000);
    expect(timeoutFor('ERASE_REGION', 2_000_000)).toBe(80_000);
    expect(timeoutFor('FLASH_DEFL_DATA', 0x4000)).toBe(3000);
    expect(timeoutFor('ERASE_REGION', 64_000_000)).toBe(240_000);
    expect(timeoutFor('ERASE_FLASH')).toBe(120_000);
    expect(timeoutFor('SYNC')).toBe(100);
  });

  it('applies the FLASH_BEGIN erase scaling only to the ROM', () => {
    expect(timeoutFor('FLASH_BEGIN', 4_000_000)).toBe(160_000);
    expect(timeoutFor('FLASH_BEGIN', 4_000_000, { stub: true })).toBe(3000);
    expect(timeoutFor(0x10, 1_048_576)).toBe(41_944);
  });
});
