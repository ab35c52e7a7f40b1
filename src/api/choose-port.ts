// choosePort: which port `openDevice` talks to. A given URL port is taken as is; a given path is
// checked (not a regular file or directory) and looked up once in the port list for its USB kind;
// no port at all picks the likely Espressif board. Several boards: the one remembered for this
// project, else the caller's prompt asks (and the answer is remembered), else `port/ambiguous`.

import { stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { Logger } from '../logger.js';
import { listPorts, type PortInfo, type PortKind } from '../node/port-list.js';
import type { PortMemory } from '../node/port-memory.js';

export type { PortMemory } from '../node/port-memory.js';

/** What {@link choosePort} chose: the port, and its USB kind when it is a listed local port. */
export interface PortChoice {
  port: string;
  /** The listed port (USB ids, kind, description), or null for URL ports and unlisted paths. */
  info: PortInfo | null;
}

/** Lists the machine's serial ports (default: `listPorts`); injected by tests and embedders. */
export type PortLister = () => Promise<PortInfo[]>;

/**
 * Asks which of several likely boards to use (the CLI: a numbered list in a terminal). Resolves with
 * one of `candidates`, or null to refuse (then `port/ambiguous`). `signal` aborts the question.
 */
export type PortPrompt = (
  candidates: readonly PortInfo[],
  options: { signal?: AbortSignal | undefined },
) => Promise<PortInfo | null>;

/** Options for {@link choosePort}. */
export interface ChoosePortOptions {
  /** The port asked for (`--port`, env, config); undefined: find the board. */
  port?: string | undefined;
  listPorts?: PortLister;
  /** Says which board was picked (info). */
  logger?: Logger;
  /** Asks the user when several boards are plugged in; absent: refuse with `port/ambiguous`. */
  prompt?: PortPrompt;
  /** The board remembered for this project: used without asking when it is among the candidates. */
  memory?: PortMemory;
  /** Aborts a pending prompt. */
  signal?: AbortSignal;
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
  if (likely.length > 1) return chooseAmong(likely, options);
  const pick = likely[0];
  if (pick) {
    options.logger?.info(`Using ${pick.path}${pick.description ? ` (${pick.description})` : ''}`);
    return { port: pick.path, info: pick };
  }
  throw new UsageError('port/none', `No --port given and no ESP board found (${portList(ports)})`, {
    hint: 'Pass --port /dev/ttyUSB0 (or set ESPFLASH_PORT / the `port` config key); try `--port sim://esp32` for the virtual ESP32.',
    details: { ports: ports.map((p) => p.path) },
  });
}

/** Several likely boards: the remembered one, else the prompt's answer (remembered), else `port/ambiguous`. */
async function chooseAmong(likely: PortInfo[], options: ChoosePortOptions): Promise<PortChoice> {
  const remembered = await options.memory?.recall().catch(() => null);
  const known = likely.find((p) => p.path === remembered);
  if (known) {
    options.logger?.info(`Using ${known.path} (remembered for this project; --port to change)`);
    return { port: known.path, info: known };
  }
  const picked = options.prompt ? await options.prompt(likely, { signal: options.signal }) : null;
  if (picked) {
    await options.memory?.remember(picked.path);
    options.logger?.info(`Using ${picked.path} (remembered for this project; --port to change)`);
    return { port: picked.path, info: picked };
  }
  throw new UsageError(
    'port/ambiguous',
    `Several ESP boards are plugged in and no --port was given (${portList(likely)})`,
    {
      hint: `Pass --port ${likely[0]!.path} (or set ESPFLASH_PORT / the \`port\` config key) to choose one; run in a terminal to be asked once per project.`,
      details: { ports: likely.map((p) => ({ path: p.path, description: p.description ?? null })) },
    },
  );
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
