import { describe, expect, it } from 'vitest';
import { ENV_VARS, readEnvOptions } from '../../src/config/env.js';
import { EspflashError } from '../../src/errors.js';

function envError(env: Record<string, string>): EspflashError {
  try {
    readEnvOptions(env);
  } catch (err) {
    if (err instanceof EspflashError) return err;
    throw err;
  }
  throw new Error('expected readEnvOptions to fail');
}

describe('readEnvOptions', () => {
  it('reads every ESPFLASH_* variable with the variable as its source', () => {
    const env = {
      ESPFLASH_PORT: '/dev/ttyACM0',
      ESPFLASH_BAUD: '921600',
      ESPFLASH_CHIP: 'esp32c3',
      ESPFLASH_BUILD_DIR: 'out',
      ESPFLASH_PROJECT: 'fw',
      ESPFLASH_BEFORE: 'no-reset',
      ESPFLASH_AFTER: 'soft_reset',
      ESPFLASH_NO_STUB: '1',
      ESPFLASH_STUB_VERSION: '2',
      ESPFLASH_STUB_FILE: 'stubs/esp32.json',
      ESPFLASH_FLASH_MODE: 'dio',
      ESPFLASH_FLASH_FREQ: '40m',
      ESPFLASH_FLASH_SIZE: '8MB',
      ESPFLASH_CONFIG: 'boards/a.ts',
    };
    const out = readEnvOptions(env);
    expect(out.port).toEqual({ value: '/dev/ttyACM0', source: { kind: 'env', detail: 'ESPFLASH_PORT' } });
    expect(out.baud).toEqual({ value: 921600, source: { kind: 'env', detail: 'ESPFLASH_BAUD' } });
    expect(out.stub).toEqual({ value: false, source: { kind: 'env', detail: 'ESPFLASH_NO_STUB' } });
    expect(out.flashSize?.value).toBe('8MB');
    expect(out.config?.value).toBe('boards/a.ts');
    expect(Object.keys(out).sort()).toEqual([...new Set(ENV_VARS.map((v) => v.option))].sort());
  });

  it('takes idf.py ESPPORT/ESPBAUD, and ESPFLASH_* wins over them', () => {
    expect(readEnvOptions({ ESPPORT: 'COM4', ESPBAUD: '460800' })).toEqual({
      port: { value: 'COM4', source: { kind: 'env', detail: 'ESPPORT' } },
      baud: { value: 460800, source: { kind: 'env', detail: 'ESPBAUD' } },
    });
    const both = readEnvOptions({
      ESPPORT: 'COM4',
      ESPFLASH_PORT: 'COM5',
      ESPBAUD: 'bad?',
      ESPFLASH_BAUD: '115200',
    });
    expect(both.port?.value).toBe('COM5');
    expect(both.port?.source.detail).toBe('ESPFLASH_PORT');
    expect(both.baud?.value).toBe(115200);
  });

  it('treats empty variables as unset', () => {
    expect(readEnvOptions({ ESPFLASH_PORT: '', ESPPORT: '  ', ESPFLASH_NO_STUB: '' })).toEqual({});
  });

  it('ESPFLASH_NO_STUB=0 asks for the stub', () => {
    expect(readEnvOptions({ ESPFLASH_NO_STUB: 'false' }).stub?.value).toBe(true);
  });

  it.each([
    [{ ESPFLASH_BAUD: 'fast' }, 'ESPFLASH_BAUD'],
    [{ ESPBAUD: '12.5' }, 'ESPBAUD'],
    [{ ESPFLASH_BAUD: '0' }, 'ESPFLASH_BAUD'],
    [{ ESPFLASH_NO_STUB: 'maybe' }, 'ESPFLASH_NO_STUB'],
  ])('rejects %j naming the variable', (env, name) => {
    const err = envError(env);
    expect(err.code).toBe('config/invalid-env');
    expect(err.exitCode).toBe(2);
    expect(err.message.startsWith(`${name}=`)).toBe(true);
    expect(err.hint).toContain(name);
  });
});
