import { describe, expect, it } from 'vitest';
import { leafPaths } from '../../src/config/schema.js';
import { findConfigIssues, validateConfig } from '../../src/config/validate-config.js';
import { EspflashError, UsageError } from '../../src/errors.js';

const FILE = '/abs/espflash.config.ts';

function validationError(value: unknown): EspflashError {
  try {
    validateConfig(value, { file: FILE });
  } catch (err) {
    if (err instanceof EspflashError) return err;
    throw err;
  }
  throw new Error('expected validation to fail');
}

describe('validateConfig', () => {
  it('accepts a config using every key and normalises reset spellings', () => {
    const config = {
      port: 'sim://esp32',
      baud: 921600,
      chip: 'esp32s3',
      buildDir: 'build',
      project: '.',
      flash: { mode: 'DIO', freq: '80m', size: '4MB' },
      before: 'default-reset',
      after: 'No_Reset',
      stub: false,
      reset: { sequence: 'D0|R1|W100|D1|R0|W50|D0' },
      build: { command: ['idf.py', 'build'], cwd: '.' },
      monitor: { baud: 115200, timestamps: true, logFile: 'log.txt', elf: 'app.elf' },
      watch: { debounceMs: 0, paths: ['main'], monitor: true },
      cache: { dir: '.cache', fastReflash: true },
    };
    const out = validateConfig(config, { file: FILE });
    expect(out.before).toBe('default_reset');
    expect(out.after).toBe('no_reset');
    expect(out.flash?.mode).toBe('dio');
    expect(out.build?.command).toEqual(['idf.py', 'build']);
    expect(out.watch?.debounceMs).toBe(0);
  });

  it('names an unknown key with the nested key it most likely means', () => {
    const err = validationError({ flashMode: 'dio' });
    expect(err).toBeInstanceOf(UsageError);
    expect(err.code).toBe('config/unknown-key');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`Unknown key 'flashMode' in ${FILE}. Did you mean 'flash.mode'?`);
    expect(err.hint).toContain(FILE);
    expect(err.hint).toContain('flash.mode');
  });

  it.each([
    [{ flash_size: '4MB' }, 'flash.size'],
    [{ resetSequence: 'D0' }, 'reset.sequence'],
    [{ baudrate: 9600 }, 'baud'],
    [{ target: 'esp32' }, 'chip'],
    [{ prot: 'COM1' }, 'port'],
    [{ build_dir: 'b' }, 'buildDir'],
    [{ monitor: { baudRate: 115200 } }, 'monitor.baud'],
    [{ watch: { debounce: 10 } }, 'watch.debounceMs'],
    [{ cache: { fast_reflash: true } }, 'cache.fastReflash'],
  ])('suggests for %j -> %s', (config, suggestion) => {
    const [issue] = findConfigIssues(config, { file: FILE });
    expect(issue?.code).toBe('config/unknown-key');
    expect(issue?.suggestion).toBe(suggestion);
    expect(issue?.message).toContain(`Did you mean '${suggestion}'?`);
  });

  it('gives no suggestion for keys that resemble nothing', () => {
    const err = validationError({ zzzqqq: 1 });
    expect(err.code).toBe('config/unknown-key');
    expect(err.message).toBe(`Unknown key 'zzzqqq' in ${FILE}.`);
  });

  it('says where a misplaced key belongs', () => {
    const err = validationError({ size: '4MB' });
    expect(err.code).toBe('config/misplaced-key');
    expect(err.message).toBe(`'size' belongs under 'flash' (found at the top level in ${FILE})`);
    expect(findConfigIssues({ flash: { port: 'x' } }, { file: FILE })[0]?.message).toBe(
      `'port' belongs at the top level (found under 'flash' in ${FILE})`,
    );
    expect(findConfigIssues({ flash: { baud: 1 } }, { file: FILE })[0]?.message).toContain(
      "'baud' belongs at the top level or under 'monitor'",
    );
  });

  it.each([
    [{ baud: '921600' }, 'baud', 'an integer between 300 and 20000000', "'921600' (a string)"],
    [{ baud: 12.5 }, 'baud', 'an integer', '12.5 (a number)'],
    [{ stub: 'no' }, 'stub', 'true, false or an object with keys enabled, version, file', "'no' (a string)"],
    [{ port: '' }, 'port', 'a non-empty string', "'' (a string)"],
    [{ port: ['a', 'a'] }, 'port', 'a non-empty string, or a non-empty list of distinct ports', 'an array'],
    [{ flash: 'dio' }, 'flash', 'an object with keys mode, freq, size', "'dio' (a string)"],
    [{ flash: { mode: 'fast' } }, 'flash.mode', 'one of qio, qout, dio, dout, keep', "'fast'"],
    [{ before: 'reset' }, 'before', 'one of default-reset, usb-reset', "'reset'"],
    [{ build: { command: [] } }, 'build.command', 'a command string or a non-empty array', 'an array'],
    [{ watch: { paths: 'src' } }, 'watch.paths', 'an array of non-empty strings', "'src'"],
    [{ watch: { debounceMs: -1 } }, 'watch.debounceMs', 'an integer between 0', '-1'],
    [{ reset: { sequence: 'D0|X1' } }, 'reset.sequence', 'a reset sequence', "'D0|X1'"],
    [{ monitor: { timestamps: null } }, 'monitor.timestamps', 'true or false', 'null'],
  ])('rejects %j with the key path and expected type', (config, path, expected, got) => {
    const err = validationError(config);
    expect(err.code).toBe('config/invalid-value');
    expect(err.message).toContain(`'${path}' in ${FILE} must be ${expected}`);
    expect(err.message).toContain(`(got ${got}`);
    expect(err.hint).toContain(FILE);
  });

  it('reports every problem, the first one deciding the code', () => {
    const err = validationError({ size: '4MB', baud: 'fast', nope: 1 });
    expect(err.code).toBe('config/misplaced-key');
    expect(err.message).toContain("also: 'baud'");
    expect(err.message).toContain("also: Unknown key 'nope'");
    expect((err.details.issues as unknown[]).length).toBe(3);
  });

  it('rejects a non-object export', () => {
    for (const value of [null, [], 'port', 3]) {
      const err = validationError(value);
      expect(err.code).toBe('config/invalid-value');
      expect(err.message).toContain('must export an object');
    }
  });

  it('skips keys set to undefined', () => {
    expect(validateConfig({ port: undefined, baud: 115200 }, { file: FILE })).toEqual({ baud: 115200 });
  });

  it('lists the schema keys in a stable order', () => {
    expect(leafPaths()).toContain('flash.mode');
    expect(leafPaths()).toContain('cache.fastReflash');
    expect(leafPaths()).not.toContain('flash');
  });
});
