// Fuzz the incremental SLIP decoder: random and mutated streams in random chunkings never throw,
// frames stay bounded, chunking never changes the result, encode() output round-trips, and one END
// byte after any garbage is enough to resynchronise on the next frame.

import { describe, expect, it } from 'vitest';
import {
  SLIP_END,
  SLIP_ESC,
  SLIP_ESC_END,
  SLIP_ESC_ESC,
  SlipDecoder,
  slipEncode,
} from '../../src/core/protocol/slip.js';
import { fuzzFailure } from './support/expect-coded.js';
import { hexPreview, iterationSeed, mutateMany, Prng } from './support/prng.js';

const SPECIALS = [SLIP_END, SLIP_ESC, SLIP_ESC_END, SLIP_ESC_ESC];

interface Decoded {
  frames: Uint8Array[];
  noise: number[];
  badFrames: number;
}

/** Feed `stream` to a fresh decoder in the chunk sizes `rng` picks (whole when rng is null). */
function decode(stream: Uint8Array, rng: Prng | null, maxFrame?: number): Decoded {
  const decoder = new SlipDecoder(maxFrame === undefined ? {} : { maxFrame });
  const out: Decoded = { frames: [], noise: [], badFrames: 0 };
  const feed = (chunk: Uint8Array) => {
    const r = decoder.feed(chunk);
    out.frames.push(...r.frames);
    out.noise.push(...r.noise);
    out.badFrames += r.badFrames;
  };
  // Every pass consumes at least one byte, so the loop runs at most stream.length times.
  let at = 0;
  do {
    const size = rng ? rng.pick([1, 1, 2, 3, 7, 64, 1000]) : Math.max(1, stream.length);
    if (rng?.chance(0.05)) feed(new Uint8Array(0));
    feed(stream.subarray(at, at + size));
    at += size;
  } while (at < stream.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function count(bytes: Uint8Array, value: number): number {
  let n = 0;
  for (const b of bytes) if (b === value) n++;
  return n;
}

function checkBounds(stream: Uint8Array, d: Decoded, maxFrame: number, ctx: { seed: number; input: string }) {
  const ends = count(stream, SLIP_END);
  const frameBytes = d.frames.reduce((n, f) => n + f.length, 0);
  if (d.frames.length + d.badFrames > ends)
    throw fuzzFailure(`${d.frames.length} frames + ${d.badFrames} bad from ${ends} END bytes`, ctx);
  if (d.frames.some((f) => f.length === 0)) throw fuzzFailure('an empty frame was reported', ctx);
  if (d.frames.some((f) => f.length > maxFrame))
    throw fuzzFailure(`a frame exceeds maxFrame ${maxFrame}`, ctx);
  if (frameBytes + d.noise.length > stream.length)
    throw fuzzFailure(
      `decoded ${frameBytes} frame + ${d.noise.length} noise bytes from ${stream.length}`,
      ctx,
    );
  if (d.noise.includes(SLIP_END)) throw fuzzFailure('an END byte was reported as noise', ctx);
}

const same = (a: Decoded, b: Decoded) =>
  a.badFrames === b.badFrames &&
  a.noise.length === b.noise.length &&
  a.noise.every((x, i) => x === b.noise[i]) &&
  a.frames.length === b.frames.length &&
  a.frames.every((f, i) => f.length === b.frames[i]!.length && f.every((x, j) => x === b.frames[i]![j]));

describe('fuzz: SLIP decoder', () => {
  it('random streams in random chunkings: no throw, bounded frames, chunking-independent', () => {
    for (let i = 0; i < 1500; i++) {
      const seed = iterationSeed(0x511b, i);
      const rng = new Prng(seed);
      const maxFrame = rng.pick([4, 16, 300, 0x20000]);
      const stream = rng.biasedBytes(rng.int(0, 700), SPECIALS, rng.pick([0.05, 0.3, 0.7]));
      const ctx = { seed, input: hexPreview(stream) };
      let whole: Decoded;
      let chunked: Decoded;
      try {
        whole = decode(stream, null, maxFrame);
        chunked = decode(stream, rng, maxFrame);
      } catch (err) {
        throw fuzzFailure('SlipDecoder.feed threw', ctx, err);
      }
      checkBounds(stream, whole, maxFrame, ctx);
      if (!same(whole, chunked)) throw fuzzFailure('chunking changed the decoded result', ctx);
    }
  });

  it('encode() output of random payloads round-trips under random chunking and inter-frame noise', () => {
    for (let i = 0; i < 800; i++) {
      const seed = iterationSeed(0x511c, i);
      const rng = new Prng(seed);
      const payloads = Array.from({ length: rng.int(1, 8) }, () =>
        rng.biasedBytes(rng.int(1, 300), SPECIALS, rng.pick([0, 0.2, 0.9])),
      );
      const parts: Uint8Array[] = [];
      for (const p of payloads) {
        // Noise between frames never contains END (that would open a frame of its own).
        if (rng.chance(0.3)) parts.push(rng.bytes(rng.int(1, 20)).map((b) => (b === SLIP_END ? 0x41 : b)));
        parts.push(slipEncode(p));
      }
      const stream = concat(parts);
      const ctx = { seed, input: hexPreview(stream) };
      const d = decode(stream, rng);
      if (d.badFrames !== 0) throw fuzzFailure(`${d.badFrames} bad frames in a clean stream`, ctx);
      if (d.frames.length !== payloads.length)
        throw fuzzFailure(`decoded ${d.frames.length} frames, encoded ${payloads.length}`, ctx);
      d.frames.forEach((f, k) => {
        if (f.length !== payloads[k]!.length || !f.every((x, j) => x === payloads[k]![j]))
          throw fuzzFailure(`frame ${k} differs from its payload`, ctx);
      });
      // An encoded frame never contains END between its delimiters.
      for (const p of payloads) expect(count(slipEncode(p), SLIP_END)).toBe(2);
    }
  });

  it('mutated valid streams: no throw, bounded; one END after any garbage resynchronises', () => {
    for (let i = 0; i < 1200; i++) {
      const seed = iterationSeed(0x511d, i);
      const rng = new Prng(seed);
      const valid = concat(
        Array.from({ length: rng.int(1, 4) }, () => slipEncode(rng.biasedBytes(rng.int(1, 80), SPECIALS))),
      );
      const garbage = mutateMany(rng, valid, { max: 5 });
      const probe = rng.biasedBytes(rng.int(1, 100), SPECIALS, 0.3);
      const stream = concat([garbage, Uint8Array.of(SLIP_END), slipEncode(probe)]);
      const ctx = { seed, input: hexPreview(stream) };
      let d: Decoded;
      try {
        d = decode(stream, rng);
      } catch (err) {
        throw fuzzFailure('SlipDecoder.feed threw on a mutated stream', ctx, err);
      }
      checkBounds(stream, d, 0x20000, ctx);
      const last = d.frames.at(-1);
      if (!last || last.length !== probe.length || !last.every((x, j) => x === probe[j]))
        throw fuzzFailure('the frame after garbage + END was not recovered', ctx);
    }
  });

  it('a runaway frame larger than maxFrame is dropped, and the decoder recovers', () => {
    for (let i = 0; i < 50; i++) {
      const seed = iterationSeed(0x511e, i);
      const rng = new Prng(seed);
      const maxFrame = rng.int(1, 512);
      const huge = rng
        .bytes(maxFrame + rng.int(1, 2000))
        .map((b) => (b === SLIP_END || b === SLIP_ESC ? 0 : b));
      const ok = rng.bytes(rng.int(1, maxFrame)).map((b) => (b === SLIP_END || b === SLIP_ESC ? 1 : b));
      const stream = concat([Uint8Array.of(SLIP_END), huge, Uint8Array.of(SLIP_END), slipEncode(ok)]);
      const d = decode(stream, rng, maxFrame);
      const ctx = { seed, input: hexPreview(stream) };
      if (d.badFrames !== 1) throw fuzzFailure(`expected 1 bad frame, got ${d.badFrames}`, ctx);
      if (d.frames.length !== 1 || d.frames[0]!.length !== ok.length)
        throw fuzzFailure('the frame after an oversize frame was not decoded', ctx);
    }
  });
});
