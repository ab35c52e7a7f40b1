import { describe, expect, it } from 'vitest';
import { CHIPS } from '../../src/chips/chips.js';
import { buildAppDescriptor, buildBootloaderDescriptor, buildImage } from '../../src/image/image-builder.js';
import { parseImage, verifyImage } from '../../src/image/image-parse.js';
import { nodeSha256, pseudoBytes, sampleSegments, u16, u32, xorOf } from './sample.js';

const ESP32_FAMILY = CHIPS.filter((c) => c.name !== 'esp8266');

describe('buildImage → parseImage round trip', () => {
  it.each(ESP32_FAMILY.map((c) => c.name))('%s: layout, checksum and digest are byte-exact', (chip) => {
    const segments = sampleSegments(chip.length);
    const bytes = buildImage({ chip, entry: 0x40080abc, segments, flashSize: '4MB' });
    const info = CHIPS.find((c) => c.name === chip)!;

    // Layout per IMAGE_FORMAT.md §2: 24-byte header, then 8-byte segment headers with 4-padded data.
    expect(bytes[0]).toBe(0xe9);
    expect(bytes[1]).toBe(3);
    expect(bytes[2]).toBe(2); // dio
    expect(bytes[3]! >> 4).toBe(2); // 4MB
    expect(u32(bytes, 4)).toBe(0x40080abc);
    expect(bytes[8]).toBe(0xee);
    expect(u16(bytes, 12)).toBe(info.imageChipId);
    expect(bytes[23]).toBe(1);
    expect(u32(bytes, 24)).toBe(0x3f400020);
    expect(u32(bytes, 28)).toBe(304); // 301 padded to 4

    const dataLength = bytes.length - 32;
    expect(dataLength % 16).toBe(0);
    expect(bytes[dataLength - 1]).toBe(xorOf(segments.map((s) => s.data)));
    expect(Buffer.from(bytes.subarray(dataLength)).toString('hex')).toBe(
      nodeSha256(bytes.subarray(0, dataLength)),
    );

    const image = parseImage(bytes);
    expect(image.chip).toBe(chip);
    expect(image.entry).toBe(0x40080abc);
    expect(image.segments.map((s) => s.loadAddress)).toEqual(segments.map((s) => s.loadAddress));
    expect(image.segments.map((s) => s.length)).toEqual([304, 64, 1024]);
    expect(image.segments[0]!.fileOffset).toBe(0x20);
    expect(image.dataLength).toBe(dataLength);
    expect(image.trailingBytes).toBe(0);
    expect(image.signature).toBe('none');
    expect(image.extended?.hashAppended).toBe(true);
    expect(verifyImage(image, { chip })).toEqual([]);
  });

  it('reproduces the worked example header of IMAGE_FORMAT.md §3 (E9 04 02 10)', () => {
    const segments = [0x3fff0030, 0x3fff18e0, 0x40078000, 0x40080400].map((loadAddress, i) => ({
      loadAddress,
      data: pseudoBytes(100 + i * 52, i),
    }));
    const bytes = buildImage({
      chip: 'esp32',
      entry: 0x40080694,
      segments,
      flashMode: 'dio',
      flashFreq: '40m',
      flashSize: '2MB',
      maxRevFull: 399,
    });
    expect([...bytes.subarray(0, 4)]).toEqual([0xe9, 0x04, 0x02, 0x10]);
    expect(parseImage(bytes).extended).toMatchObject({ chipId: 0, maxRevFull: 399, hashAppended: true });
  });

  it('esp8266: 8-byte header, no digest, parses with and without the chip hint', () => {
    const segments = [
      { loadAddress: 0x40100000, data: pseudoBytes(1000, 5) },
      { loadAddress: 0x3ffe8000, data: pseudoBytes(77, 6) },
    ];
    const bytes = buildImage({
      chip: 'esp8266',
      entry: 0x40100324,
      segments,
      flashSize: '2MB',
      flashFreq: '40m',
    });
    expect(bytes[3]).toBe(0x30); // ESP8266 code 3 = 2MB, freq 0 = 40m
    expect(u32(bytes, 8)).toBe(0x40100000);
    expect(bytes.length % 16).toBe(0);
    expect(bytes[bytes.length - 1]).toBe(xorOf(segments.map((s) => s.data)));
    for (const image of [parseImage(bytes, { chip: 'esp8266' }), parseImage(bytes)]) {
      expect(image.extended).toBeNull();
      expect(image.chip).toBe('esp8266');
      expect(image.sha256).toBeNull();
      expect(image.segments.map((s) => s.fileOffset)).toEqual([16, 16 + 1000 + 8]);
      expect(verifyImage(image, { chip: 'esp8266' })).toEqual([]);
    }
  });

  it('hashAppended false writes byte 23 = 0 and no digest', () => {
    const bytes = buildImage({ chip: 'esp32', entry: 0, segments: sampleSegments(), hashAppended: false });
    expect(bytes[23]).toBe(0);
    expect(bytes.length % 16).toBe(0);
    const image = parseImage(bytes);
    expect(image.sha256).toBeNull();
    expect(image.dataLength).toBe(bytes.length);
  });

  it('writes the revision fields and legacy byte 14 (minor on C3, major elsewhere)', () => {
    const c3 = buildImage({ chip: 'esp32c3', entry: 0, segments: [], minRevFull: 3, maxRevFull: 199 });
    expect(c3[14]).toBe(3);
    const c2 = buildImage({ chip: 'esp32c2', entry: 0, segments: [], minRevFull: 100, maxRevFull: 199 });
    expect(c2[14]).toBe(1);
    const image = parseImage(c2);
    expect(image.extended).toMatchObject({
      minRev: 1,
      minRevFull: 100,
      maxRevFull: 199,
      wpPin: 0xee,
      chipId: 12,
    });
  });

  it('an image with zero segments is still a valid 16-aligned image', () => {
    const bytes = buildImage({ chip: 'esp32s3', entry: 0x40375434, segments: [] });
    expect(bytes.length).toBe(32 + 32);
    expect(bytes[31]).toBe(0xef);
    expect(verifyImage(parseImage(bytes), { chip: 'esp32s3' })).toEqual([]);
  });

  it('rejects more than 16 segments and hashAppended on esp8266', () => {
    const many = Array.from({ length: 17 }, (_, i) => ({
      loadAddress: 0x40080000 + i * 4,
      data: new Uint8Array(4),
    }));
    expect(() => buildImage({ chip: 'esp32', entry: 0, segments: many })).toThrow(
      expect.objectContaining({ code: 'image/too-many-segments' }),
    );
    expect(() => buildImage({ chip: 'esp8266', entry: 0, segments: [], hashAppended: true })).toThrow(
      expect.objectContaining({ code: 'image/bad-build-option' }),
    );
    expect(() => buildImage({ chip: 'esp32', entry: 0, segments: [], flashSize: 'detect' })).toThrow(
      expect.objectContaining({ code: 'image/bad-build-option' }),
    );
  });
});

