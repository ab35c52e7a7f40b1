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
      ESPFLASH_MONITOR_BAUD: '74880',
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

  it("takes esptool's ESPTOOL_PORT/ESPTOOL_BAUD last: ESPFLASH_*, then ESPPORT/ESPBAUD win", () => {
    expect(readEnvOptions({ ESPTOOL_PORT: '/dev/ttyUSB2', ESPTOOL_BAUD: '230400' })).toEqual({
      port: { value: '/dev/ttyUSB2', source: { kind: 'env', detail: 'ESPTOOL_PORT' } },
      baud: { value: 230400, source: { kind: 'env', detail: 'ESPTOOL_BAUD' } },
    });
    const idf = readEnvOptions({ ESPTOOL_PORT: '/dev/ttyUSB2', ESPPORT: '/dev/ttyUSB1' });
    expect(idf.port?.source.detail).toBe('ESPPORT');
    // ESPTOOL_BAUD=1 would be refused, but no baud variable above it is set: it is read.
    expect(() => readEnvOptions({ ESPTOOL_BAUD: '1' })).toThrow(/ESPTOOL_BAUD="1"/);
    const all = readEnvOptions({
      ESPTOOL_BAUD: 'x',
      ESPBAUD: '921600',
      ESPFLASH_PORT: 'COM3',
      ESPTOOL_PORT: 'COM9',
    });
    expect(all.baud).toEqual({ value: 921600, source: { kind: 'env', detail: 'ESPBAUD' } });
    expect(all.port?.value).toBe('COM3');
  });

  it("reads the monitor's baud from ESPFLASH_MONITOR_BAUD, else idf.py's MONITORBAUD", () => {
    expect(readEnvOptions({ MONITORBAUD: '74880' }).monitorBaud).toEqual({
      value: 74880,
      source: { kind: 'env', detail: 'MONITORBAUD' },
    });
    const both = readEnvOptions({ MONITORBAUD: '74880', ESPFLASH_MONITOR_BAUD: '921600', ESPBAUD: '460800' });
    expect(both.monitorBaud?.value).toBe(921600);
    expect(both.baud?.value).toBe(460800);
    expect(() => readEnvOptions({ MONITORBAUD: 'fast' })).toThrow(/MONITORBAUD="fast"/);
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
