import { describe, expect, it } from 'vitest';
import type { ChipName } from '../../src/chips/chips.js';
import {
  describeHeaderFlashParams,
  flashSizeToBytes,
  parseFlashFreq,
  parseFlashMode,
  parseFlashSize,
  patchFlashParams,
} from '../../src/image/flash-params.js';
import { buildImage } from '../../src/image/image-builder.js';
import { parseImage, verifyImage } from '../../src/image/image-parse.js';
import { nodeSha256, sampleSegments } from './sample.js';

// Byte-3 low nibble per chip and frequency, transcribed from PROTOCOL.md §3.6 / IMAGE_FORMAT.md §2.4.
const FREQ_FACTS: Record<ChipName, Record<string, number>> = {
  esp8266: { '80m': 0xf, '40m': 0x0, '26m': 0x1, '20m': 0x2 },
  esp32: { '80m': 0xf, '40m': 0x0, '26m': 0x1, '20m': 0x2 },
  esp32s2: { '80m': 0xf, '40m': 0x0, '26m': 0x1, '20m': 0x2 },
  esp32s3: { '80m': 0xf, '40m': 0x0, '26m': 0x1, '20m': 0x2 },
  esp32c3: { '80m': 0xf, '40m': 0x0, '26m': 0x1, '20m': 0x2 },
  esp32p4: { '80m': 0xf, '40m': 0x0, '26m': 0x1, '20m': 0x2 },
  esp32c2: { '60m': 0xf, '30m': 0x0, '20m': 0x1, '15m': 0x2 },
  esp32h2: { '48m': 0xf, '24m': 0x0, '16m': 0x1, '12m': 0x2 },
  esp32c5: { '80m': 0xf, '40m': 0x0, '20m': 0x2 },
  esp32c61: { '80m': 0xf, '40m': 0x0, '20m': 0x2 },
  esp32c6: { '80m': 0x0, '40m': 0x0, '20m': 0x2 },
};

// High nibble per size (PROTOCOL.md §3.6).
const ESP32_SIZE_FACTS = {
  '1MB': 0,
  '2MB': 1,
  '4MB': 2,
  '8MB': 3,
  '16MB': 4,
  '32MB': 5,
  '64MB': 6,
  '128MB': 7,
};
const ESP8266_SIZE_FACTS = {
  '512KB': 0,
  '256KB': 1,
  '1MB': 2,
  '2MB': 3,
  '4MB': 4,
  '2MB-c1': 5,
  '4MB-c1': 6,
  '8MB': 8,
  '16MB': 9,
};

function bootloaderFor(chip: ChipName, extra: Partial<Parameters<typeof buildImage>[0]> = {}): Uint8Array {
  const freq = Object.keys(FREQ_FACTS[chip]).at(-1)!;
  return buildImage({
    chip,
    entry: 0x40080000,
    segments: sampleSegments(11),
    flashFreq: freq,
    flashSize: '1MB',
    flashMode: 'qio',
    ...extra,
  });
}

describe('flashSizeToBytes', () => {
  it.each([
    ['4MB', 4 * 1024 * 1024],
    ['512KB', 512 * 1024],
    ['256KB', 256 * 1024],
    ['16mb', 16 * 1024 * 1024],
    ['2MB-c1', 2 * 1024 * 1024],
  ])('%s → %i', (text, bytes) => {
    expect(flashSizeToBytes(text)).toBe(bytes);
  });

  it.each(['', 'four', '4GB', '0MB', '-1MB', 'MB'])(
    'rejects %j as image/bad-flash-size naming --flash-size',
    (text) => {
      expect(() => flashSizeToBytes(text)).toThrow(
        expect.objectContaining({
          code: 'image/bad-flash-size',
          exitCode: 2,
          hint: expect.stringContaining('--flash-size'),
        }),
      );
    },
  );
});