describe('descriptors', () => {
  it('an app descriptor at the start of segment 0 is decoded', () => {
    const desc = buildAppDescriptor({
      projectName: 'hello_world',
      version: '1.2.3',
      idfVer: 'v5.3.1',
      date: 'Mar  4 2025',
      time: '10:11:12',
      secureVersion: 7,
      elfSha256: 'ab'.repeat(32),
    });
    expect(desc.length).toBe(256);
    expect(u32(desc, 0)).toBe(0xabcd5432);
    expect(Buffer.from(desc.subarray(48, 59)).toString('latin1')).toBe('hello_world');
    const data = new Uint8Array(512);
    data.set(desc);
    const image = parseImage(
      buildImage({ chip: 'esp32', entry: 0, segments: [{ loadAddress: 0x3f400020, data }] }),
    );
    expect(image.appDesc).toEqual({
      secureVersion: 7,
      version: '1.2.3',
      projectName: 'hello_world',
      time: '10:11:12',
      date: 'Mar  4 2025',
      idfVer: 'v5.3.1',
      elfSha256: 'ab'.repeat(32),
    });
    expect(image.bootloaderDesc).toBeUndefined();
  });

  it('truncates a 32-character project name to 31 characters plus NUL', () => {
    const long = 'ESP32-Wireless-Easrphones-Controller';
    const desc = buildAppDescriptor({ projectName: long, version: '1', idfVer: 'v4.4' });
    const image = parseImage(
      buildImage({ chip: 'esp32', entry: 0, segments: [{ loadAddress: 0, data: desc }] }),
    );
    expect(image.appDesc?.projectName).toBe('ESP32-Wireless-Easrphones-Contr');
  });

  it('a bootloader descriptor (magic byte 0x50) is decoded', () => {
    const data = new Uint8Array(200);
    data.set(
      buildBootloaderDescriptor({ idfVer: 'v5.2.2-dirty', version: 1, dateTime: 'Jan  1 2026 12:00:00' }),
    );
    const image = parseImage(
      buildImage({ chip: 'esp32', entry: 0, segments: [{ loadAddress: 0x3fff0030, data }] }),
    );
    expect(image.bootloaderDesc).toEqual({
      secureVersion: 0,
      version: 1,
      idfVer: 'v5.2.2-dirty',
      dateTime: 'Jan  1 2026 12:00:00',
    });
    expect(image.appDesc).toBeUndefined();
  });

  it('segment data that merely starts with 0x50 is not taken for a bootloader descriptor', () => {
    const data = pseudoBytes(200, 9);
    data[0] = 0x50;
    data[8] = 0x01; // unprintable idf_ver
    const image = parseImage(buildImage({ chip: 'esp32', entry: 0, segments: [{ loadAddress: 0, data }] }));
    expect(image.bootloaderDesc).toBeUndefined();
  });
});
