// Reset sequences as data (PROTOCOL.md §4.1–§4.5): the `D0|R1|W100|D1|R0|W50|D0` mini-language,
// the built-in bootloader-entry and after-operation strategies, and a runner that always sets DTR+RTS together.

import { UsageError } from '../../errors.js';
import type { Clock } from '../session/clock.js';
import type { ModemSignals, Transport } from '../session/transport.js';

/** One step: set one or both lines (the other keeps its value), or wait. */
export type ResetStep = { kind: 'set'; dtr?: boolean; rts?: boolean } | { kind: 'wait'; ms: number };

/** A named sequence. */
export interface ResetStrategy {
  /** For events and messages: `unix-tight(50)`, `classic(550)`, `usb-jtag-serial`, `custom`. */
  name: string;
  steps: readonly ResetStep[];
}

/** Longest wait a custom sequence may contain. */
export const MAX_RESET_WAIT_MS = 10_000;
/** Extra-delay variant of the bootloader-entry strategies. */
export const RESET_DELAY_MS = 50;
export const RESET_EXTRA_DELAY_MS = 550;

const SEQUENCE_HINT =
  'fix `reset.sequence` in espflash.config.* or --reset-sequence: tokens are D0/D1 (DTR), R0/R1 (RTS), ' +
  'U<dtr>,<rts> (both at once), W<ms> or W<seconds with a dot> (W0.1), separated by |';

function badToken(text: string, token: string, index: number, why: string): UsageError {
  return new UsageError(
    'reset/bad-sequence',
    `Bad reset sequence token "${token}" (#${index + 1}) in "${text}": ${why}`,
    {
      hint: SEQUENCE_HINT,
      details: { sequence: text, token, index },
    },
  );
}

function parseBit(s: string | undefined): boolean | null {
  return s === '0' ? false : s === '1' ? true : null;
}

/**
 * Parse the custom reset mini-language. `D0`/`D1` set DTR, `R0`/`R1` set RTS, `U0,1` sets DTR and RTS
 * at once, `W100` waits 100 ms and `W0.1` (a decimal point: esptool's seconds form) waits 0.1 s.
 * Throws `reset/bad-sequence` (a UsageError) naming the bad token.
 */
export function parseResetSequence(text: string): ResetStep[] {
  const tokens = text.split('|').map((t) => t.trim());
  if (text.trim() === '') throw badToken(text, '', 0, 'the sequence is empty');
  return tokens.map((token, i) => {
    const kind = token.charAt(0).toUpperCase();
    const arg = token.slice(1);
    if (kind === 'D' || kind === 'R') {
      const bit = parseBit(arg);
      if (bit === null) throw badToken(text, token, i, `${kind} takes 0 or 1`);
      return kind === 'D' ? { kind: 'set', dtr: bit } : { kind: 'set', rts: bit };
    }
    if (kind === 'U') {
      const [d, r, extra] = arg.split(',');
      const dtr = parseBit(d?.trim());
      const rts = parseBit(r?.trim());
      if (dtr === null || rts === null || extra !== undefined) {
        throw badToken(text, token, i, 'U takes two bits: U<dtr>,<rts>');
      }
      return { kind: 'set', dtr, rts };
    }
    if (kind === 'W') {
      if (!/^\d+(\.\d+)?$/.test(arg) && !/^\.\d+$/.test(arg)) {
        throw badToken(text, token, i, 'W takes a non-negative number (ms, or seconds with a dot)');
      }
      const ms = arg.includes('.') ? Math.round(Number(arg) * 1000) : Number(arg);
      if (ms > MAX_RESET_WAIT_MS)
        throw badToken(text, token, i, `waits are limited to ${MAX_RESET_WAIT_MS} ms`);
      return { kind: 'wait', ms };
    }
    throw badToken(text, token, i, token === '' ? 'empty token' : `unknown command "${token.charAt(0)}"`);
  });
}

