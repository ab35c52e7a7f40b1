// The generated flasher_args.json / flash args must have the exact text shape of real ESP-IDF
// output: compared line by line with real files after masking the values that legitimately differ.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ExampleBuildOptions, generateExampleBuild } from '../../src/example/example-build.js';
import { HAVE_SHARED, SHARED_SKIP_NOTE, sharedPath } from '../support/shared-fixtures.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Keep keys (except offset keys) and layout; replace every value and offset with a marker. */
function maskJson(text: string): string[] {
  return text.split('\n').map((line) =>
    line.replace(/("[^"]*")(\s*:)?/g, (_m, str: string, colon: string | undefined) => {
      if (!colon) return '"V"';
      return /^"(0x[0-9a-fA-F]+)?"$/.test(str) ? `"K"${colon}` : `${str}${colon}`;
    }),
  );
}

/** Mask offsets and file names in an esptool argument file. */
function maskArgs(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/0x[0-9a-fA-F]+ \S+/g, 'OFF FILE').replace(/(--flash_\w+) \S+/g, '$1 V'));
}

async function generated(options: Omit<ExampleBuildOptions, 'dir'>, file: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'espflash-shape-'));
  dirs.push(dir);
  const build = await generateExampleBuild({ dir, ...options });
  return readFileSync(join(build.buildDir, file), 'utf8');
}

const CASES: {
  name: string;
  fixture: string;
  options: Omit<ExampleBuildOptions, 'dir'>;
  argsFile: string;
}[] = [
  {
    name: 'v5 with otadata',
    fixture: 'v4.4.3_esp32_airsense-otadata',
    options: { withOtadata: true },
    argsFile: 'flash_args',
  },
  {
    name: 'v5 single app (S3)',
    fixture: 'v5.5_esp32s3_m5stamp',
    options: { chip: 'esp32s3' },
    argsFile: 'flash_args',
  },
  {
    name: 'v4.1',
    fixture: 'v4.1.2_esp32_webOS-contest',
    options: { idfVersion: 'v4.1' },
    argsFile: 'flash_project_args',
  },
  {
    name: 'v3.3',
    fixture: 'v3.3.1_esp32_living-stream-adf',
    options: { idfVersion: 'v3.3' },
    argsFile: 'flash_project_args',
  },
  {
    name: 'ESP8266 RTOS SDK',
    fixture: 'esp8266-rtos-sdk_esp8266_sntp',
    options: { chip: 'esp8266' },
    argsFile: 'flash_project_args',
  },
];

describe.skipIf(!HAVE_SHARED)(`example build text matches real ESP-IDF output${SHARED_SKIP_NOTE}`, () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: flasher_args.json', async (_, c) => {
    const real = readFileSync(sharedPath('idf-build', c.fixture, 'flasher_args.json'), 'utf8');
    const ours = await generated(c.options, 'flasher_args.json');
    expect(maskJson(ours)).toEqual(maskJson(real));
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: argument file', async (_, c) => {
    const real = readFileSync(sharedPath('idf-build', c.fixture, c.argsFile), 'utf8');
    const ours = await generated(c.options, c.argsFile);
    expect(maskArgs(ours)).toEqual(maskArgs(real));
  });

  it.each([
    ['partitions_singleapp.bin', false],
    ['partitions_two_ota.bin', true],
  ] as const)('4MB partition table equals ESP-IDF %s byte for byte', async (fixture, withOtadata) => {
    const dir = mkdtempSync(join(tmpdir(), 'espflash-shape-'));
    dirs.push(dir);
    const build = await generateExampleBuild({ dir, withOtadata, flashSize: '4MB' });
    const real = readFileSync(sharedPath('partitions', 'esp-idf', fixture));
    expect(readFileSync(build.files.partitionTable).equals(real)).toBe(true);
  });
});
