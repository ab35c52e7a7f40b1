import { describe, expect, it } from 'vitest';
import { esptoolArgs, esptoolCommand } from '../../src/plan/esptool-command.js';
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

describe('esptool command', () => {
  it('matches the esptool.py write_flash layout with relative paths', () => {
    expect(esptoolCommand(plan([BOOT, APP]), { cwd: '/abs' })).toBe(
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
      'default_reset',
      '--after',
      'hard_reset',
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
    const tail = mixed.slice(mixed.indexOf('40m') + 1);
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