/** Render steps back to the mini-language (`U` for two-line steps, `W` in ms). */
export function formatResetSequence(steps: readonly ResetStep[]): string {
  return steps
    .map((s) => {
      if (s.kind === 'wait') return `W${s.ms}`;
      if (s.dtr !== undefined && s.rts !== undefined) return `U${+s.dtr},${+s.rts}`;
      return s.dtr !== undefined ? `D${+s.dtr}` : `R${+(s.rts ?? false)}`;
    })
    .join('|');
}

function strategy(name: string, text: string): ResetStrategy {
  return { name, steps: parseResetSequence(text) };
}

/** Classic reset: IO0 high, EN low, 100 ms, IO0 low + EN high, `delayMs`, IO0 high. */
export function classicReset(delayMs = RESET_DELAY_MS): ResetStrategy {
  return strategy(`classic(${delayMs})`, `D0|R1|W100|D1|R0|W${delayMs}|D0`);
}

/** Unix "tight" reset: both lines in each step, passing through (1,1). */
export function unixTightReset(delayMs = RESET_DELAY_MS): ResetStrategy {
  return strategy(`unix-tight(${delayMs})`, `U0,0|U1,1|U0,1|W100|U1,0|W${delayMs}|U0,0|D0`);
}

/** USB-Serial/JTAG (303A:1001) entry: goes (1,0) → (1,1) → (0,1) and never through (0,0) on the way. */
export function usbJtagSerialReset(): ResetStrategy {
  return strategy('usb-jtag-serial', 'R0|D0|W100|D1|R0|W100|R1|D0|R1|W100|D0|R0');
}

/** After-operation hard reset: EN low for 100 ms (USB-OTG: 200 ms held, 200 ms after release). */
export function hardReset(options: { usbOtg?: boolean } = {}): ResetStrategy {
  return options.usbOtg
    ? strategy('hard-reset(usb-otg)', 'U0,1|W200|U0,0|W200')
    : strategy('hard-reset', 'U0,1|W100|U0,0');
}

/**
 * The bootloader-entry strategies the connect loop cycles through (§4.3): USB-JTAG only for 303A:1001,
 * otherwise unix-tight(50), unix-tight(550), classic(50), classic(550) (Windows: classic only).
 */
export function connectStrategies(
  options: { usbJtagSerial?: boolean; platform?: 'posix' | 'windows' } = {},
): ResetStrategy[] {
  if (options.usbJtagSerial) return [usbJtagSerialReset()];
  const classic = [classicReset(RESET_DELAY_MS), classicReset(RESET_EXTRA_DELAY_MS)];
  if (options.platform === 'windows') return classic;
  return [unixTightReset(RESET_DELAY_MS), unixTightReset(RESET_EXTRA_DELAY_MS), ...classic];
}

/**
 * Run `steps` on the transport. Every line change writes both DTR and RTS (the untouched line keeps
 * its tracked value, starting from `options.initial`, default both released). Returns the final lines.
 */
export async function runResetSequence(
  transport: Transport,
  clock: Clock,
  steps: readonly ResetStep[],
  options: { initial?: ModemSignals; signal?: AbortSignal } = {},
): Promise<ModemSignals> {
  let lines: ModemSignals = { ...(options.initial ?? { dtr: false, rts: false }) };
  for (const step of steps) {
    if (step.kind === 'wait') {
      await clock.sleep(step.ms, options.signal);
      continue;
    }
    lines = { dtr: step.dtr ?? lines.dtr, rts: step.rts ?? lines.rts };
    await transport.setSignals({ ...lines });
  }
  return lines;
}

/**
 * The after-operation hard reset ({@link hardReset}) on `transport`: the chip leaves reset and runs its
 * app. An abort during the hold still releases both lines (the chip is never left held in reset)
 * and resolves. A transport without modem lines is left alone: check `capabilities.modemLines`.
 */
export async function pulseHardReset(
  transport: Transport,
  clock: Clock,
  options: { usbOtg?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const steps = hardReset({ usbOtg: options.usbOtg ?? false }).steps;
  try {
    await runResetSequence(transport, clock, steps, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    if (!options.signal?.aborted) throw err;
    await transport.setSignals({ dtr: false, rts: false });
  }
}
