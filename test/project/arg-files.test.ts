import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArgFile } from '../../src/project/arg-files.js';
import { HAVE_SHARED, SHARED_SKIP_NOTE, sharedPath } from '../support/shared-fixtures.js';

const read = (build: string, file: string) => readFileSync(sharedPath('idf-build', build, file), 'utf8');
const parse = (text: string) => parseArgFile(text, { file: '/b/flash_args' });

describe.skipIf(!HAVE_SHARED)(`esptool argument files from real builds${SHARED_SKIP_NOTE}`, () => {
  it('v3.3 flash_project_args: bootloader pair on the options line, single-space lines skipped', () => {
    const parsed = parse(read('v3.3.1_esp32_living-stream-adf', 'flash_project_args'));
    expect(parsed).toMatchObject({ flashMode: 'dio', flashFreq: '80m', flashSize: '4MB', encryptAll: false });
    expect(parsed.entries).toEqual([
      { offset: 0x1000, file: 'bootloader/bootloader.bin', encrypted: false },
      { offset: 0x10000, file: 'partition_table/partition-table.bin', encrypted: false },
      { offset: 0x20000, file: 'living_stream_m3u_aac.bin', encrypted: false },
    ]);
  });

  it('v4.0 flash_app_args: a lone pair without options line or trailing newline', () => {
    const parsed = parse(read('v4.0.1_esp32_SmartEnvi22-flashenc', 'flash_app_args'));
    expect(parsed.entries).toEqual([{ offset: 0x10000, file: 'SmartEnvi22.bin', encrypted: false }]);
    expect(parsed.flashMode).toBeNull();
  });

  it('v4.0 flash_encrypted_project_args: --encrypt first marks every pair', () => {
    const parsed = parse(read('v4.0.1_esp32_SmartEnvi22-flashenc', 'flash_encrypted_project_args'));
    expect(parsed.encryptAll).toBe(true);
    expect(parsed.entries).toHaveLength(4);
    expect(parsed.entries.every((e) => e.encrypted)).toBe(true);
  });

  it('v5.0 encrypted_flash_args: plain pairs first, then --encrypt-files pairs', () => {
    const parsed = parse(read('v5.0.2_esp32s3_flashenc-nostub-storage', 'encrypted_flash_args'));
    const flags = Object.fromEntries(parsed.entries.map((e) => [e.file, e.encrypted]));
    expect(flags).toEqual({
      'storage.bin': false,
      'bootloader/bootloader.bin': true,
      'wifi_softAP.bin': true,
      'partition_table/partition-table.bin': true,
    });
    expect(parsed.encryptAll).toBe(false);
  });

  it('v5.1 encrypted_flash_args: --encrypt at the end of the options line', () => {
    const parsed = parse(read('v5.1.6_esp32_secureboot1-flashenc-pt0x10000', 'encrypted_flash_args'));
    expect(parsed.entries.map((e) => [e.offset, e.encrypted])).toEqual([
      [0x20000, true],
      [0x10000, true],
    ]);
  });

  it('multi-line options (v4.0 flash_bootloader_args) and detect sizes', () => {
    const parsed = parse(read('v4.1.2_esp32_webOS-contest', 'flash_bootloader_args'));
    expect(parsed).toMatchObject({ flashMode: 'dio', flashSize: 'detect', flashFreq: '40m' });
  });
});

describe('argument file edge cases', () => {
  it('v6 hyphenated options, quoted paths with spaces, unknown options recorded', () => {
    const parsed = parse(
      '--flash-mode dio --flash-freq 80m --flash-size 2MB --compress\n0x10000 "my app.bin"\n',
    );
    expect(parsed).toMatchObject({ flashMode: 'dio', flashFreq: '80m', flashSize: '2MB' });
    expect(parsed.entries).toEqual([{ offset: 0x10000, file: 'my app.bin', encrypted: false }]);
    expect(parsed.unknownOptions).toEqual(['--compress']);
  });

  it.each([
    ['offset without file', '--flash_mode dio\n0x1000\n'],
    ['option without value', '--flash_mode\n'],
    ['stray word', 'bootloader.bin 0x1000'],
  ])('%s -> project/bad-arg-file', (_what, text) => {
    expect(() => parse(text)).toThrow(expect.objectContaining({ code: 'project/bad-arg-file' }));
  });
});
