// Fuzz the ESP-IDF build file readers: flasher_args.json, esptool @arg files, project_description.json
// and sdkconfig text. Mutated real-shaped files and random text give a result or a coded error, JSON
// error positions agree with JSON.parse, and what parses keeps its documented shape.

import { describe, it } from 'vitest';
import { parseArgFile } from '../../src/project/arg-files.js';
import { parseFlasherArgs, parseOffsetText } from '../../src/project/flasher-args.js';
import { jsonErrorPosition } from '../../src/project/json-position.js';
import { parseProjectDescription } from '../../src/project/project-description.js';
import { parseSdkConfigText } from '../../src/project/sdkconfig.js';
import { fuzzFailure, guard } from './support/expect-coded.js';
import { iterationSeed, mutateText, Prng } from './support/prng.js';

const FLASHER_ARGS = `{
    "write_flash_args" : [ "--flash_mode", "dio",
                           "--flash_size", "4MB",
                           "--flash_freq", "40m" ],
    "flash_settings" : {
        "flash_mode": "dio",
        "flash_size": "4MB",
        "flash_freq": "40m"
    },
    "flash_files" : {
        "0x1000" : "bootloader/bootloader.bin",
        "0x10000" : "hello_world.bin",
        "0x8000" : "partition_table/partition-table.bin"
    },
    "bootloader" : { "offset" : "0x1000", "file" : "bootloader/bootloader.bin", "encrypted" : "false" },
    "app" : { "offset" : "0x10000", "file" : "hello_world.bin", "encrypted" : "false" },
    "partition-table" : { "offset" : "0x8000", "file" : "partition_table/partition-table.bin", "encrypted" : "false" },
    "extra_esptool_args" : {
        "after"  : "hard_reset",
        "before" : "default_reset",
        "stub"   : true,
        "chip"   : "esp32"
    }
}
`;

const ARG_FILE = `--flash_mode dio --flash_freq 40m --flash_size 4MB
0x1000 bootloader/bootloader.bin
0x10000 hello_world.bin
0x8000 partition_table/partition-table.bin
--encrypt-files 0xd000 ota_data_initial.bin
`;

const PROJECT_DESCRIPTION = `{
    "version": "1.2",
    "project_name": "hello_world",
    "project_version": "1",
    "project_path": "/home/u/hello_world",
    "idf_path": "/opt/esp-idf",
    "build_dir": "/home/u/hello_world/build",
    "config_file": "/home/u/hello_world/sdkconfig",
    "target": "esp32",
    "app_elf": "hello_world.elf",
    "app_bin": "hello_world.bin",
    "bootloader_elf": "/home/u/hello_world/build/bootloader/bootloader.elf",
    "git_revision": "v5.3.1",
    "build_components" : [ "app_trace", "esp32", "main" ]
}
`;

const JSON_FRAGMENTS = [
  '"',
  '\\',
  '\\"',
  '\\u12',
  '\\uZZZZ',
  '\\q',
  ',',
  ':',
  '{',
  '}',
  '[',
  ']',
  'null',
  'true',
  '0x10',
  '-',
  '01',
  '1e',
  '"__proto__": {}',
  '"flash_files": []',
  '"flash_files": {"zz": "a.bin"}',
  '"offset": 5',
  '"0x' + 'f'.repeat(20) + '": "x.bin"',
  '\n',
  '\t',
  '\u0000',
  '\u2028',
  '😀',
  '[[[[[[[[[[',
  '}}}}',
];

const ODD_VALUES: unknown[] = [
  [],
  {},
  null,
  5,
  -1,
  1.5,
  '',
  '   ',
  '0xZZ',
  `0x${'f'.repeat(20)}`,
  '-0x10',
  true,
  'TRUE',
  'maybe',
  { offset: '0x1000', file: 'a.bin' },
  { offset: '', file: '' },
  ['--flash_mode'],
  { '0x1000': 42 },
];

/** Valid JSON of the wrong shape: replace a random node of `root` with an odd value. */
function mutateJson(rng: Prng, text: string): string {
  const root = JSON.parse(text) as Record<string, unknown>;
  let node: Record<string, unknown> = root;
  for (let depth = 0; depth < 3; depth++) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = rng.pick(keys);
    const child = node[key];
    if (
      depth < 2 &&
      typeof child === 'object' &&
      child !== null &&
      !Array.isArray(child) &&
      rng.chance(0.6)
    ) {
      node = child as Record<string, unknown>;
      continue;
    }
    if (rng.chance(0.2)) delete node[key];
    else
      node[rng.chance(0.8) ? key : rng.pick(['', ' ', '0x9000', 'extra', '__proto__'])] =
        rng.pick(ODD_VALUES);
    break;
  }
  return JSON.stringify(root, null, rng.chance(0.5) ? 2 : 0);
}

