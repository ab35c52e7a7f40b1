// `espflash plan` human output, --show-config, --to/--only and build-dir discovery from cwd.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { SHARED_SKIP_NOTE } from '../support/shared-fixtures.js';
import { FIXTURE_BUILDS, prepareFixture } from './fixture-build.js';

const pick = (name: string) => FIXTURE_BUILDS.find((b) => b.startsWith(name)) ?? name;
const OTA = 'v4.4.3_esp32_airsense';

describe.skipIf(FIXTURE_BUILDS.length === 0)(`espflash plan${SHARED_SKIP_NOTE}`, () => {
  it('prints settings with sources, the region table and the esptool equivalent', async () => {
    const build = prepareFixture(pick(OTA));
    const project = join(build.dir, '..');
    const cli = await runCli(['plan'], { cwd: project }); // finds ./build by itself
    expect(cli.code).toBe(0);
    const out = cli.stdout;
    expect(out).toContain('Flash plan for build');
    expect(out).toMatch(/chip\s+esp32\s+build \(build\/flasher_args\.json\)/);
    expect(out).toMatch(/flash size\s+detect\s+build \(build\/flasher_args\.json\)/);
    expect(out).toMatch(/0xd000\s+8192\s+otadata\s+otadata\s+no\s+build\/ota_data_initial\.bin/);
    expect(out).toMatch(/0x10000\s+\d+\s+app\s+factory\s+no\s+build\/AirSENSE_ESP32-IDF_RTOS\.bin/);
    expect(out).toContain(
      'esptool v5 equivalent:\n  esptool --chip esp32 -b 460800 --before default-reset --after hard-reset write-flash --flash-mode dio ' +
        '--flash-freq 40m --flash-size detect 0x1000 build/bootloader/bootloader.bin 0x8000 build/partition_table/partition-table.bin ' +
        '0xd000 build/ota_data_initial.bin 0x10000 build/AirSENSE_ESP32-IDF_RTOS.bin',
    );
    expect(out).toContain('idf.py equivalent:\n  idf.py -p PORT flash');
    expect(out).not.toContain('esptool.py');
  });

  it('CLI overrides are recorded as their flags; --show-config adds sources to --json', async () => {
    const build = prepareFixture(pick(OTA));
    const cli = await runCli(
      [
        'plan',
        '--build-dir',
        build.dir,
        '--json',
        '--show-config',
        '--flash-mode',
        'QIO',
        '--flash-size',
        '4MB',
        '--after',
        'no-reset',
        '--no-stub',
      ],
      { cwd: build.dir },
    );
    expect(cli.code).toBe(0);
    const json = JSON.parse(cli.stdout);
    expect(json.flash).toEqual({ mode: 'qio', freq: '40m', size: '4MB' });
    expect(json.commands.esptool).toMatch(
      /^esptool --chip esp32 -b 460800 --before default-reset --after no-reset --no-stub write-flash --flash-mode qio --flash-freq 40m --flash-size 4MB 0x1000 /,
    );
    expect(json.commands.esptoolV4).toMatch(
      /^esptool\.py .* --after no_reset --no-stub write_flash --flash_mode qio /,
    );
    expect(json.commands.idfPy).toBe('idf.py -C .. -p PORT flash'); // run from inside build/
    expect(json.commands.idfPyDiffers).toEqual(['flash mode', 'flash size', 'after', 'stub']);
    expect(json.after).toBe('no_reset');
    expect(json.stub).toBe(false);
    expect(json.sources.flash.mode).toEqual({ kind: 'cli', detail: '--flash-mode' });
    expect(json.sources.flash.freq).toEqual({ kind: 'build', detail: join(build.dir, 'flasher_args.json') });
    expect(json.sources.after).toEqual({ kind: 'cli', detail: '--after' });
    expect(json.sources.stub).toEqual({ kind: 'cli', detail: '--no-stub' });
    expect(json.sources.regions).toHaveLength(4);
  });

  it('--to ota_1 writes only the app, at the ota_1 offset', async () => {
    const build = prepareFixture(pick(OTA));
    const cli = await runCli(['plan', '--build-dir', build.dir, '--json', '--to', 'ota_1', '--show-config'], {
      cwd: build.dir,
    });
    const json = JSON.parse(cli.stdout);
    expect(
      json.regions.map((r: { offset: number; role: string; label: string }) => [r.offset, r.role, r.label]),
    ).toEqual([[0x210000, 'app', 'ota_1']]);
    expect(json.sources.regions[0]).toEqual({ kind: 'cli', detail: '--to ota_1' });
  });

  it('--only accepts roles and labels, comma-separated', async () => {
    const build = prepareFixture(pick(OTA));
    const cli = await runCli(['plan', '--build-dir', build.dir, '--json', '--only', 'bootloader,otadata'], {
      cwd: build.dir,
    });
    const json = JSON.parse(cli.stdout);
    expect(json.regions.map((r: { role: string }) => r.role)).toEqual(['bootloader', 'otadata']);
    const byLabel = JSON.parse(
      (await runCli(['plan', '--build-dir', build.dir, '--json', '--only', 'factory'], { cwd: build.dir }))
        .stdout,
    );
    expect(byLabel.regions.map((r: { offset: number }) => r.offset)).toEqual([0x10000]);
  });

  it('v6 hyphenated before/after in flasher_args.json are normalised', async () => {
    const build = prepareFixture(pick('v5.5_esp32c5'));
    const { readFileSync, writeFileSync, utimesSync } = await import('node:fs');
    const file = join(build.dir, 'flasher_args.json');
    const text = readFileSync(file, 'utf8')
      .replace('"hard_reset"', '"hard-reset"')
      .replace('"default_reset"', '"no-reset"');
    writeFileSync(file, text.replace('"--flash_mode"', '"--flash-mode"'));
    const old = Date.now() / 1000 - 7200; // older than everything prepareFixture aged
    utimesSync(file, old, old);
    const json = JSON.parse(
      (await runCli(['plan', '--build-dir', build.dir, '--json'], { cwd: build.dir })).stdout,
    );
    expect([json.before, json.after, json.stub]).toEqual(['no_reset', 'hard_reset', false]);
  });

  it('precedence: CLI > env > config file > build output > defaults, each value with its source', async () => {
    const build = prepareFixture(pick(OTA));
    const project = join(build.dir, '..');
    const configFile = join(project, 'espflash.config.json');
    writeFileSync(
      configFile,
      JSON.stringify({ buildDir: 'build', flash: { size: '4MB', freq: '26m' }, before: 'no_reset' }),
    );
    const env = { ESPFLASH_FLASH_SIZE: '8MB', ESPFLASH_PORT: '/dev/ttyACM0' };
    const json = JSON.parse(
      (await runCli(['plan', '--json', '--show-config', '--flash-freq', '20m'], { cwd: project, env }))
        .stdout,
    );
    expect(json.flash).toEqual({ mode: 'dio', freq: '20m', size: '8MB' });
    expect(json.before).toBe('no_reset');
    expect(json.sources.flash).toEqual({
      mode: { kind: 'build', detail: join(build.dir, 'flasher_args.json') },
      freq: { kind: 'cli', detail: '--flash-freq' },
      size: { kind: 'env', detail: 'ESPFLASH_FLASH_SIZE' },
    });
    expect(json.sources.before).toEqual({ kind: 'config', detail: `${configFile}: before` });
    expect(json.sources.stub).toEqual({ kind: 'build', detail: join(build.dir, 'flasher_args.json') });

    const text = (await runCli(['plan', '--show-config'], { cwd: project, env })).stdout;
    expect(text).toMatch(/port\s+\/dev\/ttyACM0\s+env \(ESPFLASH_PORT\)/);
    expect(text).toMatch(/buildDir\s+\S+build\s+config \(/);
    expect(text).toContain('esptool --chip esp32 -p /dev/ttyACM0 -b 460800 --before no-reset');
    expect(text).toContain('idf.py -p /dev/ttyACM0 flash');
    expect(text).toContain("(idf.py uses the build's own flash freq, flash size, before, not this plan's)");
  });
});
