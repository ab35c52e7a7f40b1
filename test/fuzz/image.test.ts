// Fuzz the ESP image reader: images built from random segments parse back to what was built and
// verify clean; mutated images (segment counts, length lies, truncation, splices) and random bytes
// only ever produce coded errors; patchFlashParams with any spelling keeps a valid image valid.

import { describe, it } from 'vitest';
import { CHIP_NAMES, type ChipName, chipInfo } from '../../src/chips/chips.js';
import { describeHeaderFlashParams, patchFlashParams } from '../../src/image/flash-params.js';
import { buildAppDescriptor, buildImage } from '../../src/image/image-builder.js';
import { assertImageValid, parseImage, verifyImage } from '../../src/image/image-parse.js';
import { fuzzFailure, guard } from './support/expect-coded.js';
import { hexPreview, iterationSeed, mutateMany, type Prng, Prng as Rng } from './support/prng.js';

const ESP32_FAMILY = CHIP_NAMES.filter((c) => c !== 'esp8266');

function randomBuild(rng: Prng) {
  const chip: ChipName = rng.chance(0.1) ? 'esp8266' : rng.pick(ESP32_FAMILY);
  const segments = Array.from({ length: rng.int(0, 5) }, () => ({
    loadAddress: rng.u32(),
    data: rng.bytes(rng.pick([0, 1, 3, 4, 17, rng.int(0, 600)])),
  }));
  if (chip !== 'esp8266' && segments.length > 0 && rng.chance(0.4)) {
    const desc = buildAppDescriptor({ projectName: 'fuzz', version: '1.0', idfVer: 'v5.3' });
    segments[0] = { loadAddress: 0x3f400020, data: new Uint8Array([...desc, ...rng.bytes(rng.int(0, 40))]) };
  }
  const info = chipInfo(chip);
  const options = {
    chip,
    entry: rng.u32(),
    segments,
    flashMode: rng.pick(['qio', 'qout', 'dio', 'dout']),
    flashFreq: rng.pick(Object.keys(info.flashFreqCodes)),
    flashSize: rng.pick(Object.keys(info.flashSizeCodes)),
    ...(chip === 'esp8266' ? {} : { hashAppended: rng.chance(0.7) }),
  };
  return { chip, options, bytes: buildImage(options) };
}

/** File offsets of header fields worth lying in: segment count, segment lengths, hash flag. */
function lengthFields(bytes: Uint8Array, esp8266: boolean): number[] {
  const out = [1, 3, 23];
  let pos = esp8266 ? 8 : 24;
  for (let i = 0; i < Math.min(bytes[1] ?? 0, 16) && pos + 8 <= bytes.length; i++) {
    out.push(pos + 4);
    const len = bytes[pos + 4]! | (bytes[pos + 5]! << 8) | (bytes[pos + 6]! << 16) | (bytes[pos + 7]! << 24);
    pos += 8 + (len >>> 0);
  }
  return out;
}

const MODES = ['qio', 'dout', 'keep', 'QIO', ' dio ', 'fast_read', '', 'x'];
const FREQS = ['40m', '80m', '80MHz', '26', 'keep', '20m', '0', '999m', '', '-1m'];
const SIZES = ['4MB', '2mb', '16MB', 'detect', 'keep', '3MB', '0MB', '512KB', '4MB-c1', '', '1e3MB'];

