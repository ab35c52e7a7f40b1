import { describe, expect, it } from 'vitest';
import {
  equivalentCommands,
  esptoolArgs,
  esptoolCommand,
  idfPyCommand,
} from '../../src/plan/esptool-command.js';
import { planToJson } from '../../src/plan/plan-json.js';
import type { FlashPlan, PlanRegion } from '../../src/plan/types.js';
import { sourced } from '../../src/provenance.js';

const FA = '/abs/build/flasher_args.json';
const region = (offset: number, file: string, extra: Partial<PlanRegion> = {}): PlanRegion => ({
  offset,
  size: 100,
  file,
  sha256: 'ab'.repeat(32),
  role: 'data',
  label: null,
  encrypted: false,
  source: { kind: 'build', detail: FA },
  ...extra,
});

function plan(regions: PlanRegion[], stub = true): FlashPlan {
  return {
    chip: sourced('esp32', 'build', FA),
    flash: {
      mode: sourced('dio', 'build', FA),
      freq: sourced('40m', 'build', FA),
      size: sourced('4MB', 'cli', '--flash-size'),
    },
    before: sourced('default_reset', 'default'),
    after: sourced('hard_reset', 'build', FA),
    stub: sourced(stub, 'build', FA),
    regions,
    buildDir: '/abs/build',
  };
}

const BOOT = region(0x1000, '/abs/build/bootloader/bootloader.bin', { role: 'bootloader', size: 26000 });
const APP = region(0x10000, '/abs/build/app.bin', { role: 'app', label: 'factory' });

describe('idf.py command', () => {
  const at = (buildDir: string) => ({ ...plan([BOOT, APP]), buildDir });

  it('from the project dir with ./build: idf.py -p PORT flash', () => {
    expect(idfPyCommand(at('/p/build'), { cwd: '/p' })).toBe('idf.py -p PORT flash');
    expect(idfPyCommand(at('/p/build'), { cwd: '/p', port: '/dev/ttyUSB0', baud: 921600 })).toBe(
      'idf.py -p /dev/ttyUSB0 -b 921600 flash',
    );
  });

  it('-C for a project elsewhere, -B for a build dir that is not <project>/build', () => {
    expect(idfPyCommand(at('/w/p/build'), { cwd: '/w' })).toBe('idf.py -C p -p PORT flash');
    expect(idfPyCommand(at('/p/out'), { cwd: '/p' })).toBe('idf.py -B out -p PORT flash');
    expect(idfPyCommand(at('/tmp/b/out'), { cwd: '/w', projectDir: '/w/p' })).toBe(
      'idf.py -C p -B ../tmp/b/out -p PORT flash',
    );
  });

  it('says what idf.py would do differently: settings from CLI/env/config and a region selection', () => {
    const fromBuild = plan([BOOT, APP]);
    fromBuild.flash.size = sourced('4MB', 'build', FA);
    expect(equivalentCommands(fromBuild, { cwd: '/abs' }).idfPyDiffers).toEqual([]);
    const c = equivalentCommands(plan([BOOT, APP]), { cwd: '/abs', regionsSelected: true });
    expect(c.idfPyDiffers).toEqual(['flash size', 'regions (--only/--to)']);
    expect(c.esptool.startsWith('esptool --chip esp32 ')).toBe(true);
    expect(c.esptoolV4.startsWith('esptool.py --chip esp32 ')).toBe(true);
    expect(c.idfPy).toBe('idf.py -p PORT flash');
  });
});