describe('parseFlashMode / parseFlashFreq / parseFlashSize', () => {
  it('accepts modes case-insensitively and rejects others', () => {
    expect(parseFlashMode('QIO')).toBe('qio');
    expect(parseFlashMode(' dout ')).toBe('dout');
    expect(parseFlashMode('keep')).toBe('keep');
    expect(() => parseFlashMode('constructor')).toThrow(
      expect.objectContaining({ code: 'image/bad-flash-mode' }),
    );
    expect(() => parseFlashMode('fastread')).toThrow(
      expect.objectContaining({ code: 'image/bad-flash-mode', exitCode: 2 }),
    );
  });

  it('normalises frequency spellings', () => {
    expect(parseFlashFreq('esp32', '80M')).toBe('80m');
    expect(parseFlashFreq('esp32', '40MHz')).toBe('40m');
    expect(parseFlashFreq('esp32', '26')).toBe('26m');
    expect(parseFlashFreq('esp32h2', 'keep')).toBe('keep');
  });

  it('rejects a frequency the chip does not have, listing the valid ones', () => {
    expect(() => parseFlashFreq('esp32c2', '80m')).toThrow(/ESP32-C2 \(valid: 60m, 30m, 20m, 15m\)/);
    expect(() => parseFlashFreq('esp32c6', '26m')).toThrow(
      expect.objectContaining({ code: 'image/bad-flash-freq' }),
    );
    expect(() => parseFlashFreq('esp32h2', '40m')).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('--flash-freq') }),
    );
  });

  it('sizes: per-chip tables plus detect/keep', () => {
    expect(parseFlashSize('esp32', '4mb')).toBe('4MB');
    expect(parseFlashSize('esp32', 'DETECT')).toBe('detect');
    expect(parseFlashSize('esp8266', '256kb')).toBe('256KB');
    expect(parseFlashSize('esp8266', '2MB-c1')).toBe('2MB-c1');
    expect(() => parseFlashSize('esp32', '256KB')).toThrow(
      expect.objectContaining({ code: 'image/bad-flash-size' }),
    );
    expect(() => parseFlashSize('esp8266', '32MB')).toThrow(
      expect.objectContaining({ code: 'image/bad-flash-size' }),
    );
  });
});

describe('header encoding per chip', () => {
  for (const [chip, freqs] of Object.entries(FREQ_FACTS) as [ChipName, Record<string, number>][]) {
    it(`${chip}: every frequency lands in the low nibble as documented`, () => {
      for (const [freq, nibble] of Object.entries(freqs)) {
        const bytes = buildImage({ chip, entry: 0, segments: [], flashFreq: freq, flashSize: '1MB' });
        expect(bytes[3]! & 0x0f, `${chip} ${freq}`).toBe(nibble);
        const patched = patchFlashParams(bootloaderFor(chip), { chip, freq });
        expect(patched.bytes[3]! & 0x0f, `${chip} patch ${freq}`).toBe(nibble);
      }
    });
  }

  it('ESP32-family size nibbles', () => {
    for (const [size, nibble] of Object.entries(ESP32_SIZE_FACTS)) {
      const { bytes } = patchFlashParams(bootloaderFor('esp32s3'), { chip: 'esp32s3', size });
      expect(bytes[3]! >> 4, size).toBe(nibble);
    }
  });

  it('ESP8266 size codes (256KB = 1, 512KB = 0, 8MB = 8)', () => {
    for (const [size, nibble] of Object.entries(ESP8266_SIZE_FACTS)) {
      const { bytes } = patchFlashParams(bootloaderFor('esp8266'), { chip: 'esp8266', size });
      expect(bytes[3]! >> 4, size).toBe(nibble);
    }
  });

  it('describeHeaderFlashParams decodes per chip; C6 code 0 reads as 80m, C2 0xF as 60m', () => {
    const c6 = parseImage(
      buildImage({ chip: 'esp32c6', entry: 0, segments: [], flashFreq: '80m', flashSize: '16MB' }),
    );
    expect(describeHeaderFlashParams(c6, 'esp32c6')).toEqual({ mode: 'dio', freq: '80m', size: '16MB' });
    const c2 = parseImage(
      buildImage({ chip: 'esp32c2', entry: 0, segments: [], flashFreq: '60m', flashMode: 'dout' }),
    );
    expect(describeHeaderFlashParams(c2, 'esp32c2')).toEqual({ mode: 'dout', freq: '60m', size: '2MB' });
    // The same nibble means something else on ESP32: 0xF = 80m.
    expect(describeHeaderFlashParams(c2, 'esp32').freq).toBe('80m');
    const e8266 = parseImage(buildImage({ chip: 'esp8266', entry: 0, segments: [], flashSize: '256KB' }), {
      chip: 'esp8266',
    });
    expect(describeHeaderFlashParams(e8266, 'esp8266').size).toBe('256KB');
  });

  it('unknown codes decode to null / unknown', () => {
    const bytes = buildImage({ chip: 'esp32', entry: 0, segments: [] });
    bytes[2] = 9;
    bytes[3] = 0x95;
    expect(describeHeaderFlashParams(parseImage(bytes), 'esp32')).toEqual({
      mode: 'unknown (0x9)',
      freq: null,
      size: null,
    });
  });
});