describe('fuzz: ESP image parser', () => {
  it('built images parse back to what was built and verify clean', () => {
    for (let i = 0; i < 400; i++) {
      const seed = iterationSeed(0x1a6e, i);
      const rng = new Rng(seed);
      const { chip, options, bytes } = randomBuild(rng);
      const ctx = { seed, input: `${chip} ${options.segments.length} segments ${hexPreview(bytes, 32)}` };
      const r = guard(() => parseImage(bytes, { chip }), ctx);
      if (!r.ok) throw fuzzFailure(`a built image does not parse: ${r.error.code}`, ctx);
      const image = r.value;
      if (image.segmentCount !== options.segments.length || image.entry !== options.entry)
        throw fuzzFailure('segment count or entry differs', ctx);
      options.segments.forEach((s, k) => {
        const got = image.segments[k]!;
        if (got.loadAddress !== s.loadAddress || got.length !== Math.ceil(s.data.length / 4) * 4)
          throw fuzzFailure(`segment ${k} header differs`, ctx);
        if (!s.data.every((b, j) => bytes[got.fileOffset + j] === b))
          throw fuzzFailure(`segment ${k} data differs`, ctx);
      });
      const problems = verifyImage(image, { chip });
      if (problems.length > 0)
        throw fuzzFailure(`built image has problems: ${JSON.stringify(problems)}`, ctx);
      if (image.chip !== chip) throw fuzzFailure(`parsed chip ${image.chip}`, ctx);
      const named = describeHeaderFlashParams(image, chip);
      if (named.mode !== options.flashMode)
        throw fuzzFailure(`mode ${named.mode} != ${options.flashMode}`, ctx);
      if (
        options.segments[0]?.loadAddress === 0x3f400020 &&
        chip !== 'esp8266' &&
        image.appDesc?.projectName !== 'fuzz'
      )
        throw fuzzFailure('app descriptor not found', ctx);
    }
  });

  it('mutated and random images: parse/verify/assert throw only coded errors', () => {
    let parsed = 0;
    for (let i = 0; i < 2000; i++) {
      const seed = iterationSeed(0x1a6f, i);
      const rng = new Rng(seed);
      const { chip, bytes: valid } = randomBuild(rng);
      const bytes = rng.chance(0.1)
        ? rng.bytes(rng.int(0, 64))
        : mutateMany(rng, valid, { lengthFields: lengthFields(valid, chip === 'esp8266'), max: 4 });
      const ctx = { seed, input: hexPreview(bytes) };
      const asChip = rng.chance(0.3) ? undefined : rng.chance(0.8) ? chip : rng.pick(CHIP_NAMES);
      const r = guard(
        () =>
          parseImage(bytes, asChip === undefined ? { file: 'fuzz.bin' } : { chip: asChip, file: 'fuzz.bin' }),
        ctx,
      );
      if (r.ok) {
        parsed++;
        const img = r.value;
        // Structural invariants of anything that parses.
        let pos = img.extended ? 24 : 8;
        for (const s of img.segments) {
          if (s.fileOffset !== pos + 8 || s.fileOffset + s.length > bytes.length)
            throw fuzzFailure('segment outside the file', ctx);
          pos = s.fileOffset + s.length;
        }
        if (img.dataLength > bytes.length || img.dataLength % 16 !== 0 || img.trailingBytes < 0)
          throw fuzzFailure(`dataLength ${img.dataLength} / trailing ${img.trailingBytes} inconsistent`, ctx);
        guard(() => verifyImage(img, asChip === undefined ? {} : { chip: asChip }), ctx);
      }
      guard(() => assertImageValid(bytes, { chip, file: 'fuzz.bin' }), ctx);
    }
    if (parsed < 300) throw new Error(`only ${parsed} of 2000 mutated images parsed`);
  });

  it('patchFlashParams: any spelling gives a coded error or a still-valid image with the requested header', () => {
    for (let i = 0; i < 600; i++) {
      const seed = iterationSeed(0x1a70, i);
      const rng = new Rng(seed);
      const { chip, bytes: valid } = randomBuild(rng);
      const input = rng.chance(0.3)
        ? mutateMany(rng, valid, { lengthFields: lengthFields(valid, chip === 'esp8266') })
        : valid;
      const asChip = rng.chance(0.85) ? chip : rng.pick(CHIP_NAMES);
      const options = {
        chip: asChip,
        ...(rng.chance(0.7) ? { mode: rng.pick(MODES) } : {}),
        ...(rng.chance(0.7) ? { freq: rng.pick(FREQS) } : {}),
        ...(rng.chance(0.7) ? { size: rng.pick(SIZES) } : {}),
        ...(rng.chance(0.3) ? { detectedSize: rng.pick([null, '4MB', '128MB', 'garbage']) } : {}),
      };
      const ctx = { seed, input: `${JSON.stringify(options)} ${hexPreview(input, 32)}` };
      const before = input.slice();
      const r = guard(() => patchFlashParams(input, options), ctx);
      if (!input.every((b, k) => b === before[k]))
        throw fuzzFailure('patchFlashParams modified its input', ctx);
      if (!r.ok || input !== valid) continue;
      const out = r.value.bytes;
      if (out.length !== valid.length) throw fuzzFailure('patched image changed length', ctx);
      if (r.value.changed !== !out.every((b, k) => b === valid[k]))
        throw fuzzFailure('`changed` is wrong', ctx);
      const img = guard(() => parseImage(out, { chip }), ctx);
      if (!img.ok) throw fuzzFailure(`patched image does not parse: ${img.error.code}`, ctx);
      const problems = verifyImage(img.value, { chip });
      if (problems.length > 0)
        throw fuzzFailure(`patched image is invalid: ${JSON.stringify(problems)}`, ctx);
      if (options.mode !== undefined && options.mode.trim().toLowerCase() !== 'keep') {
        const named = describeHeaderFlashParams(img.value, chip);
        if (named.mode !== options.mode.trim().toLowerCase())
          throw fuzzFailure(`mode not applied: ${named.mode}`, ctx);
      }
      // Only header bytes 2 and 3 (and the digest they feed) may change.
      const digestAt = img.value.sha256 ? img.value.dataLength : out.length;
      for (let k = 0; k < digestAt; k++) {
        if (k !== 2 && k !== 3 && out[k] !== valid[k]) throw fuzzFailure(`byte ${k} changed`, ctx);
      }
    }
  });
});
