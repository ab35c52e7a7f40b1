import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../src/config/load-config.js';
import { type CliOptionValues, describeResolved, resolveOptions } from '../../src/config/resolve-options.js';
import type { EspflashConfig } from '../../src/config/schema.js';
import { EspflashError } from '../../src/errors.js';

const CWD = '/work/proj/sub';
const CONFIG_FILE = '/work/proj/espflash.config.ts';

function resolveWith(layers: {
  cli?: CliOptionValues;
  env?: Record<string, string>;
  config?: EspflashConfig;
}) {
  const config: LoadedConfig | null = layers.config ? { config: layers.config, filepath: CONFIG_FILE } : null;
  return resolveOptions({ cli: layers.cli ?? {}, env: layers.env ?? {}, config, cwd: CWD });
}

function resolveError(layers: Parameters<typeof resolveWith>[0]): EspflashError {
  try {
    resolveWith(layers);
  } catch (err) {
    if (err instanceof EspflashError) return err;
    throw err;
  }
  throw new Error('expected resolveOptions to fail');
}

describe('resolveOptions precedence', () => {
  const cases = [
    { cli: true, env: true, config: true, winner: 'cli' },
    { cli: true, env: false, config: true, winner: 'cli' },
    { cli: true, env: true, config: false, winner: 'cli' },
    { cli: false, env: true, config: true, winner: 'env' },
    { cli: false, env: true, config: false, winner: 'env' },
    { cli: false, env: false, config: true, winner: 'config' },
    { cli: false, env: false, config: false, winner: null },
  ];
  it.each(cases)('port from cli=$cli env=$env config=$config -> $winner', (c) => {
    const r = resolveWith({
      ...(c.cli ? { cli: { port: 'cli-port' } } : {}),
      ...(c.env ? { env: { ESPFLASH_PORT: 'env-port' } } : {}),
      ...(c.config ? { config: { port: 'config-port' } } : {}),
    });
    if (c.winner === null) {
      expect(r.port).toBeUndefined();
      return;
    }
    expect(r.port?.value).toBe(`${c.winner}-port`);
    expect(r.port?.source.kind).toBe(c.winner);
    const detail = { cli: '--port', env: 'ESPFLASH_PORT', config: `${CONFIG_FILE}: port` }[c.winner as 'cli'];
    expect(r.port?.source.detail).toBe(detail);
  });

  it('ESPFLASH_PORT beats ESPPORT, and ESPPORT beats the config file', () => {
    const both = resolveWith({ env: { ESPPORT: 'idf', ESPFLASH_PORT: 'ours' }, config: { port: 'cfg' } });
    expect(both.port).toEqual({ value: 'ours', source: { kind: 'env', detail: 'ESPFLASH_PORT' } });
    const idf = resolveWith({ env: { ESPPORT: 'idf' }, config: { port: 'cfg' } });
    expect(idf.port).toEqual({ value: 'idf', source: { kind: 'env', detail: 'ESPPORT' } });
    const baud = resolveWith({ cli: { baud: 115200 }, env: { ESPBAUD: '921600' } });
    expect(baud.baud).toEqual({ value: 115200, source: { kind: 'cli', detail: '--baud' } });
  });

  it('maps nested config keys and names them in the source', () => {
    const r = resolveWith({
      config: { flash: { mode: 'qio', freq: '80M', size: '16mb' }, reset: { sequence: 'D0|R1|W100' } },
      env: { ESPFLASH_FLASH_FREQ: '40m' },
    });
    expect(r.flashMode).toEqual({
      value: 'qio',
      source: { kind: 'config', detail: `${CONFIG_FILE}: flash.mode` },
    });
    expect(r.flashFreq).toEqual({ value: '40m', source: { kind: 'env', detail: 'ESPFLASH_FLASH_FREQ' } });
    expect(r.flashSize).toEqual({
      value: '16MB',
      source: { kind: 'config', detail: `${CONFIG_FILE}: flash.size` },
    });
    expect(r.resetSequence?.value).toBe('D0|R1|W100');
  });

  it('keeps --no-stub (false) from the CLI over the config file, and reports its flag', () => {
    const r = resolveWith({ cli: { stub: false }, config: { stub: true } });
    expect(r.stub).toEqual({ value: false, source: { kind: 'cli', detail: '--no-stub' } });
    expect(resolveWith({ config: { stub: false } }).stub?.value).toBe(false);
    expect(resolveWith({ env: { ESPFLASH_NO_STUB: '1' }, config: { stub: true } }).stub?.source.detail).toBe(
      'ESPFLASH_NO_STUB',
    );
  });
});

