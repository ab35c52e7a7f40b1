// Golden bytes for the Telnet / RFC 2217 codec: IAC escaping, sub-negotiation encoding, and
// decoding server output split at every possible point.

import { describe, expect, it } from 'vitest';
import {
  COM_PORT,
  CONTROL,
  encodeComPortByte,
  encodeNegotiation,
  encodeSetBaudRate,
  escapeIac,
  PURGE,
  parseComPortReply,
  readBigEndianU32,
  TELNET,
  TELNET_OPTION,
  TelnetDecoder,
  type TelnetEvent,
} from '../../src/node/rfc2217-codec.js';

const b = (...v: number[]) => new Uint8Array(v);

/** Merge adjacent data events so results do not depend on how the input was split. */
function normalise(events: TelnetEvent[]): unknown[] {
  const out: unknown[] = [];
  for (const e of events) {
    const last = out[out.length - 1] as { type: string; bytes: number[] } | undefined;
    if (e.type === 'data' && last?.type === 'data') last.bytes.push(...e.bytes);
    else if (e.type === 'data') out.push({ type: 'data', bytes: [...e.bytes] });
    else if (e.type === 'subnegotiation') out.push({ ...e, payload: [...e.payload] });
    else out.push(e);
  }
  return out;
}

describe('Telnet/RFC 2217 encoding', () => {
  it('doubles 0xFF in data and leaves other bytes alone', () => {
    expect(escapeIac(b(0x41, 0xff, 0x42, 0xff, 0xff))).toEqual(
      b(0x41, 0xff, 0xff, 0x42, 0xff, 0xff, 0xff, 0xff),
    );
    expect(escapeIac(b(0x00, 0x0d, 0x0a, 0xfe))).toEqual(b(0x00, 0x0d, 0x0a, 0xfe));
  });

  it('encodes option negotiation as IAC <verb> <option>', () => {
    expect(encodeNegotiation(TELNET.WILL, TELNET_OPTION.COM_PORT)).toEqual(b(255, 251, 44));
    expect(encodeNegotiation(TELNET.DO, TELNET_OPTION.BINARY)).toEqual(b(255, 253, 0));
    expect(encodeNegotiation(TELNET.DONT, TELNET_OPTION.ECHO)).toEqual(b(255, 254, 1));
  });

  it('encodes SET-BAUDRATE as a big-endian 32-bit value inside IAC SB 44 1 ... IAC SE', () => {
    // 115200 = 0x0001C200, 921600 = 0x000E1000
    expect(encodeSetBaudRate(115200)).toEqual(b(255, 250, 44, 1, 0x00, 0x01, 0xc2, 0x00, 255, 240));
    expect(encodeSetBaudRate(921600)).toEqual(b(255, 250, 44, 1, 0x00, 0x0e, 0x10, 0x00, 255, 240));
  });

  it('escapes 0xFF inside sub-negotiation values', () => {
    // 0x0001FFFF = 131071 baud: both 0xFF bytes are doubled.
    expect(encodeSetBaudRate(0x1ffff)).toEqual(b(255, 250, 44, 1, 0x00, 0x01, 255, 255, 255, 255, 255, 240));
  });

  it('encodes SET-CONTROL and PURGE-DATA with the RFC 2217 values', () => {
    expect(encodeComPortByte(COM_PORT.SET_CONTROL, CONTROL.DTR_ON)).toEqual(b(255, 250, 44, 5, 8, 255, 240));
    expect(encodeComPortByte(COM_PORT.SET_CONTROL, CONTROL.DTR_OFF)).toEqual(b(255, 250, 44, 5, 9, 255, 240));
    expect(encodeComPortByte(COM_PORT.SET_CONTROL, CONTROL.RTS_ON)).toEqual(b(255, 250, 44, 5, 11, 255, 240));
    expect(encodeComPortByte(COM_PORT.SET_CONTROL, CONTROL.RTS_OFF)).toEqual(
      b(255, 250, 44, 5, 12, 255, 240),
    );
    expect(encodeComPortByte(COM_PORT.PURGE_DATA, PURGE.RECEIVE)).toEqual(b(255, 250, 44, 12, 1, 255, 240));
    expect(encodeComPortByte(COM_PORT.SET_DATASIZE, 8)).toEqual(b(255, 250, 44, 2, 8, 255, 240));
  });
});

describe('TelnetDecoder', () => {
  // What ser2net 4.3 sends on connect, then a baud reply, data with an escaped 0xFF, and a
  // modem-state notification.
  const serverStream = b(
    ...[255, 251, 3, 255, 253, 3, 255, 251, 1, 255, 254, 1, 255, 253, 44],
    ...[255, 250, 44, 101, 0, 14, 16, 0, 255, 240],
    ...[0x68, 0x69, 255, 255, 0x0d, 0x00],
    ...[255, 250, 44, 107, 0x30, 255, 240],
    ...[255, 241],
    0x21,
  );
  const expected = [
    { type: 'negotiation', command: TELNET.WILL, option: TELNET_OPTION.SGA },
    { type: 'negotiation', command: TELNET.DO, option: TELNET_OPTION.SGA },
    { type: 'negotiation', command: TELNET.WILL, option: TELNET_OPTION.ECHO },
    { type: 'negotiation', command: TELNET.DONT, option: TELNET_OPTION.ECHO },
    { type: 'negotiation', command: TELNET.DO, option: TELNET_OPTION.COM_PORT },
    { type: 'subnegotiation', option: 44, payload: [101, 0, 14, 16, 0] },
    { type: 'data', bytes: [0x68, 0x69, 0xff, 0x0d, 0x00] },
    { type: 'subnegotiation', option: 44, payload: [107, 0x30] },
    { type: 'command', command: 241 },
    { type: 'data', bytes: [0x21] },
  ];

  it('decodes a whole stream into ordered events', () => {
    expect(normalise(new TelnetDecoder().push(serverStream))).toEqual(expected);
  });

  it('gives the same events however the stream is split into two chunks', () => {
    for (let cut = 1; cut < serverStream.length; cut++) {
      const d = new TelnetDecoder();
      const events = [...d.push(serverStream.subarray(0, cut)), ...d.push(serverStream.subarray(cut))];
      expect(normalise(events), `split at ${cut}`).toEqual(expected);
    }
  });

  it('gives the same events when fed one byte at a time', () => {
    const d = new TelnetDecoder();
    const events = [...serverStream].flatMap((x) => d.push(b(x)));
    expect(normalise(events)).toEqual(expected);
  });

  it('un-doubles 0xFF inside sub-negotiation payloads', () => {
    const events = new TelnetDecoder().push(b(255, 250, 44, 101, 0, 1, 255, 255, 255, 255, 255, 240));
    expect(normalise(events)).toEqual([
      { type: 'subnegotiation', option: 44, payload: [101, 0, 1, 255, 255] },
    ]);
  });
});

describe('COM-PORT-OPTION replies', () => {
  it('maps server codes back to the client sub-option and reads big-endian rates', () => {
    const reply = parseComPortReply(b(101, 0x00, 0x0e, 0x10, 0x00));
    expect(reply?.subOption).toBe(COM_PORT.SET_BAUDRATE);
    expect(readBigEndianU32(reply!.value)).toBe(921600);
    expect(parseComPortReply(b(112, 1))).toEqual({ subOption: COM_PORT.PURGE_DATA, value: b(1) });
    expect(parseComPortReply(b(5, 8))).toBeNull();
    expect(readBigEndianU32(b(1, 2))).toBeNull();
  });
});
