// Fuzz the response side of the packet codec: decodeResponse, readStatus and decodeMd5Reply take any
// bytes a device (or line noise) can produce without throwing, and answer consistently with the frame.

import { describe, it } from 'vitest';
import { readU16, readU32, toHex } from '../../src/core/protocol/bytes.js';
import { decodeMd5Reply, decodeResponse, readStatus } from '../../src/core/protocol/packets.js';
import { fuzzFailure } from './support/expect-coded.js';
import { hexPreview, INTERESTING_U32, iterationSeed, mutateMany, Prng } from './support/prng.js';

/** A well-formed response frame (unframed): `01 op size value payload status`. */
function responseFrame(rng: Prng, options: { payload: Uint8Array; status: number[] }): Uint8Array {
  const body = new Uint8Array(options.payload.length + options.status.length);
  body.set(options.payload);
  body.set(options.status, options.payload.length);
  const out = new Uint8Array(8 + body.length);
  out[0] = 1;
  out[1] = rng.u32() & 0xff;
  out[2] = body.length & 0xff;
  out[3] = (body.length >> 8) & 0xff;
  const value = rng.u32();
  for (let k = 0; k < 4; k++) out[4 + k] = (value >>> (8 * k)) & 0xff;
  out.set(body, 8);
  return out;
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

describe('fuzz: response decoding', () => {
  it('decodeResponse on random and mutated frames never throws and mirrors the header', () => {
    for (let i = 0; i < 3000; i++) {
      const seed = iterationSeed(0x9ac1, i);
      const rng = new Prng(seed);
      const base = responseFrame(rng, { payload: rng.bytes(rng.int(0, 40)), status: [0, 0] });
      const frame = rng.chance(0.3)
        ? rng.bytes(rng.int(0, 40))
        : mutateMany(rng, base, { lengthFields: [0, 1, 2, 4] });
      const ctx = { seed, input: hexPreview(frame) };
      let r: ReturnType<typeof decodeResponse>;
      try {
        r = decodeResponse(frame);
      } catch (err) {
        throw fuzzFailure('decodeResponse threw', ctx, err);
      }
      const isResponse = frame.length >= 8 && frame[0] === 1;
      if ((r !== null) !== isResponse)
        throw fuzzFailure(`decodeResponse returned ${r === null ? 'null' : 'a reply'}`, ctx);
      if (!r) continue;
      const size = readU16(frame, 2);
      const expected = frame.subarray(8, 8 + size);
      if (r.op !== frame[1] || r.value !== readU32(frame, 4) || !equal(r.data, expected))
        throw fuzzFailure('decoded fields differ from the frame (size-field lie handled wrongly)', ctx);
    }
  });

  it('readStatus never throws, for any data and any (huge) expected payload length', () => {
    for (let i = 0; i < 4000; i++) {
      const seed = iterationSeed(0x9ac2, i);
      const rng = new Prng(seed);
      const data = rng.chance(0.5) ? rng.bytes(rng.int(0, 12)) : rng.biasedBytes(rng.int(0, 80), [0, 1, 5]);
      const respLen = rng.chance(0.7) ? rng.int(0, 70) : rng.pick(INTERESTING_U32);
      const ctx = { seed, input: `${hexPreview(data)} responseDataLength=${respLen}` };
      let s: ReturnType<typeof readStatus>;
      try {
        s = readStatus(data, respLen);
      } catch (err) {
        throw fuzzFailure('readStatus threw', ctx, err);
      }
      if (s.kind === 'ok') {
        if (s.payload.length !== respLen || data.length < respLen + 2 || data[respLen] !== 0)
          throw fuzzFailure('ok status without room for payload + status, or with a failing byte', ctx);
        if (!equal(s.payload, data.subarray(0, respLen))) throw fuzzFailure('ok payload differs', ctx);
      } else if (s.kind === 'error') {
        if (s.byte0 === 0 || s.code !== ((s.byte0 << 8) | s.byte1) || !Number.isInteger(s.byte1))
          throw fuzzFailure(`inconsistent error status ${JSON.stringify(s)}`, ctx);
      } else if (s.length !== data.length) throw fuzzFailure('short status length differs', ctx);
    }
  });

  it('round-trip: a response built from payload + status decodes back to them', () => {
    for (let i = 0; i < 1500; i++) {
      const seed = iterationSeed(0x9ac3, i);
      const rng = new Prng(seed);
      const payload = rng.bytes(rng.int(0, 64));
      const failing = rng.chance(0.4);
      const status = [failing ? rng.int(1, 255) : 0, rng.u32() & 0xff, ...(rng.chance(0.5) ? [0, 0] : [])];
      const frame = responseFrame(rng, { payload, status });
      const ctx = { seed, input: hexPreview(frame) };
      const r = decodeResponse(frame);
      if (!r) throw fuzzFailure('a well-formed response decoded to null', ctx);
      const s = readStatus(r.data, payload.length);
      if (failing) {
        if (s.kind !== 'error' || s.byte0 !== status[0] || s.byte1 !== status[1])
          throw fuzzFailure(`expected error ${status[0]}/${status[1]}, got ${JSON.stringify(s)}`, ctx);
      } else if (s.kind !== 'ok' || !equal(s.payload, payload)) {
        throw fuzzFailure(`expected ok with the payload, got ${s.kind}`, ctx);
      }
    }
  });

  it('decodeMd5Reply accepts only 16 raw bytes or 32 hex characters', () => {
    const hexChars = '0123456789abcdefABCDEF';
    for (let i = 0; i < 3000; i++) {
      const seed = iterationSeed(0x9ac4, i);
      const rng = new Prng(seed);
      const length = rng.pick([0, 1, 15, 16, 17, 31, 32, 33, 64, rng.int(0, 80)]);
      const payload =
        rng.chance(0.5) && length > 0
          ? Uint8Array.from(rng.text(length, rng.chance(0.8) ? hexChars : `${hexChars}gG \0\xff`), (c) =>
              c.charCodeAt(0),
            )
          : rng.bytes(length);
      const ctx = { seed, input: hexPreview(payload) };
      let md5: string | null;
      try {
        md5 = decodeMd5Reply(payload);
      } catch (err) {
        throw fuzzFailure('decodeMd5Reply threw', ctx, err);
      }
      const text = String.fromCharCode(...payload);
      const expected =
        payload.length === 16
          ? toHex(payload)
          : payload.length === 32 && /^[0-9a-fA-F]{32}$/.test(text)
            ? text.toLowerCase()
            : null;
      if (md5 !== expected) throw fuzzFailure(`decodeMd5Reply gave ${md5}, expected ${expected}`, ctx);
      if (md5 !== null && !/^[0-9a-f]{32}$/.test(md5)) throw fuzzFailure(`not a lower-case MD5: ${md5}`, ctx);
    }
  });
});
