// The native byte comparison behind toEqual (test/support/byte-equality.ts) gives Vitest's verdicts.
import { describe, expect, it } from 'vitest';

const bytes = (n: number, k = 1) => new Uint8Array(n).map((_, i) => (i * k + 3) & 0xff);

describe('toEqual on integer typed arrays', () => {
  it('equal bytes are equal, including views into larger buffers', () => {
    const a = bytes(1 << 20);
    expect(a).toEqual(a.slice());
    expect(a).toStrictEqual(a.slice());
    const big = bytes(5000);
    expect(big.subarray(100, 200)).toEqual(big.slice(100, 200));
    expect(new Uint32Array([1, 2, 0xffffffff])).toEqual(new Uint32Array([1, 2, 0xffffffff]));
  });

  it('one changed byte, another length or an empty side is a failure', () => {
    const a = bytes(1 << 16);
    const b = a.slice();
    b[40_000] = b[40_000]! ^ 1;
    expect(() => expect(b).toEqual(a)).toThrow();
    expect(() => expect(a.subarray(1)).toEqual(a)).toThrow();
    expect(() => expect(new Uint8Array(0)).toEqual(a)).toThrow();
    expect(a).not.toEqual(b);
  });

  it('leaves mixed kinds to Vitest, which tells them apart even with the same bytes', () => {
    const a = bytes(64);
    expect(Buffer.from(a)).not.toEqual(a);
    expect(new Int8Array(a.buffer)).not.toEqual(a);
    expect(Buffer.from(a)).toEqual(Buffer.from(a));
  });

  it('still compares typed arrays inside objects and arrays', () => {
    expect({ data: bytes(100), n: 1 }).toEqual({ data: bytes(100), n: 1 });
    expect([bytes(10), bytes(10, 2)]).not.toEqual([bytes(10), bytes(10, 3)]);
  });
});
