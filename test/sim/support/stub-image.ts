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