describe('resolveOptions values', () => {
  it('resolves relative paths: config paths against the config file, CLI/env paths against cwd', () => {
    const fromConfig = resolveWith({
      config: { buildDir: 'fw/build', project: '../other', monitor: { elf: 'x.elf', logFile: 'logs/m.log' } },
    });
    expect(fromConfig.buildDir?.value).toBe('/work/proj/fw/build');
    expect(fromConfig.project?.value).toBe('/work/other');
    expect(fromConfig.monitor.elf?.value).toBe('/work/proj/x.elf');
    expect(fromConfig.monitor.logFile?.value).toBe('/work/proj/logs/m.log');
    expect(resolveWith({ cli: { buildDir: 'b' }, config: { buildDir: 'fw/build' } }).buildDir?.value).toBe(
      join(CWD, 'b'),
    );
    expect(resolveWith({ env: { ESPFLASH_BUILD_DIR: 'e' } }).buildDir?.value).toBe(join(CWD, 'e'));
    expect(resolveWith({ cli: { buildDir: '/abs/build' } }).buildDir?.value).toBe('/abs/build');
  });

  it('resolves config-only groups (build, monitor, watch, cache)', () => {
    const r = resolveWith({
      config: {
        build: { command: 'idf.py -B "my build" build', cwd: 'fw' },
        monitor: { baud: 74880, timestamps: true },
        watch: { debounceMs: 250, paths: ['main', '/abs/lib'], monitor: false },
        cache: { dir: '.cache', fastReflash: true },
      },
    });
    // A string runs through the shell as written (balanced quotes are still checked).
    expect(r.buildCommand?.value).toBe('idf.py -B "my build" build');
    expect(r.buildCommand?.source.detail).toBe(`${CONFIG_FILE}: build.command`);
    expect(r.buildCwd?.value).toBe('/work/proj/fw');
    expect(r.monitor.baud?.value).toBe(74880);
    expect(r.watch.paths?.value).toEqual(['/work/proj/main', '/abs/lib']);
    expect(r.watch.monitor?.value).toBe(false);
    expect(r.cache).toEqual({
      dir: { value: '/work/proj/.cache', source: { kind: 'config', detail: `${CONFIG_FILE}: cache.dir` } },
      fastReflash: { value: true, source: { kind: 'config', detail: `${CONFIG_FILE}: cache.fastReflash` } },
    });
    expect(r.configFile).toBe(CONFIG_FILE);
    expect(resolveWith({}).configFile).toBeNull();
  });

  it('normalises chips and reset names; auto means "detect"', () => {
    const r = resolveWith({
      cli: { chip: 'ESP32-S3', before: 'no-reset' },
      config: { after: 'watchdog-reset' },
    });
    expect(r.chip?.value).toBe('esp32s3');
    expect(r.before?.value).toBe('no_reset');
    expect(r.after?.value).toBe('watchdog_reset');
    expect(resolveWith({ cli: { chip: 'auto' }, config: { chip: 'esp32' } }).chip).toBeUndefined();
  });

  it('rejects an unknown chip with config/unknown-chip, listing valid names and the source', () => {
    const fromCli = resolveError({ cli: { chip: 'esp33' } });
    expect(fromCli.code).toBe('config/unknown-chip');
    expect(fromCli.exitCode).toBe(2);
    expect(fromCli.message).toContain("'esp33' (from --chip)");
    expect(fromCli.message).toContain('esp32c6');
    expect(fromCli.hint).toContain('--chip');
    const fromConfig = resolveError({ config: { chip: 'esp99' } });
    expect(fromConfig.hint).toContain(CONFIG_FILE);
    expect(resolveError({ env: { ESPFLASH_CHIP: 'nope' } }).hint).toContain('ESPFLASH_CHIP');
  });

  it.each([
    [{ cli: { flashMode: 'fast' } }, 'usage/invalid-value', '--flash-mode'],
    [{ cli: { before: 'reboot' } }, 'usage/invalid-value', '--before'],
    [{ cli: { baud: Number.NaN } }, 'usage/invalid-value', '--baud'],
    [{ cli: { resetSequence: 'DTR low' } }, 'usage/invalid-value', '--reset-sequence'],
    [{ cli: { flashSize: 'huge' } }, 'usage/invalid-value', '--flash-size'],
    [{ env: { ESPFLASH_AFTER: 'explode' } }, 'config/invalid-env', 'ESPFLASH_AFTER'],
    [{ env: { ESPFLASH_FLASH_FREQ: 'fast' } }, 'config/invalid-env', 'ESPFLASH_FLASH_FREQ'],
    [{ config: { build: { command: 'idf.py "build' } } }, 'config/invalid-value', 'build.command'],
  ])('rejects %j naming where the value came from', (layers, code, name) => {
    const err = resolveError(layers as Parameters<typeof resolveWith>[0]);
    expect(err.code).toBe(code);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(name);
    expect(err.hint).toContain(name);
  });

  it('validates a config object it is handed directly', () => {
    const err = resolveError({ config: { flashMode: 'dio' } as unknown as EspflashConfig });
    expect(err.code).toBe('config/unknown-key');
  });
});

