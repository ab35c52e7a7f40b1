// One entry point from a port spec string to a Transport: device paths and COM ports (serial),
// socket:// (raw TCP), rfc2217:// (Telnet + RFC 2217) and sim:// (the virtual ESP32).

import type { Clock } from '../core/session/clock.js';
import type { Transport } from '../core/session/transport.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../logger.js';
import { openRfc2217Transport } from './rfc2217-transport.js';
import { openSerialTransport } from './serial-transport.js';
import { openTcpTransport, type TcpTransportOptions } from './tcp-transport.js';

/** A parsed `--port` value. */
export type PortSpec =
  | { kind: 'serial'; path: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'rfc2217'; host: string; port: number }
  | { kind: 'sim'; url: string };

/** The accepted `--port` forms, for messages and help text. */
export const PORT_SPEC_FORMS = [
  '/dev/ttyUSB0 (any device path)',
  'COM3',
  'socket://host:port',
  'rfc2217://host:port',
  'sim://<chip>?flashSize=4MB',
] as const;

const PORT_HINT =
  'Fix --port (or the `port` config key, ESPFLASH_PORT / ESPPORT); `espflash list-ports` shows serial ports.';

function badSpec(spec: string, why: string): UsageError {
  return new UsageError(
    'port/bad-spec',
    `--port "${spec}" ${why}. Accepted forms: ${PORT_SPEC_FORMS.join(', ')}.`,
    {
      hint: PORT_HINT,
      details: { port: spec, accepted: [...PORT_SPEC_FORMS] },
    },
  );
}

function parseHostPort(spec: string, scheme: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw badSpec(spec, `is not a valid ${scheme}://host:port address`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw badSpec(spec, 'has no host');
  if (url.port === '') throw badSpec(spec, 'has no TCP port number');
  if (url.pathname !== '' && url.pathname !== '/')
    throw badSpec(spec, `has a path; ${scheme}:// takes only host:port`);
  const port = Number(url.port);
  if (port === 0) throw badSpec(spec, 'has TCP port 0');
  return { host, port };
}

/** Parse a `--port` value; rejects anything else with `port/bad-spec` listing the accepted forms. */
export function parsePortSpec(spec: string): PortSpec {
  const value = spec.trim();
  if (value === '') throw badSpec(spec, 'is empty');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'socket' || scheme === 'tcp') return { kind: 'tcp', ...parseHostPort(value, scheme) };
  if (scheme === 'rfc2217') return { kind: 'rfc2217', ...parseHostPort(value, scheme) };
  if (scheme === 'sim') return { kind: 'sim', url: value };
  if (scheme !== undefined) throw badSpec(spec, `uses an unknown scheme "${scheme}://"`);
  if (value.startsWith('/')) return { kind: 'serial', path: value };
  if (/^(\\\\\.\\)?COM\d+$/i.test(value)) return { kind: 'serial', path: value.toUpperCase() };
  if (/^(tty|cu\.)/.test(value)) throw badSpec(spec, `is not a full path (did you mean /dev/${value}?)`);
  throw badSpec(spec, 'is not a port');
}

/** Options for {@link openTransport}. */
export interface OpenTransportOptions {
  /** Initial baud rate (default 115200). */
  baud?: number;
  logger?: Logger;
  clock?: Clock;
  /** Raw TCP only: nudge delayed loader replies along (see {@link TcpTransportOptions.ackNudge}). */
  ackNudge?: boolean;
  /** Raw TCP only: pace long writes once the link rate is known (see {@link TcpTransportOptions.pace}). */
  pace?: boolean;
}

/**
 * Open the transport a `--port` value names. Serial errors are the coded `port/*` errors of
 * {@link openSerialTransport}; TCP ones those of the socket transports.
 */
export async function openTransport(spec: string, options: OpenTransportOptions = {}): Promise<Transport> {
  const parsed = parsePortSpec(spec);
  const common = {
    ...(options.baud === undefined ? {} : { baud: options.baud }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  };
  switch (parsed.kind) {
    case 'serial':
      return openSerialTransport({ path: parsed.path, ...common });
    case 'tcp':
      return openTcpTransport({
        host: parsed.host,
        port: parsed.port,
        ...common,
        ...(options.ackNudge ? { ackNudge: true } : {}),
        ...(options.pace ? { pace: true } : {}),
      });
    case 'rfc2217':
      return openRfc2217Transport({ host: parsed.host, port: parsed.port, ...common });
    case 'sim':
      return openSimTransport(parsed.url, common);
  }
}

/**
 * The virtual ESP32 (loaded on demand): `sim://<chip>?flashSize=4MB&flashFile=f.bin&fault=…&id=x`.
 * Opens go through the sim registry: the same URL (or `id=`) reaches the same chip, like a port path.
 */
async function openSimTransport(url: string, options: OpenTransportOptions): Promise<Transport> {
  const { openSimUrl } = await import('../sim/sim-registry.js');
  const transport = openSimUrl(url, options.clock ? { clock: options.clock } : {});
  // Like a serial port opened at --baud: the host side starts there; the chip's ROM is at 115200.
  if (options.baud !== undefined && options.baud !== transport.baudRate)
    await transport.setBaudRate(options.baud);
  return transport;
}