describe('fuzz: ESP-IDF build file readers', () => {
  it('flasher_args.json: coded errors only; JSON error positions agree with JSON.parse', () => {
    let parsed = 0;
    for (let i = 0; i < 1500; i++) {
      const seed = iterationSeed(0xf1a5, i);
      const rng = new Prng(seed);
      const text = rng.chance(0.5)
        ? mutateJson(rng, FLASHER_ARGS)
        : mutateText(rng, FLASHER_ARGS, JSON_FRAGMENTS);
      const ctx = { seed, input: JSON.stringify(text) };
      const r = guard(() => parseFlasherArgs(text, { file: 'flasher_args.json' }), ctx);
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      const at = jsonErrorPosition(text);
      if (valid !== (at === null))
        throw fuzzFailure(
          `jsonErrorPosition says ${at === null ? 'valid' : `error at ${at.offset}`}, JSON.parse says ${valid ? 'valid' : 'invalid'}`,
          ctx,
        );
      if (at && (at.offset < 0 || at.offset > text.length || at.line < 1 || at.column < 1))
        throw fuzzFailure(`position out of range: ${JSON.stringify(at)}`, ctx);
      if (!r.ok) {
        if (r.error.code !== 'project/bad-flasher-args')
          throw fuzzFailure(`unexpected code ${r.error.code}`, ctx);
        continue;
      }
      parsed++;
      if (r.value.entries.length === 0) throw fuzzFailure('parsed with no entries', ctx);
      for (const e of r.value.entries) {
        if (!Number.isSafeInteger(e.offset) || e.offset < 0)
          throw fuzzFailure(`entry offset ${e.offset}`, ctx);
        if (typeof e.file !== 'string' || e.file.trim() === '')
          throw fuzzFailure('entry without a file', ctx);
      }
    }
    if (parsed < 500) throw new Error(`only ${parsed} of 1500 mutated flasher_args.json parsed`);
  });

  it('project_description.json: coded errors only, string-or-null fields', () => {
    for (let i = 0; i < 1000; i++) {
      const seed = iterationSeed(0xf1a6, i);
      const rng = new Prng(seed);
      const text = rng.chance(0.1)
        ? rng.text(rng.int(0, 40), '{}[]":,0123456789 tnurefals\\')
        : rng.chance(0.4)
          ? mutateJson(rng, PROJECT_DESCRIPTION)
          : mutateText(rng, PROJECT_DESCRIPTION, JSON_FRAGMENTS);
      const ctx = { seed, input: JSON.stringify(text) };
      const r = guard(() => parseProjectDescription(text, { file: 'project_description.json' }), ctx);
      if (!r.ok) continue;
      const d = r.value;
      for (const [k, v] of Object.entries(d)) {
        if (k === 'components') {
          if (!Array.isArray(v) || v.some((c) => typeof c !== 'string' || c === ''))
            throw fuzzFailure('bad components', ctx);
        } else if (v !== null && (typeof v !== 'string' || v.trim() === '')) {
          throw fuzzFailure(`field ${k} is ${JSON.stringify(v)}`, ctx);
        }
      }
    }
  });

  it('esptool @arg files: coded errors only; entries have offsets and files', () => {
    const fragments = [
      '--flash_mode',
      '-fm',
      '--encrypt',
      '--encrypt-files',
      '0x',
      '0xZZ',
      '"',
      "'",
      '"a b.bin"',
      '\n',
      '-',
      '--',
      '0x1000',
      ' ',
      '99999999999999999999999',
    ];
    for (let i = 0; i < 1500; i++) {
      const seed = iterationSeed(0xf1a7, i);
      const rng = new Prng(seed);
      const text = mutateText(rng, ARG_FILE, fragments);
      const ctx = { seed, input: JSON.stringify(text) };
      const r = guard(() => parseArgFile(text, { file: 'flash_args' }), ctx);
      if (!r.ok) {
        if (r.error.code !== 'project/bad-arg-file')
          throw fuzzFailure(`unexpected code ${r.error.code}`, ctx);
        continue;
      }
      for (const e of r.value.entries) {
        if (!Number.isFinite(e.offset) || e.offset < 0 || e.file === '' || e.file.startsWith('-'))
          throw fuzzFailure(`bad entry ${JSON.stringify(e)}`, ctx);
      }
    }
  });

  it('sdkconfig text and offset strings never throw', () => {
    for (let i = 0; i < 800; i++) {
      const seed = iterationSeed(0xf1a8, i);
      const rng = new Prng(seed);
      const text = mutateText(
        rng,
        'CONFIG_A=y\nCONFIG_B="x"\n# CONFIG_C is not set\nCONFIG_D=0x8000\nCONFIG_E=-5\n',
      );
      const ctx = { seed, input: JSON.stringify(text) };
      try {
        parseSdkConfigText(text);
        const offset = parseOffsetText(
          rng.pick(['0x', '0X1F', ' 12 ', '', '-1', '1e3', '0x' + 'f'.repeat(rng.int(1, 30))]),
        );
        if (offset !== null && (!Number.isInteger(offset) || offset < 0)) throw new Error(`offset ${offset}`);
      } catch (err) {
        throw fuzzFailure('sdkconfig/offset parsing threw', ctx, err);
      }
    }
  });
});
