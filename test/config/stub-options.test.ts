// The stub choice as a setting: --stub-version / --stub-file, ESPFLASH_STUB_VERSION / _FILE and the
// config's `stub` (a boolean, or { enabled, version, file }), with the usual precedence and errors.

import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../src/config/load-config.js';
import { type CliOptionValues, resolveOptions } from '../../src/config/resolve-options.js';
import { validateConfig } from '../../src/config/validate-config.js';
import { EspflashError } from '../../src/errors.js';
import { esptoolJsStubDir } from '../../src/node/stub-assets.js';
import { runCli } from '../support/cli.js';

const CONFIG_FILE = '/work/proj/espflash.config.ts';

function resolveWith(layers: { cli?: CliOptionValues; env?: Record<string, string>; config?: unknown }) {
  const config: LoadedConfig | null =
    layers.config === undefined
      ? null
      : { config: layers.config as LoadedConfig['config'], filepath: CONFIG_FILE };
  return resolveOptions({ cli: layers.cli ?? {}, env: layers.env ?? {}, config, cwd: '/work/proj/sub' });
}

function errorOf(run: () => unknown): EspflashError {
  try {
    run();
  } catch (err) {
    if (err instanceof EspflashError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('stub settings', () => {
  it('config stub as an object: enabled, version, and a file relative to the config', () => {
    const r = resolveWith({ config: { stub: { enabled: true, version: 2, file: 'stubs/esp32.json' } } });
    expect(r.stub?.value).toBe(true);
    expect(r.stubVersion?.value).toBe(2);
    expect(r.stubFile?.value).toBe('/work/proj/stubs/esp32.json');
    expect(r.stubVersion?.source.kind).toBe('config');
  });

  it('config stub as a boolean still means use / do not use the stub', () => {
    expect(resolveWith({ config: { stub: false } }).stub?.value).toBe(false);
    expect(resolveWith({ config: { stub: false } }).stubVersion).toBeUndefined();
  });

  it('the flag beats the environment, which beats the config', () => {
    const config = { stub: { version: 2 } };
    expect(
      resolveWith({ cli: { stubVersion: '1' }, env: { ESPFLASH_STUB_VERSION: '2' }, config }).stubVersion,
    ).toMatchObject({
      value: 1,
      source: { kind: 'cli' },
    });
    expect(resolveWith({ env: { ESPFLASH_STUB_VERSION: '1' }, config }).stubVersion).toMatchObject({
      value: 1,
      source: { kind: 'env' },
    });
    expect(resolveWith({ cli: { stubFile: 'my.json' } }).stubFile?.value).toBe('/work/proj/sub/my.json');
  });

  it('a stub version other than 1 or 2 names the flag, the variable or the config key', () => {
    const flag = errorOf(() => resolveWith({ cli: { stubVersion: '3' } }));
    expect(flag.code).toBe('usage/invalid-value');
    expect(flag.message).toContain('--stub-version');
    const env = errorOf(() => resolveWith({ env: { ESPFLASH_STUB_VERSION: 'new' } }));
    expect(env.code).toBe('config/invalid-env');
    expect(env.message).toContain('ESPFLASH_STUB_VERSION');
    const config = errorOf(() => validateConfig({ stub: { version: 5 } }, { file: CONFIG_FILE }));
    expect(config.message).toContain("'stub.version'");
  });

  it('a stub that is neither a boolean nor an object says what it may be', () => {
    const err = errorOf(() => validateConfig({ stub: 'yes' }, { file: CONFIG_FILE }));
    expect(err.code).toBe('config/invalid-value');
    expect(err.message).toContain('true, false or an object with keys enabled, version, file');
    const unknown = errorOf(() => validateConfig({ stub: { versoin: 2 } }, { file: CONFIG_FILE }));
    expect(unknown.message).toContain('versoin');
  });
});

describe('stub choice on the command line (virtual ESP32)', () => {
  it('--stub-version 1 is refused before the device is touched, naming the ways that work', async () => {
    const r = await runCli(['board-info', '--port', 'sim://esp32', '--stub-version', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stub/version-unavailable');
    expect(r.stderr).toContain('--stub-file');
    expect(r.stderr).not.toContain('Connected');
  });

  it('a --stub-file that is missing or not a stub is a usage error before connecting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'espflash-stubfile-'));
    const missing = await runCli([
      'board-info',
      '--port',
      'sim://esp32',
      '--stub-file',
      join(dir, 'none.json'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('stub/file-unreadable');
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ hello: 1 }));
    const bad = await runCli(['board-info', '--port', 'sim://esp32', '--stub-file', join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('stub/file-invalid');
    expect(bad.stderr).toContain('--stub-file');
  });

  it('a --stub-file of one’s own is what gets uploaded: the shipped one runs, a dead one falls back to the ROM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'espflash-stubfile-'));
    await copyFile(join(esptoolJsStubDir(), 'esp32.json'), join(dir, 'mine.json'));
    const r = await runCli([
      'board-info',
      '--port',
      'sim://esp32',
      '--stub-file',
      join(dir, 'mine.json'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"event":"stub-started"');
    // Its entry lies outside the code it uploads: the chip never says OHAI, espflash resets it and
    // carries on with the ROM loader (the virtual chip can be reset).
    await writeFile(
      join(dir, 'dead.json'),
      JSON.stringify({
        entry: 0x400a9000,
        text: 'Bv//AA==',
        text_start: 0x400a8000,
        data: '',
        data_start: 0x3ffe0000,
      }),
    );
    await writeFile(join(dir, 'espflash.config.json'), JSON.stringify({ stub: { file: 'dead.json' } }));
    const viaConfig = await runCli(['board-info', '--port', 'sim://esp32', '--json'], { cwd: dir });
    expect(viaConfig.code).toBe(0);
    expect(viaConfig.stdout).toContain('stub/rom-fallback');
    expect(viaConfig.stdout).toContain('"stub":false');
    expect(viaConfig.stdout).not.toContain('"event":"stub-started"');
  });
});
