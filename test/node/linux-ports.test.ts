// The sysfs port listing (fallback without udevadm) against a fake /sys tree.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listLinuxSysfsPorts } from '../../src/node/linux-ports.js';

describe('listLinuxSysfsPorts', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  function device(path: string, attrs: Record<string, string> = {}): string {
    const dir = join(root!, 'sys', 'devices', path);
    mkdirSync(dir, { recursive: true });
    for (const [k, v] of Object.entries(attrs)) writeFileSync(join(dir, k), `${v}\n`);
    return dir;
  }

  function tty(name: string, target?: string): void {
    const dir = join(root!, 'sys', 'class', 'tty', name);
    mkdirSync(dir, { recursive: true });
    if (target) symlinkSync(target, join(dir, 'device'));
  }

  it('lists USB and SoC serial ttys with the USB ids found above them', async () => {
    root = mkdtempSync(join(tmpdir(), 'espflash-sys-'));
    device('usb1/1-1', { idVendor: '10c4', idProduct: 'ea60', manufacturer: 'Silicon Labs', serial: '0001' });
    tty('ttyUSB0', device('usb1/1-1/1-1:1.0/ttyUSB0'));
    device('usb1/1-2', { idVendor: '303a', idProduct: '1001' });
    tty('ttyACM0', device('usb1/1-2/1-2:1.0'));
    tty('ttyAMA0', device('platform/fe201000.serial'));
    tty('ttyS0', device('platform/serial8250'));
    tty('tty1');

    const ports = await listLinuxSysfsPorts({ sysRoot: join(root, 'sys'), devRoot: '/dev' });
    expect(ports.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      {
        path: '/dev/ttyACM0',
        vendorId: '303a',
        productId: '1001',
        manufacturer: undefined,
        serialNumber: undefined,
      },
      { path: '/dev/ttyAMA0' },
      {
        path: '/dev/ttyUSB0',
        vendorId: '10c4',
        productId: 'ea60',
        manufacturer: 'Silicon Labs',
        serialNumber: '0001',
      },
    ]);
  });

  it('returns an empty list when sysfs is missing', async () => {
    expect(await listLinuxSysfsPorts({ sysRoot: '/nonexistent-espflash-sys' })).toEqual([]);
  });
});