describe('patchFlashParams (esptool semantics)', () => {
  it('changes only the parts that are not keep and leaves the input untouched', () => {
    const input = bootloaderFor('esp32');
    const before = input.slice();
    const { bytes, changed } = patchFlashParams(input, {
      chip: 'esp32',
      mode: 'dio',
      freq: 'keep',
      size: 'keep',
    });
    expect(changed).toBe(true);
    expect(bytes[2]).toBe(2);
    expect(bytes[3]).toBe(input[3]);
    expect(input).toEqual(before);
    expect(bytes).not.toBe(input);
  });

  it('recomputes the SHA-256 over [0, dataLength), keeps the checksum byte and the bytes after the digest', () => {
    const image = bootloaderFor('esp32');
    const merged = new Uint8Array(image.length + 4096).fill(0xa5);
    merged.set(image);
    const { bytes } = patchFlashParams(merged, { chip: 'esp32', mode: 'dout', freq: '80m', size: '4MB' });
    const dataLength = image.length - 32;
    expect(bytes[2]).toBe(3);
    expect(bytes[3]).toBe(0x2f);
    expect(bytes[dataLength - 1]).toBe(image[dataLength - 1]);
    expect(Buffer.from(bytes.subarray(dataLength, dataLength + 32)).toString('hex')).toBe(
      nodeSha256(bytes.subarray(0, dataLength)),
    );
    expect(bytes.subarray(image.length)).toEqual(merged.subarray(image.length));
    expect(verifyImage(parseImage(bytes), { chip: 'esp32' })).toEqual([]);
  });

  it('with byte 23 = 0 no digest is written', () => {
    const image = bootloaderFor('esp32', { hashAppended: false });
    const withTail = new Uint8Array([...image, ...new Uint8Array(32).fill(0x11)]);
    const { bytes } = patchFlashParams(withTail, { chip: 'esp32', freq: '20m' });
    expect(bytes.subarray(image.length)).toEqual(new Uint8Array(32).fill(0x11));
  });

  it('detect uses the detected size, or keeps the nibble when none (or an unsupported one) is known', () => {
    const image = bootloaderFor('esp32'); // 1MB in the header
    expect(
      patchFlashParams(image, { chip: 'esp32', size: 'detect', detectedSize: '16MB' }).bytes[3]! >> 4,
    ).toBe(4);
    const none = patchFlashParams(image, { chip: 'esp32', size: 'detect', detectedSize: null });
    expect(none.changed).toBe(false);
    expect(none.bytes).toEqual(image);
    expect(patchFlashParams(image, { chip: 'esp32', size: 'detect', detectedSize: '256MB' }).changed).toBe(
      false,
    );
  });

  it('all keep copies bytes without parsing (a non-image passes through)', () => {
    const junk = new Uint8Array([1, 2, 3]);
    const result = patchFlashParams(junk, { chip: 'esp32', mode: 'keep', freq: 'keep', size: 'keep' });
    expect(result).toEqual({ bytes: junk, changed: false });
    expect(() => patchFlashParams(junk, { chip: 'esp32', mode: 'dio' })).toThrow(
      expect.objectContaining({ code: 'image/too-short' }),
    );
  });

  it('same values as the header report changed = false', () => {
    const image = bootloaderFor('esp32h2');
    expect(patchFlashParams(image, { chip: 'esp32h2', mode: 'qio', freq: '12m', size: '1MB' }).changed).toBe(
      false,
    );
  });

  it('refuses to change a Secure Boot signed image, naming the keep flags', () => {
    const signed = new Uint8Array([...bootloaderFor('esp32'), ...new Uint8Array(68)]);
    expect(() => patchFlashParams(signed, { chip: 'esp32', mode: 'dout', file: 'bootloader.bin' })).toThrow(
      expect.objectContaining({
        code: 'image/signed-no-patch',
        message: expect.stringMatching(
          /bootloader\.bin carries a secure-boot-v1 signature.*break the signature/,
        ),
        hint: expect.stringContaining('--flash-mode keep --flash-freq keep --flash-size keep'),
      }),
    );
  });

  it('refuses an image built for another chip (its nibbles mean something else there)', () => {
    const c3 = buildImage({ chip: 'esp32c3', entry: 0, segments: sampleSegments() });
    expect(() => patchFlashParams(c3, { chip: 'esp32c2', freq: '60m', file: 'bootloader.bin' })).toThrow(
      expect.objectContaining({
        code: 'image/chip-mismatch',
        message: expect.stringMatching(/^bootloader\.bin: image is built for ESP32-C3/),
        hint: expect.stringContaining('set-target esp32c2'),
      }),
    );
  });

  it('validates the values against the chip', () => {
    expect(() => patchFlashParams(bootloaderFor('esp32c2'), { chip: 'esp32c2', freq: '40m' })).toThrow(
      expect.objectContaining({ code: 'image/bad-flash-freq' }),
    );
  });
});
