// Serial port discovery: SerialPort.list() classified by USB VID:PID (Espressif native USB, the
// usual USB-UART bridges on ESP boards) and ranked so the most likely ESP device comes first.

import { CHIPS } from '../chips/chips.js';
import { EspflashError } from '../errors.js';
import { listLinuxSysfsPorts } from './linux-ports.js';
import { loadSerialPort } from './serialport-loader.js';

/** What a port is, judged from its USB ids. */
export type PortKind = 'usb-jtag-serial' | 'usb-otg' | 'usb-uart' | 'other';

/** One serial port, classified. */
export interface PortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  /** Lower-case hex, 4 digits (`303a`). */
  vendorId?: string;
  /** Lower-case hex, 4 digits (`1001`). */
  productId?: string;
  kind: PortKind;
  /** True for Espressif's own USB and for bridges commonly found on ESP boards. */
  likelyEspressif: boolean;
  /** Chip name when the ids imply it (ROM USB-OTG PIDs): `esp32s3`. */
  chipHint?: string;
  /** A short human description of the USB interface: `CP210x USB-UART bridge`. */
  description?: string;
}

/** The fields of a raw `SerialPort.list()` entry that matter here. */
export interface RawPortInfo {
  path: string;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
}

const ESPRESSIF_VID = '303a';
const USB_JTAG_SERIAL_PID = '1001';

/** Known USB-UART bridges on ESP boards, by `vid:pid` (lower-case hex). */
const UART_BRIDGES: Record<string, string> = {
  '10c4:ea60': 'CP210x USB-UART bridge',
  '1a86:7523': 'CH340 USB-UART bridge',
  '1a86:55d4': 'CH9102 USB-UART bridge',
  '0403:6001': 'FTDI FT232R USB-UART bridge',
  '0403:6010': 'FTDI FT2232 USB-UART bridge',
  '0403:6014': 'FTDI FT232H USB-UART bridge',
};

function normaliseId(id: string | undefined): string | undefined {
  if (id === undefined || id.trim() === '') return undefined;
  const cleaned = id.trim().toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{1,4}$/.test(cleaned) ? cleaned.padStart(4, '0') : undefined;
}

/** Classify one raw port entry (ids compared case-insensitively). */
export function classifyPort(raw: RawPortInfo): PortInfo {
  const vendorId = normaliseId(raw.vendorId);
  const productId = normaliseId(raw.productId);
  const info: PortInfo = { path: raw.path, kind: 'other', likelyEspressif: false };
  if (raw.manufacturer) info.manufacturer = raw.manufacturer;
  if (raw.serialNumber) info.serialNumber = raw.serialNumber;
  if (vendorId) info.vendorId = vendorId;
  if (productId) info.productId = productId;

  if (vendorId === ESPRESSIF_VID) {
    info.likelyEspressif = true;
    if (productId === USB_JTAG_SERIAL_PID) {
      info.kind = 'usb-jtag-serial';
      info.description = 'Espressif USB-Serial/JTAG';
    } else {
      info.kind = 'usb-otg';
      const chip = CHIPS.find(
        (c) => c.usbOtgPid !== null && normaliseId(c.usbOtgPid.toString(16)) === productId,
      );
      if (chip) {
        info.chipHint = chip.name;
        info.description = `${chip.displayName} ROM USB-OTG (download mode)`;
      } else {
        info.description = 'Espressif USB (app CDC)';
      }
    }
    return info;
  }
  const bridge = vendorId && productId ? UART_BRIDGES[`${vendorId}:${productId}`] : undefined;
  if (bridge) {
    info.kind = 'usb-uart';
    info.likelyEspressif = true;
    info.description = bridge;
  }
  return info;
}

const KIND_RANK: Record<PortKind, number> = { 'usb-jtag-serial': 0, 'usb-otg': 1, 'usb-uart': 2, other: 3 };

/** Natural order for paths: ttyUSB2 before ttyUSB10, COM3 before COM10. */
function comparePaths(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}

/** Sort most-likely-ESP first: USB-Serial/JTAG, ROM USB-OTG, known bridges, then the rest; by path within a kind. */
export function rankPorts(ports: PortInfo[]): PortInfo[] {
  return [...ports].sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind] || comparePaths(a.path, b.path));
}

/** Options for {@link listPorts}. */
export interface ListPortsOptions {
  /** Replaces `SerialPort.list` (tests, other backends). */
  list?: () => Promise<RawPortInfo[]>;
  /** Used when `list` fails (default on Linux: read /sys/class/tty, for systems without udevadm). */
  fallback?: () => Promise<RawPortInfo[]>;
}

/**
 * List serial ports, classified and ranked (see {@link rankPorts}). Fails with `port/list-failed`
 * (or `port/serialport-unavailable` when serialport did not load) only when both the serialport
 * listing and the fallback fail.
 */
export async function listPorts(options: ListPortsOptions = {}): Promise<PortInfo[]> {
  const list = options.list ?? (async () => (await loadSerialPort()).SerialPort.list());
  const fallback =
    options.fallback ?? (process.platform === 'linux' ? () => listLinuxSysfsPorts() : undefined);
  let raw: RawPortInfo[];
  try {
    raw = await list();
  } catch (err) {
    if (!fallback) throw listFailed(err);
    try {
      raw = await fallback();
    } catch {
      throw listFailed(err);
    }
  }
  return rankPorts(raw.map(classifyPort));
}

function listFailed(cause: unknown): EspflashError {
  // Without serialport the reason and its hint (other kinds of port) say more than "list failed".
  if (cause instanceof EspflashError && cause.code === 'port/serialport-unavailable') return cause;
  const why = cause instanceof Error ? cause.message : String(cause);
  return new EspflashError('port/list-failed', `Could not list serial ports: ${why}`, {
    hint: 'Name the port directly with --port (e.g. /dev/ttyUSB0 or COM3); on Linux, listing uses udevadm or /sys/class/tty.',
    cause,
  });
}
