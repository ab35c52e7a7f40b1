// choosePort: which port `openDevice` talks to. A given URL port is taken as is; a given path is
// checked (not a regular file or directory) and looked up once in the port list for its USB kind;
// no port at all picks the likely Espressif board (a warning when several), else `port/none`.

import { stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { Logger } from '../logger.js';
import { listPorts, type PortInfo, type PortKind } from '../node/port-list.js';

/** What {@link choosePort} chose: the port, and its USB kind when it is a listed local port. */
export interface PortChoice {
  port: string;
  /** The listed port (USB ids, kind, description), or null for URL ports and unlisted paths. */
  info: PortInfo | null;
}

/** Lists the machine's serial ports (default: `listPorts`); injected by tests and embedders. */
export type PortLister = () => Promise<PortInfo[]>;

/** Options for {@link choosePort}. */
export interface ChoosePortOptions {
  /** The port asked for (`--port`, env, config); undefined: find the board. */
  port?: string | undefined;
  listPorts?: PortLister;
  /** Says which board was picked (info) or that several were found (warn). */
  logger?: Logger;
}

/** Ports to suggest in messages. */
function portList(ports: PortInfo[]): string {
  if (ports.length === 0) return 'no serial ports were found';
  return `ports found: ${ports.map((p) => `${p.path}${p.description ? ` (${p.description})` : ''}`).join(', ')}`;
}

/**
 * The port to use: the given one (URL ports need no USB lookup), else the one likely ESP board, else
 * `port/none` listing the ports and suggesting the virtual device. Lists the ports at most once.
 */
export async function choosePort(options: ChoosePortOptions = {}): Promise<PortChoice> {
  const given = options.port;
  if (given?.includes('://')) return { port: given, info: null };
  if (given !== undefined) await assertNotAFile(given);
  const ports = await (options.listPorts ?? listPorts)().catch(() => [] as PortInfo[]);
  if (given !== undefined) return { port: given, info: ports.find((p) => p.path === given) ?? null };
  const likely = ports.filter((p) => p.likelyEspressif);
  const pick = likely[0];
  if (pick) {
    if (likely.length > 1)
      options.logger?.warn(`several boards found; using ${pick.path} (pass --port to choose)`);
    else options.logger?.info(`Using ${pick.path}${pick.description ? ` (${pick.description})` : ''}`);
    return { port: pick.path, info: pick };
  }
  throw new UsageError('port/none', `No --port given and no ESP board found (${portList(ports)})`, {
    hint: 'Pass --port /dev/ttyUSB0 (or set ESPFLASH_PORT / the `port` config key); try `--port sim://esp32` for the virtual ESP32.',
    details: { ports: ports.map((p) => p.path) },
  });
}

/** The USB flags a port's kind implies (USB-OTG CDC, USB-Serial/JTAG); empty when unknown. */
export function usbFlags(kind: PortKind | undefined): { usbOtg?: boolean; usbJtagSerial?: boolean } {
  if (kind === undefined) return {};
  return { usbOtg: kind === 'usb-otg', usbJtagSerial: kind === 'usb-jtag-serial' };
}

/** A regular file or a directory given as --port is bad input (exit 2), not a failing device. */
async function assertNotAFile(port: string): Promise<void> {
  const st = await stat(port).catch(() => null);
  if (!st || !(st.isFile() || st.isDirectory())) return;
  throw new UsageError(
    'port/not-a-port',
    `--port ${port} is a ${st.isFile() ? 'regular file' : 'directory'}, not a serial port`,
    {
      hint: 'Pass --port with a serial device such as /dev/ttyUSB0 (`espflash list-ports` shows them), or sim://esp32.',
      details: { port },
    },
  );
}
