// Getting back to the chip in the middle of a flash: try the open port first (reset, sync, stub),
// else close it and poll for the port to come back with a bounded backoff (USB re-enumeration), and
// step the baud down a rung when the write path asked for it.

import type { Connection, ConnectOptions } from '../core/connect/connect.js';
import { connect } from '../core/connect/connect.js';
import { type PreparedFlash, prepareFlash } from '../core/ops/prepare-flash.js';
import type { Transport } from '../core/session/transport.js';
import { parseBeforeReset } from '../core/settings.js';
import type { ReconnectRequest } from '../core/write/write-region.js';
import { isEspflashError, isPortGone } from '../errors.js';

/** The ROM loader's baud after a reset. */
const ROM_BAUD = 115200;

/** Bauds to step down through after repeated transfer errors. */
export const BAUD_LADDER = [921600, 460800, 230400, 115200] as const;

/** The next rung below `baud`, or null at the bottom. */
export function lowerBaud(baud: number): number | null {
  return BAUD_LADDER.find((b) => b < baud) ?? null;
}

/** How hard to try to reach the chip again (all optional). */
export interface ReconnectPolicy {
  /** Port reopen attempts (default 8). */
  attempts?: number;
  /** First pause before reopening, doubled each time (default 250 ms). */
  initialDelayMs?: number;
  /** Longest pause (default 4000 ms). */
  maxDelayMs?: number;
}

/** What a reconnect produced. */
export interface Reconnected {
  loader: Connection;
  flash: PreparedFlash;
}

/** Whether connecting over `transport` starts with a reset (the chip then runs its ROM at 115200). */
function resetsChip(c: Omit<ConnectOptions, 'transport' | 'baud'>, transport: Transport): boolean {
  const before = parseBeforeReset(c.before ?? 'default_reset');
  if (before === 'no_reset' || before === 'no_reset_no_sync') return false;
  return transport.capabilities.modemLines;
}

/** Options for {@link createReconnector}. */
export interface ReconnectorOptions {
  /** Connect options of the first connect (transport and baud are replaced). */
  connect: Omit<ConnectOptions, 'transport' | 'baud'>;
  /** The baud asked for (undefined: stay at 115200). */
  baud: number | undefined;
  /** SPI_SET_PARAMS size the user gave, if any. */
  sizeBytes: number | undefined;
  /** Open the port again; null when it cannot be reopened (a transport handed in without a way back). */
  reopen: (() => Promise<Transport>) | null;
  policy?: ReconnectPolicy;
}

/** Returns `reconnect(current, request)`, which resolves with a fresh loader or throws the last error. */
export function createReconnector(
  options: ReconnectorOptions,
): (current: Connection, request: ReconnectRequest) => Promise<Reconnected> {
  let target = options.baud;
  const attempts = options.policy?.attempts ?? 8;
  const first = options.policy?.initialDelayMs ?? 250;
  const max = options.policy?.maxDelayMs ?? 4000;
  const c = options.connect;
  const clock = c.clock;
  /** Baud the chip's UART was last switched to (the stub keeps it until the chip resets). */
  let lastBaud = ROM_BAUD;
  const connectAt = async (transport: Transport, baud: number): Promise<Reconnected> => {
    if (transport.baudRate !== baud && transport.capabilities.baudRate) await transport.setBaudRate(baud);
    const loader = await connect({ ...c, transport, ...(target === undefined ? {} : { baud: target }) });
    const flash = await prepareFlash(
      loader,
      options.sizeBytes === undefined ? {} : { sizeBytes: options.sizeBytes },
    );
    return { loader, flash };
  };
  const attach = async (transport: Transport): Promise<Reconnected> => {
    // A reset lands in the ROM at 115200; without one a running stub still listens at the last baud.
    const order = resetsChip(c, transport) ? [ROM_BAUD, lastBaud] : [lastBaud, ROM_BAUD];
    const bauds = transport.capabilities.baudRate ? [...new Set(order)] : [transport.baudRate];
    let lastError: unknown = null;
    for (const baud of bauds) {
      try {
        return await connectAt(transport, baud);
      } catch (err) {
        if (c.signal?.aborted || !isEspflashError(err) || !/^(connect|timeout|stub)\//.test(err.code))
          throw err;
        lastError = err;
      }
    }
    throw lastError;
  };
  return async (current, request) => {
    lastBaud = current.baud;
    if (request.lowerBaud) {
      // Step down from the baud in use (over raw TCP that may be below the one asked for).
      const next = lowerBaud(current.baud);
      if (next !== null) {
        target = next;
        c.onEvent?.({
          type: 'warning',
          code: 'flash/baud-lowered',
          message: `Repeated transfer errors: continuing at ${next} baud`,
        });
      }
    }
    let lastError: unknown = request.error;
    // The port may still be there (chip reset into its ROM at 115200, stub out of step, a silent
    // chip): reset and sync over it first. Only a port that is gone needs closing and reopening;
    // closing a port that still works can cost more than the chip (a sim:// chip goes with it).
    if (!isPortGone(request.error)) {
      try {
        return await attach(current.transport);
      } catch (err) {
        if (c.signal?.aborted) throw err;
        lastError = err;
      }
    }
    await current.close().catch(() => {});
    if (options.reopen === null) throw lastError;
    let delay = first;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      c.signal?.throwIfAborted();
      if (clock) await clock.sleep(delay, c.signal);
      else await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(max, delay * 2);
      let transport: Transport;
      try {
        transport = await options.reopen();
      } catch (err) {
        // Not there yet (USB re-enumerating) or busy: wait and poll again.
        if (!isEspflashError(err)) throw err;
        lastError = err;
        continue;
      }
      try {
        return await attach(transport);
      } catch (err) {
        await transport.close().catch(() => {});
        if (c.signal?.aborted) throw err;
        lastError = err;
      }
    }
    throw lastError;
  };
}