describe('describeResolved', () => {
  it('lists every set value with its source, in config-key spelling', () => {
    const rows = describeResolved(
      resolveWith({
        cli: { port: 'COM1' },
        env: { ESPBAUD: '460800' },
        config: {
          flash: { mode: 'dio' },
          build: { command: ['idf.py', 'build'] },
          watch: { debounceMs: 100 },
        },
      }),
    );
    expect(rows).toEqual([
      { key: 'port', value: 'COM1', source: 'cli (--port)' },
      { key: 'baud', value: '460800', source: 'env (ESPBAUD)' },
      { key: 'flash.mode', value: 'dio', source: `config (${CONFIG_FILE}: flash.mode)` },
      { key: 'build.command', value: 'idf.py build', source: `config (${CONFIG_FILE}: build.command)` },
      { key: 'watch.debounceMs', value: '100', source: `config (${CONFIG_FILE}: watch.debounceMs)` },
    ]);
  });

  it("shows the monitor's baud with its variable: MONITORBAUD beats monitor.baud, ESPFLASH_MONITOR_BAUD beats both", () => {
    const monitorRow = (env: Record<string, string>) =>
      describeResolved(resolveWith({ env, config: { monitor: { baud: 74880 } } })).find(
        (r) => r.key === 'monitor.baud',
      );
    expect(monitorRow({})).toEqual({
      key: 'monitor.baud',
      value: '74880',
      source: `config (${CONFIG_FILE}: monitor.baud)`,
    });
    expect(monitorRow({ MONITORBAUD: '230400' })).toEqual({
      key: 'monitor.baud',
      value: '230400',
      source: 'env (MONITORBAUD)',
    });
    expect(monitorRow({ MONITORBAUD: '230400', ESPFLASH_MONITOR_BAUD: '921600' })?.source).toBe(
      'env (ESPFLASH_MONITOR_BAUD)',
    );
    // Without a config file the variable still counts.
    expect(resolveWith({ env: { MONITORBAUD: '9600' } }).monitor.baud?.value).toBe(9600);
  });
});
