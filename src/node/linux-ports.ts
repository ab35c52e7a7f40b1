// Linux fallback for port listing when `udevadm` is missing (containers, minimal images):
// serial ttys from /sys/class/tty, with USB ids read from the sysfs USB device above each one.

import { readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RawPortInfo } from './port-list.js';

/** tty names worth listing: USB serial, CDC-ACM, SoC UARTs (no legacy ttyS*, there are dozens). */
const SERIAL_TTY = /^(ttyUSB|ttyACM|ttyAMA|ttyWCH|ttyXRUSB|rfcomm)\d+$/;

async function readAttr(dir: string, name: string): Promise<string | undefined> {
  const value = await readFile(join(dir, name), 'utf8').catch(() => undefined);
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Walk up from a tty's device directory to the USB device that carries idVendor (at most 4 levels). */
async function usbDeviceDir(start: string): Promise<string | undefined> {
  let dir = start;
  for (let i = 0; i < 4 && dir !== '/'; i++) {
    if (await readAttr(dir, 'idVendor')) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * List serial ports from sysfs. `sysRoot` (default `/sys`) and `devRoot` (default `/dev`) exist
 * for tests. Returns an empty list when sysfs is not readable.
 */
export async function listLinuxSysfsPorts(
  options: { sysRoot?: string; devRoot?: string } = {},
): Promise<RawPortInfo[]> {
  const ttyRoot = join(options.sysRoot ?? '/sys', 'class', 'tty');
  const devRoot = options.devRoot ?? '/dev';
  const names = await readdir(ttyRoot).catch(() => [] as string[]);
  const ports: RawPortInfo[] = [];
  for (const name of names.filter((n) => SERIAL_TTY.test(n))) {
    const port: RawPortInfo = { path: join(devRoot, name) };
    const device = await realpath(join(ttyRoot, name, 'device')).catch(() => undefined);
    const usb = device ? await usbDeviceDir(device) : undefined;
    if (usb) {
      port.vendorId = await readAttr(usb, 'idVendor');
      port.productId = await readAttr(usb, 'idProduct');
      port.manufacturer = await readAttr(usb, 'manufacturer');
      port.serialNumber = await readAttr(usb, 'serial');
    }
    ports.push(port);
  }
  return ports;
}
