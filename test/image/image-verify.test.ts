import { describe, expect, it } from 'vitest';
import { EspflashError } from '../../src/errors.js';
import { buildImage } from '../../src/image/image-builder.js';
import { assertImageValid, parseImage, verifyImage } from '../../src/image/image-parse.js';
import { pseudoBytes, sampleSegments } from './sample.js';

const good = () => buildImage({ chip: 'esp32', entry: 0x40080694, segments: sampleSegments(3) });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof EspflashError) return err.code;
    throw err;
  }
  throw new Error('expected an EspflashError');
}

describe('parseImage structural errors', () => {
  it('bad magic, naming ELF files and partition tables', () => {
    const bytes = good();
    bytes[0] = 0xe8;
    expect(codeOf(() => parseImage(bytes))).toBe('image/bad-magic');
    const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(() => parseImage(elf, { file: 'build/app.elf' })).toThrow(/build\/app\.elf is an ELF file/);
    const table = new Uint8Array(64);
    table.set([0xaa, 0x50, 0, 0]);
    expect(() => parseImage(table, { file: 'pt.bin' })).toThrow(/partition table/);
  });

  it('too short for the common or the extended header', () => {
    expect(codeOf(() => parseImage(new Uint8Array([0xe9, 0, 2])))).toBe('image/too-short');
    expect(codeOf(() => parseImage(good().subarray(0, 20), { chip: 'esp32' }))).toBe('image/too-short');
  });

  it('more than 16 segments', () => {
    const bytes = good();
    bytes[1] = 17;
    expect(codeOf(() => parseImage(bytes))).toBe('image/too-many-segments');
  });

  it('a segment that runs past the end of the file', () => {
    const bytes = good();
    const err = (() => {
      try {
        parseImage(bytes.subarray(0, 200), { file: 'app.bin' });
      } catch (e) {
        return e as EspflashError;
      }
    })();
    expect(err?.code).toBe('image/truncated');
    expect(err?.message).toMatch(/app\.bin: segment 0 \(304 bytes at 0x20\) runs past the end/);
    expect(err?.hint).toMatch(/idf\.py build/);
  });

  it('a segment count larger than the segments present', () => {
    const bytes = good();
    bytes[1] = 5;
    expect(codeOf(() => parseImage(bytes))).toBe('image/truncated');
  });

  it('missing digest bytes are a truncation', () => {
    const bytes = good();
    expect(codeOf(() => parseImage(bytes.subarray(0, bytes.length - 5)))).toBe('image/truncated');
  });
});

describe('verifyImage', () => {
  it('reports a corrupted segment byte as both a checksum and a digest problem', () => {
    const bytes = good();
    bytes[100] = bytes[100]! ^ 0x01;
    const codes = verifyImage(parseImage(bytes)).map((p) => p.code);
    expect(codes).toEqual(['image/bad-checksum', 'image/bad-sha256']);
  });

  it('reports a corrupted digest alone', () => {
    const bytes = good();
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    const problems = verifyImage(parseImage(bytes));
    expect(problems.map((p) => p.code)).toEqual(['image/bad-sha256']);
  });

  it('a header byte change breaks only the digest (headers are not in the checksum)', () => {
    const bytes = good();
    bytes[3] = 0x4f;
    expect(verifyImage(parseImage(bytes)).map((p) => p.code)).toEqual(['image/bad-sha256']);
  });

  it('chip mismatch between the extended header and the expected chip', () => {
    const image = parseImage(buildImage({ chip: 'esp32c3', entry: 0, segments: sampleSegments() }));
    const problems = verifyImage(image, { chip: 'esp32s3' });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.code).toBe('image/chip-mismatch');
    expect(problems[0]!.message).toMatch(/ESP32-C3 \(chip id 5\).*ESP32-S3 \(chip id 9\)/);
    expect(verifyImage(image, { chip: 'esp32c3' })).toEqual([]);
  });

  it('an unknown chip id mismatches any expected chip', () => {
    const bytes = buildImage({ chip: 'esp32', entry: 0, segments: [], hashAppended: false });
    bytes[12] = 0x42;
    const image = parseImage(bytes);
    expect(image.chip).toBeNull();
    expect(verifyImage(image, { chip: 'esp32' })[0]?.message).toMatch(/unknown chip \(chip id 66\)/);
  });

  it('ESP8266 vs ESP32-family images mismatch both ways', () => {
    const e8266 = parseImage(buildImage({ chip: 'esp8266', entry: 0, segments: sampleSegments() }), {
      chip: 'esp8266',
    });
    expect(verifyImage(e8266, { chip: 'esp32' })[0]?.code).toBe('image/chip-mismatch');
    const e32 = parseImage(good());
    expect(verifyImage(e32, { chip: 'esp8266' })[0]?.code).toBe('image/chip-mismatch');
  });
});

describe('assertImageValid', () => {
  it('returns the parsed image when valid', () => {
    expect(assertImageValid(good(), { chip: 'esp32' }).segmentCount).toBe(3);
  });

  it('throws the first problem with the file name and a rebuild hint', () => {
    const bytes = good();
    bytes[40] = bytes[40]! ^ 0x10;
    try {
      assertImageValid(bytes, { chip: 'esp32', file: 'build/hello.bin' });
      expect.unreachable();
    } catch (err) {
      const e = err as EspflashError;
      expect(e.code).toBe('image/bad-checksum');
      expect(e.message).toMatch(/^build\/hello\.bin: checksum byte at 0x/);
      expect(e.hint).toMatch(/idf\.py build/);
      expect(e.exitCode).toBe(1);
      expect((e.details.problems as unknown[]).length).toBe(2);
    }
  });

  it('chip mismatch hint names set-target and --chip', () => {
    const bytes = buildImage({ chip: 'esp32h2', entry: 0, segments: [] });
    expect(() => assertImageValid(bytes, { chip: 'esp32c6', file: 'a.bin' })).toThrow(
      expect.objectContaining({
        code: 'image/chip-mismatch',
        hint: expect.stringMatching(/set-target esp32c6.*--chip/),
      }),
    );
  });
});

describe('signature and trailing bytes', () => {
  it('68 bytes after the digest starting with version word 0 is a Secure Boot v1 signature', () => {
    const sig = new Uint8Array(68);
    sig.set(pseudoBytes(64, 4), 4);
    const image = parseImage(new Uint8Array([...good(), ...sig]));
    expect(image.trailingBytes).toBe(68);
    expect(image.signature).toBe('secure-boot-v1');
  });

  it('a 0xE7 block with version 2 after the digest is a Secure Boot v2 signature', () => {
    const block = new Uint8Array(4096).fill(0xff);
    block.set([0xe7, 0x02, 0x00, 0x00]);
    const image = parseImage(new Uint8Array([...good(), ...block]));
    expect(image.signature).toBe('secure-boot-v2');
  });

  it('merged-binary data (0xFF padding) after the digest is not a signature', () => {
    const merged = new Uint8Array(8192).fill(0xff);
    const image = parseImage(new Uint8Array([...good(), ...merged]));
    expect(image.trailingBytes).toBe(8192);
    expect(image.signature).toBe('none');
    expect(verifyImage(image)).toEqual([]);
  });
});
