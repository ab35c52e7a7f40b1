// Mapping of raw open errors to coded port errors, and the /proc scan that names a busy port's holder.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { findPortHolders, isNoModemLinesError, mapOpenError } from '../../src/node/transport-errors.js';

const errno = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('mapOpenError', () => {
  it('port/not-found lists the ports that exist', async () => {
    const err = await mapOpenError({
      path: '/dev/ttyUSB7',
      error: new Error('Error: No such file or directory, cannot open /dev/ttyUSB7'),
      listPaths: async () => ['/dev/ttyACM0', '/dev/ttyUSB0'],
    });
    expect(err).toBeInstanceOf(UsageError);
    expect(err.code).toBe('port/not-found');
    expect(err.message).toContain('/dev/ttyUSB7');
    expect(err.message).toContain('/dev/ttyACM0, /dev/ttyUSB0');
    expect(err.details.available).toEqual(['/dev/ttyACM0', '/dev/ttyUSB0']);
    expect(err.hint).toContain('--port');
  });

  it('port/not-found says so when no ports exist, even if listing fails', async () => {
    const err = await mapOpenError({
      path: 'COM9',
      error: errno('File not found', 'ENOENT'),
      listPaths: async () => {
        throw new Error('udevadm missing');
      },
    });
    expect(err.code).toBe('port/not-found');
    expect(err.message).toContain('No serial ports were found');
  });

  it('port/permission-denied names the dialout group and the usermod command on Linux', async () => {
    const err = await mapOpenError({
      path: '/dev/ttyUSB0',
      error: new Error('Error: Permission denied, cannot open /dev/ttyUSB0'),
      platform: 'linux',
    });
    expect(err.code).toBe('port/permission-denied');
    expect(err.exitCode).toBe(1);
    expect(err.hint).toContain('dialout');
    expect(err.hint).toContain('sudo usermod -aG dialout $USER');
  });

  it('port/busy names the holders it finds, or another program otherwise', async () => {
    const named = await mapOpenError({
      path: '/dev/ttyUSB0',
      error: new Error('Error Resource temporarily unavailable Cannot lock port'),
      findHolders: async () => [{ pid: 4242, command: 'minicom' }],
    });
    expect(named.code).toBe('port/busy');
    expect(named.message).toContain('minicom (pid 4242)');
    const windows = await mapOpenError({
      path: 'COM3',
      error: new Error('Opening COM3: Access denied'),
      platform: 'win32',
    });
    expect(windows.code).toBe('port/busy');
    expect(windows.message).toContain('another program');
  });

  it('falls back to port/open-failed with the original message', async () => {
    const err = await mapOpenError({ path: '/dev/ttyUSB0', error: new Error('Input/output error') });
    expect(err.code).toBe('port/open-failed');
    expect(err.message).toContain('Input/output error');
  });
});

describe('isNoModemLinesError', () => {
  it('recognises ENOTTY/EINVAL by code or by serialport message', () => {
    expect(isNoModemLinesError(new Error('Inappropriate ioctl for device, cannot set'))).toBe(true);
    expect(isNoModemLinesError(errno('x', 'EINVAL'))).toBe(true);
    expect(isNoModemLinesError(new Error('Input/output error'))).toBe(false);
  });
});

describe('findPortHolders', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('finds processes whose fd symlinks point at the device (through a symlinked path)', async () => {
    root = mkdtempSync(join(tmpdir(), 'espflash-proc-'));
    const device = join(root, 'ttyFAKE0');
    writeFileSync(device, '');
    const link = join(root, 'by-id-link');
    symlinkSync(device, link);
    const proc = join(root, 'proc');
    for (const [pid, fds, comm] of [
      ['101', { '3': device, '4': '/dev/null' }, 'screen\n'],
      ['202', { '0': '/dev/null' }, 'bash\n'],
      ['303', { '7': device }, null],
    ] as const) {
      mkdirSync(join(proc, pid, 'fd'), { recursive: true });
      for (const [fd, target] of Object.entries(fds)) symlinkSync(target, join(proc, pid, 'fd', fd));
      if (comm) writeFileSync(join(proc, pid, 'comm'), comm);
    }
    mkdirSync(join(proc, 'self'));
    const holders = await findPortHolders(link, { procRoot: proc });
    expect(holders.sort((a, b) => a.pid - b.pid)).toEqual([
      { pid: 101, command: 'screen' },
      { pid: 303, command: null },
    ]);
  });

  it('returns nothing for a path that does not exist', async () => {
    expect(await findPortHolders('/dev/espflash-none')).toEqual([]);
  });
});
