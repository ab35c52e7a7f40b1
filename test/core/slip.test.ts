import { describe, expect, it } from 'vitest';
import { SlipDecoder, slipEncode } from '../../src/core/protocol/slip.js';

describe('SLIP', () => {
  it('escapes 0xDB before 0xC0 and frames with END on both sides', () => {
    expect([...slipEncode(Uint8Array.of(0x01, 0xc0, 0xdb, 0x02))]).toEqual([
      0xc0, 0x01, 0xdb, 0xdc, 0xdb, 0xdd, 0x02, 0xc0,
    ]);
  });

  it('decodes frames split at every byte boundary, including inside an escape', () => {
    const payload = Uint8Array.of(0xdb, 0xc0, 0x00, 0x01, 0xc0, 0xdb, 0xff);
    const wire = slipEncode(payload);
    for (let cut = 1; cut < wire.length; cut++) {
      const d = new SlipDecoder();
      const frames = [...d.feed(wire.subarray(0, cut)).frames, ...d.feed(wire.subarray(cut)).frames];
      expect(frames).toEqual([payload]);
    }
  });

  it('reports boot-log noise before the first frame and between frames', () => {
    const d = new SlipDecoder();
    const text = new TextEncoder().encode('rst:0x1 (POWERON_RESET),boot:0x3\r\n');
    const wire = Uint8Array.from([
      ...text,
      ...slipEncode(Uint8Array.of(1, 2)),
      0x41,
      ...slipEncode(Uint8Array.of(3)),
    ]);
    const r = d.feed(wire);
    expect(r.frames).toEqual([Uint8Array.of(1, 2), Uint8Array.of(3)]);
    expect(new TextDecoder().decode(r.noise)).toBe('rst:0x1 (POWERON_RESET),boot:0x3\r\nA');
  });

  it('treats C0 C0 as one frame boundary when joining mid-stream', () => {
    const d = new SlipDecoder();
    const r = d.feed(Uint8Array.of(0x55, 0xc0, 0xc0, 0x07, 0x08, 0xc0));
    expect(r.frames).toEqual([Uint8Array.of(7, 8)]);
  });

  it('drops a frame with an invalid escape and keeps decoding', () => {
    const d = new SlipDecoder();
    const r = d.feed(Uint8Array.of(0xc0, 0x01, 0xdb, 0x01, 0xc0, 0xc0, 0x09, 0xc0));
    expect(r.badFrames).toBe(1);
    expect(r.frames).toEqual([Uint8Array.of(9)]);
  });
});
