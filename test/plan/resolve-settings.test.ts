import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logger.js';
import { resolveSettings } from '../../src/plan/resolve-settings.js';
import type { BuildOutput } from '../../src/project/build-output.js';
import { type Sourced, sourced } from '../../src/provenance.js';
import { imageFor } from './fixture-build.js';

const FA = '/b/flasher_args.json';

function build(over: Partial<BuildOutput> = {}): BuildOutput {
  return {
    buildDir: '/b',
    kind: 'flasher-args',
    layoutFile: FA,
    entries: [],
    chip: null,
    flashMode: null,
    flashFreq: null,
    flashSize: null,
    before: null,
    after: null,
    stub: null,
    description: null,
    descriptionFile: null,
    sdkconfig: null,
    generatedByIdf: true,
    ...over,
  };
}

function recorder(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m) => warnings.push(m) };
}

const b = (v: string): Sourced<string> => sourced(v, 'build', FA);

describe('resolveSettings', () => {
  it('pre-production target names map to their chip (esp32c5beta3 -> esp32c5)', async () => {
    const s = await resolveSettings({
      build: build({ chip: b('esp32c5beta3') }),
      overrides: {},
      logger: recorder(),
    });
    expect(s.chip).toEqual({ value: 'esp32c5', source: { kind: 'build', detail: FA } });
  });

  it('an unknown target falls back to the image header, with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'espflash-settings-'));
    const boot = join(dir, 'bootloader.bin');
    writeFileSync(boot, imageFor('esp32h2', 4000));
    const log = recorder();
    const s = await resolveSettings({
      build: build({
        chip: b('esp99'),
        entries: [{ offset: 0, file: boot, name: 'bootloader', encrypted: false, source: { kind: 'build' } }],
      }),
      overrides: {},
      logger: log,
    });
    expect(s.chip).toEqual({
      value: 'esp32h2',
      source: { kind: 'derived', detail: `image header of ${boot}` },
    });
    expect(log.warnings.join()).toContain('esp99');
  });

  it('no clue at all -> project/unknown-chip with a --chip hint', async () => {
    const err = await resolveSettings({ build: build(), overrides: {}, logger: recorder() }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'project/unknown-chip',
      exitCode: 2,
      hint: expect.stringContaining('--chip'),
    });
  });

  it('overrides win and keep their own source; build values keep theirs; defaults otherwise', async () => {
    const log = recorder();
    const s = await resolveSettings({
      build: build({ chip: b('esp32'), flashMode: b('dio'), flashSize: b('detect'), after: b('no-reset') }),
      overrides: {
        chip: sourced('esp32s3', 'config', '/p/espflash.config.ts'),
        flashSize: sourced('16mb', 'env', 'ESPFLASH_FLASH_SIZE'),
      },
      logger: log,
    });
    expect(s.chip).toEqual(sourced('esp32s3', 'config', '/p/espflash.config.ts'));
    expect(s.flash.size).toEqual(sourced('16MB', 'env', 'ESPFLASH_FLASH_SIZE'));
    expect(s.flash.mode).toEqual(b('dio'));
    expect(s.flash.freq.value).toBe('keep');
    expect(s.flash.freq.source.kind).toBe('default');
    expect(s.after).toEqual(sourced('no_reset', 'build', FA));
    expect(s.before).toEqual(sourced('default_reset', 'default', 'esptool default'));
    expect(s.stub.value).toBe(true);
    expect(log.warnings.join()).toContain('esp32s3 overrides esp32');
  });

  it('accepts both esptool spellings of a reset mode and names the valid ones dashed when it is neither', async () => {
    const s = await resolveSettings({
      build: build({ chip: b('esp32') }),
      overrides: { before: sourced('No-Reset-No-Sync', 'cli', '--before') },
      logger: recorder(),
    });
    expect(s.before).toEqual(sourced('no_reset_no_sync', 'cli', '--before'));
    const err = await resolveSettings({
      build: build({ chip: b('esp32') }),
      overrides: { after: sourced('reboot', 'cli', '--after') },
      logger: recorder(),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'plan/bad-reset-mode',
      message:
        '--after "reboot" is not one of hard-reset, soft-reset, no-reset, no-reset-stub, watchdog-reset',
    });
  });
});
