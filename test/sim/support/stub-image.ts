// Loads esptool-js's flasher stub JSON for a chip (the image espflash uploads), for sim tests.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ChipName } from '../../../src/chips/chips.js';
import type { StubImage } from './host.js';

const require = createRequire(import.meta.url);
const stubDir = join(dirname(require.resolve('esptool-js')), 'targets', 'stub_flasher');

export function loadStub(chip: ChipName): StubImage {
  const json = JSON.parse(readFileSync(join(stubDir, `${chip}.json`), 'utf8')) as {
    entry: number;
    text: string;
    text_start: number;
    data?: string;
    data_start: number;
  };
  return {
    entry: json.entry,
    text: new Uint8Array(Buffer.from(json.text, 'base64')),
    textStart: json.text_start,
    data: new Uint8Array(Buffer.from(json.data ?? '', 'base64')),
    dataStart: json.data_start,
  };
}

/**
 * A stand-in for esptool's legacy ESP32 stub (v5.3 set 1): the sim recognises that stub by its entry
 * point and text length only (src/sim/loader-dialects.ts), so filler bytes of the same shape suffice.
 */
export function legacyStubStandIn(): StubImage {
  return {
    entry: 0x400be658,
    text: new Uint8Array(3540).fill(0x11),
    textStart: 0x400be000,
    data: new Uint8Array(156).fill(0x22),
    dataStart: 0x3ffdebac,
  };
}