describe('esptool command', () => {
  it('prints esptool v5 names (write-flash, --flash-mode, dashed resets) with relative paths', () => {
    expect(esptoolCommand(plan([BOOT, APP]), { cwd: '/abs' })).toBe(
      'esptool --chip esp32 -b 460800 --before default-reset --after hard-reset write-flash ' +
        '--flash-mode dio --flash-freq 40m --flash-size 4MB 0x1000 build/bootloader/bootloader.bin 0x10000 build/app.bin',
    );
    // Reset values already dashed (esptool v5 / ESP-IDF v6 spelling) stay dashed; v4 underscores them.
    const dashed = { ...plan([APP]), after: sourced('no-reset-stub' as never, 'cli', '--after') };
    expect(esptoolArgs(dashed)).toContain('no-reset-stub');
    expect(esptoolArgs(dashed, { dialect: 'v4' })).toContain('no_reset_stub');
  });

  it('keeps the deprecated esptool.py v4 spelling on request', () => {
    expect(esptoolCommand(plan([BOOT, APP]), { cwd: '/abs', dialect: 'v4' })).toBe(
      'esptool.py --chip esp32 -b 460800 --before default_reset --after hard_reset write_flash ' +
        '--flash_mode dio --flash_size 4MB --flash_freq 40m 0x1000 build/bootloader/bootloader.bin 0x10000 build/app.bin',
    );
  });

  it('adds --no-stub, a port and a baud; quotes paths with spaces', () => {
    const args = esptoolArgs(plan([region(0x8000, '/b/my table.bin')], false), {
      port: '/dev/ttyUSB0',
      baud: 921600,
    });
    expect(args.slice(0, 10)).toEqual([
      '--chip',
      'esp32',
      '-p',
      '/dev/ttyUSB0',
      '-b',
      '921600',
      '--before',
      'default-reset',
      '--after',
      'hard-reset',
    ]);
    expect(args).toContain('--no-stub');
    expect(esptoolCommand(plan([region(0x8000, '/b/my table.bin')]))).toContain("0x8000 '/b/my table.bin'");
  });

  it('all encrypted -> --encrypt; mixed -> plain pairs then --encrypt-files', () => {
    const enc = (r: PlanRegion) => ({ ...r, encrypted: true });
    const all = esptoolArgs(plan([enc(BOOT), enc(APP)]));
    expect(all.slice(all.indexOf('--encrypt'))).toEqual([
      '--encrypt',
      '0x1000',
      BOOT.file,
      '0x10000',
      APP.file,
    ]);
    const storage = region(0x120000, '/abs/build/storage.bin');
    const mixed = esptoolArgs(plan([enc(APP), storage, enc(BOOT)]));
    const tail = mixed.slice(mixed.indexOf('4MB') + 1);
    expect(tail).toEqual([
      '0x120000',
      storage.file,
      '--encrypt-files',
      '0x1000',
      BOOT.file,
      '0x10000',
      APP.file,
    ]);
  });
});

describe('plan JSON', () => {
  it('has exactly the documented shape and key order', () => {
    const json = planToJson(plan([BOOT]));
    expect(JSON.stringify(json)).toBe(
      '{"chip":"esp32","flash":{"mode":"dio","freq":"40m","size":"4MB"},"before":"default_reset","after":"hard_reset","stub":true,' +
        `"regions":[{"offset":4096,"size":26000,"file":"/abs/build/bootloader/bootloader.bin","role":"bootloader","label":null,"encrypted":false,"sha256":"${'ab'.repeat(32)}"}]}`,
    );
  });

  it('sources only when asked, mirroring the values', () => {
    const json = planToJson(plan([BOOT, APP]), { showSources: true });
    expect(json.sources).toEqual({
      chip: { kind: 'build', detail: FA },
      flash: {
        mode: { kind: 'build', detail: FA },
        freq: { kind: 'build', detail: FA },
        size: { kind: 'cli', detail: '--flash-size' },
      },
      before: { kind: 'default' },
      after: { kind: 'build', detail: FA },
      stub: { kind: 'build', detail: FA },
      regions: [BOOT.source, APP.source],
    });
    expect(Object.keys(json)).toEqual(['chip', 'flash', 'before', 'after', 'stub', 'regions', 'sources']);
  });
});
