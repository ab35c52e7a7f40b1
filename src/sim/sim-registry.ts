// The process-wide registry behind `sim://` ports: opening the same URL (or the same `id=`) reaches
// the same virtual chip, like a serial port path reaches the same board. It also plays the USB side
// of a disconnect fault: the port is missing while the device re-enumerates, busy while held open.

import { type Clock, realClock } from '../core/session/clock.js';
import { EspflashError, UsageError } from '../errors.js';
import { formatFaults } from './fault-spec.js';
import type { FlashFileBinding } from './flash-file.js';
import { parseSimUrl, splitSimUrl, VOLATILE_SIM_PARAMS } from './sim-options.js';
import { createVirtualChip, InProcessSimTransport, type SimTransport } from './sim-transport.js';
import type { VirtualChip } from './virtual-chip.js';

interface Entry {
  device: VirtualChip;
  flashFile: FlashFileBinding | null;
  /** The creating URL's non-volatile parameters, for conflict checks on `id=` re-opens. */
  params: Map<string, string>;
  /** Canonical faults + seed of the creating URL. */
  faults: string;
  /** Named with `id=`: kept until {@link resetSimRegistry}. */
  pinned: boolean;
  open: InProcessSimTransport | null;
  lost: boolean;
}

const entries = new Map<string, Entry>();

/** Makes the clock of a chip created without one (see {@link setSimRegistryClock}). */
let newChipClock: () => Clock = () => realClock;

/**
 * Time base for chips the registry creates when the opener names no clock (default: the host's real
 * clock). Tests pass `() => new VirtualClock()` so that `sim://` ports opened through the CLI in the
 * same process reset, sync and time out on virtual time; `null` restores the real clock. A port's
 * transport reports its chip's clock (`transport.linkClock`), and `openDevice` connects on it.
 */
export function setSimRegistryClock(factory: (() => Clock) | null): void {
  newChipClock = factory ?? (() => realClock);
}

/**
 * The registry key of a sim:// URL: `id:<id>` when it has `id=`, else the chip plus its parameters
 * without the volatile ones (`fault`, `seed`), sorted. Throws the URL's `sim/bad-*` errors.
 */
export function simRegistryKey(url: string): string {
  const { chip, params } = splitSimUrl(url);
  const id = params.find(([k]) => k === 'id')?.[1];
  if (id !== undefined) return `id:${id}`;
  const kept = params.filter(([k]) => !VOLATILE_SIM_PARAMS.includes(k)).sort(([a], [b]) => (a < b ? -1 : 1));
  return `sim://${chip}${kept.length ? `?${new URLSearchParams(kept).toString()}` : ''}`;
}

/** Options for {@link openSimUrl}. */
export interface OpenSimUrlOptions {
  /** Clock for a newly created chip and for this transport's read timeouts (default: the chip's). */
  clock?: Clock;
}

/**
 * Open an in-process transport to the chip a sim:// URL names, creating it on first use.
 *
 * A chip stays registered while a transport is open on it, while it waits to be reopened after a
 * disconnect fault, or for good when named with `id=` (until {@link resetSimRegistry}); otherwise
 * closing its last transport closes it (and saves its flash file).
 *
 * Throws `port/not-found` while the port is gone after a disconnect fault, `port/busy` while another
 * transport holds it, `sim/id-conflict` when the URL asks for a different chip, flash or faults than
 * the registered one, and the URL's own `sim/bad-*` errors.
 */
export function openSimUrl(url: string, options: OpenSimUrlOptions = {}): SimTransport {
  const simOptions = parseSimUrl(url);
  const key = simRegistryKey(url);
  const { chip, params } = splitSimUrl(url);
  const faults = faultSignature(simOptions.faults);
  let entry = entries.get(key);
  if (entry) {
    checkSame(entry, { url, chip, params, faults });
    if (entry.device.usb.unplugged) throw notFound(url);
    if (entry.open && !entry.lost) throw busy(url);
    entry.device.replug();
  } else {
    const created = createVirtualChip({ ...simOptions, clock: options.clock ?? newChipClock() });
    entry = {
      ...created,
      params: new Map(params.filter(([k]) => !VOLATILE_SIM_PARAMS.includes(k) && k !== 'id')),
      faults,
      pinned: simOptions.id !== undefined,
      open: null,
      lost: false,
    };
    entries.set(key, entry);
  }
  const held = entry;
  const transport: InProcessSimTransport = new InProcessSimTransport({
    device: held.device,
    flashFile: held.flashFile,
    clock: options.clock ?? held.device.timing.clock,
    description: `sim://${held.device.chip.name}`,
    onClose: () => release(key, held, transport),
  });
  held.open = transport;
  held.lost = false;
  const stop = held.device.usb.onUnplug(() => {
    if (held.open === transport) held.lost = true;
    stop();
  });
  return transport;
}

/** Close every registered chip (and its open transport) and forget them all. For tests. */
export function resetSimRegistry(): void {
  for (const entry of entries.values()) {
    void entry.open?.close();
    entry.device.close();
    entry.flashFile?.close();
  }
  entries.clear();
}

/** Number of registered chips (for tests). */
export function simRegistrySize(): number {
  return entries.size;
}

function release(key: string, entry: Entry, transport: InProcessSimTransport): void {
  if (entry.open !== transport) return;
  entry.open = null;
  entry.lost = false;
  entry.device.attachHost(null);
  if (entries.get(key) !== entry) return;
  if (entry.pinned || entry.device.usb.awaitingReplug) {
    entry.flashFile?.save();
    return;
  }
  entries.delete(key);
  entry.device.close();
  entry.flashFile?.close();
}

function faultSignature(faults: Parameters<typeof formatFaults>[0] | undefined): string {
  if (!faults) return '';
  return [...formatFaults(faults), ...(faults.seed === undefined ? [] : [`seed=${faults.seed}`])].join(',');
}

function checkSame(
  entry: Entry,
  asked: { url: string; chip: string; params: Array<[string, string]>; faults: string },
): void {
  const conflict = (what: string) =>
    new UsageError(
      'sim/id-conflict',
      `${asked.url} asks for ${what} than the virtual chip already open under that name`,
      {
        hint: 'Use another id= in the sim:// --port URL (or the same parameters as the first open); tests can call resetSimRegistry().',
        details: { url: asked.url },
      },
    );
  if (asked.chip !== entry.device.chip.name) throw conflict(`a different chip (${asked.chip})`);
  for (const [k, v] of asked.params) {
    if (VOLATILE_SIM_PARAMS.includes(k) || k === 'id') continue;
    if (entry.params.get(k) !== v) throw conflict(`a different ${k}`);
  }
  if (asked.faults !== '' && asked.faults !== entry.faults) throw conflict('different faults');
}

function notFound(url: string): UsageError {
  return new UsageError(
    'port/not-found',
    `Serial port ${url} does not exist (the device is re-enumerating).`,
    {
      hint: 'Pass an existing port with --port (or the `port` config key / ESPFLASH_PORT); wait for the board to come back and retry.',
      details: { port: url, available: [] },
    },
  );
}

function busy(url: string): EspflashError {
  return new EspflashError(
    'port/busy',
    `Serial port ${url} is in use by another transport in this process.`,
    {
      hint: 'Close the other transport on this --port first, or use another sim:// id=.',
      details: { port: url, holders: [] },
    },
  );
}
