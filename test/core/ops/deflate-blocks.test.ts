// The compression pieces of the write engine: one zlib stream produced incrementally, the sizing
// pass (kept only when small), blocks re-cut from the stream and their inflated sizes.

import { deflate, Inflate } from 'pako';
import { describe, expect, it } from 'vitest';
import {
  chunksOf,
  deflatedBlocks,
  KEEP_COMPRESSED_BYTES,
  portableDeflate,
  sizeDeflated,
} from '../../../src/core/write/deflate-blocks.js';
import { StreamInflater } from '../../../src/core/write/stream-inflater.js';
import { nodeDeflate } from '../../../src/flash/write-plan.js';
import { sampleBytes } from './support/scripted-loader.js';

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of stream) parts.push(p);
  return new Uint8Array(Buffer.concat(parts));
}

describe('deflate streams', () => {
  const data = sampleBytes(300_000, 4);

  it('the portable and the node:zlib streams are one zlib stream of the whole input', async () => {
    expect(await collect(portableDeflate(chunksOf(data)))).toEqual(deflate(data, { level: 9 }));
    const native = await collect(nodeDeflate(chunksOf(data)));
    const inflater = new Inflate();
    inflater.push(native, true);
    expect(inflater.result).toEqual(data);
  });

  it('the sizing pass keeps a small stream and drops a large one', async () => {
    const small = await sizeDeflated(data, nodeDeflate);
    expect(small.kept).not.toBeNull();
    expect(Buffer.concat(small.kept!).length).toBe(small.size);
    let x = 7;
    const noise = new Uint8Array(KEEP_COMPRESSED_BYTES + 0x10000).map(() => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x & 0xff;
    });
    const large = await sizeDeflated(noise, nodeDeflate);
    expect(large.size).toBeGreaterThan(KEEP_COMPRESSED_BYTES);
    expect(large.kept).toBeNull();
  });

  it('re-cuts the stream into blocks whose inflated sizes match a streaming inflater’s and add up', async () => {
    const compressed = deflate(data, { level: 9 });
    const reference = new Inflate();
    let produced = 0;
    reference.onData = (c) => {
      produced += (c as Uint8Array).length;
    };
    const sizes: number[] = [];
    const lengths: number[] = [];
    // Odd-sized input chunks: the blocks do not depend on how the stream arrives.
    for await (const b of deflatedBlocks(chunksOf(compressed, 1000), 0x1000)) {
      const before = produced;
      reference.push(b.bytes, 2);
      expect(b.inflatedSize).toBe(produced - before);
      sizes.push(b.inflatedSize);
      lengths.push(b.bytes.length);
    }
    expect(lengths.slice(0, -1).every((n) => n === 0x1000)).toBe(true);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(compressed.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(data.length);
  });

  it('the stream inflater hands out the bytes, reports a corrupt stream and ignores input after the end', () => {
    const compressed = deflate(data, { level: 9 });
    const inflater = new StreamInflater();
    const out: Uint8Array[] = [];
    for (const piece of chunksOf(compressed, 0x4000)) inflater.push(piece, (p) => out.push(p.slice()));
    expect(new Uint8Array(Buffer.concat(out))).toEqual(data);
    expect(inflater.ended).toBe(true);
    expect(inflater.push(new Uint8Array([1, 2, 3]))).toBe(0);
    const bad = new StreamInflater();
    expect(bad.push(new Uint8Array([0x78, 0xda, 0xff, 0xff, 0xff, 0xff]))).toBeNull();
  });
});
