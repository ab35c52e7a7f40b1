// The fault spec grammar shared by `espflash sim --fault …` and `sim://…?fault=…`: parse tokens such as
// `corrupt=1e-4`, `status=0xC1@13` or `disconnect-at=@40` into SimFaults, and format them back.
//
//   token := kind [ ("=" | ":") value ]        several tokens: comma-separated or repeated
//   @SEQ  := a FLASH_(DEFL_)DATA block sequence number; a trailing `*` means "every time", not once

import { UsageError } from '../errors.js';
import type { FaultTrigger, SimFaults } from './faults.js';
import { OP } from './protocol.js';

/** Every fault kind with its value syntax, for help text and error messages. */
export const FAULT_KINDS = [
  'corrupt=RATE',
  'corrupt-rx=RATE',
  'corrupt-tx=RATE',
  'drop=RATE',
  'stall=MS[@OP[*]]',
  'status=[CODE]@SEQ[*]',
  'disconnect-at=BYTES|@SEQ',
  'disconnect-ms=MS',
  'disconnect-resets',
  'reset-at=BYTES|@SEQ',
  'noise=BYTES',
  'wrong-boot',
  'silent',
  'slow-erase=FACTOR',
  'bad-sector=ADDR',
] as const;

class BadToken extends Error {}

function bad(why: string): never {
  throw new BadToken(why);
}

function num(text: string, what: string): number {
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t)
    ? Number.parseInt(t, 16)
    : /^[0-9.e+-]+$/i.test(t)
      ? Number(t)
      : Number.NaN;
  if (t === '' || !Number.isFinite(n)) bad(`${what} "${text}" is not a number`);
  return n;
}

function count(text: string, what: string): number {
  const n = num(text, what);
  if (!Number.isInteger(n) || n < 0) bad(`${what} "${text}" is not a whole number >= 0`);
  return n;
}

function rate(text: string): number {
  const n = num(text, 'rate');
  if (n < 0 || n > 1) bad(`rate "${text}" is not between 0 and 1`);
  return n;
}

function opcode(text: string): number {
  const key = text.trim().toUpperCase().replace(/-/g, '_');
  if (key in OP) return OP[key as keyof typeof OP];
  const n = /^(0x[0-9a-f]+|\d+)$/i.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(n >= 0 && n <= 0xff)) bad(`opcode "${text}" is not 0..0xFF or a name like flash_data`);
  return n;
}

/** `BYTES` or `@SEQ`. */
function trigger(value: string): FaultTrigger {
  const v = value.trim();
  return v.startsWith('@') ? { atBlock: count(v.slice(1), 'block') } : { atByte: count(v, 'byte count') };
}

function need(value: string | undefined): string {
  if (value === undefined || value.trim() === '') bad('needs a value');
  return value;
}

function apply(out: SimFaults, kind: string, value: string | undefined): void {
  const flag = () => {
    if (value !== undefined && !/^(1|true|yes|on)$/i.test(value)) bad('takes no value');
  };
  switch (kind) {
    case 'corrupt':
      out.corruptRate = rate(need(value));
      return;
    case 'corrupt-rx':
      out.corruptRxRate = rate(need(value));
      return;
    case 'corrupt-tx':
      out.corruptTxRate = rate(need(value));
      return;
    case 'drop':
      out.dropRate = rate(need(value));
      return;
    case 'stall': {
      const m = /^([^@]+)(?:@([^*]+)(\*)?)?$/.exec(need(value).trim()) ?? bad('is not MS or MS@OP');
      const ms = num(m[1]!, 'milliseconds');
      if (ms < 0) bad('milliseconds must be >= 0');
      if (m[2] === undefined) out.stallMs = ms;
      else
        out.stallReplies = [
          ...(out.stallReplies ?? []),
          { op: opcode(m[2]), ms, ...(m[3] ? { repeat: true } : {}) },
        ];
      return;
    }
    case 'status': {
      const m = /^([^@]*)@([^*]+)(\*)?$/.exec(need(value).trim()) ?? bad('is not [CODE]@SEQ');
      const seq = count(m[2]!, 'block');
      const code = m[1] ? count(m[1], 'status code') : undefined;
      if (code !== undefined && !(code >= 0xc0 && code <= 0xff) && !(code >= 0x100 && code <= 0x1ff)) {
        bad(`status code "${m[1]}" is neither a stub code (0xC0-0xFF) nor a ROM code (0x0100-0x01FF)`);
      }
      out.statusErrorOnBlock = {
        seq,
        ...(m[3] ? { repeat: true } : {}),
        ...(code === undefined ? {} : { code }),
      };
      return;
    }
    case 'disconnect-at':
      out.disconnect = { ...stripTrigger(out.disconnect), ...trigger(need(value)) };
      return;
    case 'disconnect-ms':
      out.disconnect = { ...out.disconnect, goneMs: count(need(value), 'milliseconds') };
      return;
    case 'disconnect-resets':
      flag();
      out.disconnect = { ...out.disconnect, resetsChip: true };
      return;
    case 'reset-at':
      out.resetToRom = trigger(need(value));
      return;
    case 'noise':
      out.bootNoise = count(need(value), 'byte count');
      return;
    case 'wrong-boot':
      flag();
      out.ignoreBootStrap = true;
      return;
    case 'silent':
      flag();
      out.silent = true;
      return;
    case 'slow-erase': {
      const f = num(need(value), 'factor');
      if (f <= 0) bad(`factor "${value}" must be > 0`);
      out.eraseSlowdown = f;
      return;
    }
    case 'bad-sector':
      out.badSectors = [...(out.badSectors ?? []), count(need(value), 'address')];
      return;
    default:
      bad('is not a fault kind');
  }
}

function stripTrigger<T extends FaultTrigger>(t: T | undefined): Omit<T, 'atByte' | 'atBlock'> {
  const { atByte: _a, atBlock: _b, ...rest } = t ?? ({} as T);
  return rest;
}

/**
 * Parse fault tokens (each may hold several, comma-separated) into {@link SimFaults}, on top of `base`.
 * Throws UsageError `sim/bad-fault` naming the token and listing the valid kinds; `source` names where
 * they came from (`--fault`, `fault= in sim://esp32?…`).
 */
export function parseFaultSpecs(tokens: readonly string[], source: string, base: SimFaults = {}): SimFaults {
  const out: SimFaults = { ...base };
  for (const token of tokens.flatMap((t) => t.split(','))) {
    const text = token.trim();
    if (text === '') continue;
    const m = /^([a-z-]+)(?:[=:](.*))?$/i.exec(text);
    try {
      if (!m) bad('is not KIND or KIND=VALUE');
      apply(out, m[1]!.toLowerCase(), m[2]);
    } catch (err) {
      if (!(err instanceof BadToken)) throw err;
      throw new UsageError('sim/bad-fault', `${source} "${text}" ${err.message}`, {
        hint: `Pass ${source} as one of: ${FAULT_KINDS.join(', ')} (e.g. --fault status=0xC1@13 or sim://esp32?fault=corrupt:1e-4).`,
        details: { token: text, kinds: [...FAULT_KINDS] },
      });
    }
  }
  return out;
}

/** Parse a seed (`--seed 7`, `seed=7`); throws `sim/bad-fault` naming `source`. */
export function parseSeed(text: string, source: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new UsageError('sim/bad-fault', `${source} "${text}" is not a whole number 0..4294967295`, {
      hint: `Pass ${source} as a whole number, e.g. ${source.startsWith('-') ? `${source} 7` : 'seed=7'}.`,
      details: { value: text },
    });
  }
  return n;
}

const hex = (n: number) => `0x${n.toString(16).toUpperCase()}`;
const at = (t: FaultTrigger) => (t.atBlock !== undefined ? `@${t.atBlock}` : String(t.atByte ?? ''));
const opName = (op: number) =>
  Object.entries(OP)
    .find(([, v]) => v === op)?.[0]
    .toLowerCase() ?? hex(op);

/** The canonical tokens for `faults` (seed not included), e.g. `["corrupt=0.0001", "status=0xC1@13"]`. */
export function formatFaults(faults: SimFaults): string[] {
  const f = faults;
  const out: string[] = [];
  if (f.corruptRate !== undefined) out.push(`corrupt=${f.corruptRate}`);
  if (f.corruptRxRate !== undefined) out.push(`corrupt-rx=${f.corruptRxRate}`);
  if (f.corruptTxRate !== undefined) out.push(`corrupt-tx=${f.corruptTxRate}`);
  if (f.dropRate !== undefined) out.push(`drop=${f.dropRate}`);
  if (f.stallMs !== undefined) out.push(`stall=${f.stallMs}`);
  for (const s of f.stallReplies ?? []) out.push(`stall=${s.ms}@${opName(s.op)}${s.repeat ? '*' : ''}`);
  const st = f.statusErrorOnBlock;
  if (st) out.push(`status=${st.code === undefined ? '' : hex(st.code)}@${st.seq}${st.repeat ? '*' : ''}`);
  const d = f.disconnect;
  if (d && (d.atByte !== undefined || d.atBlock !== undefined)) out.push(`disconnect-at=${at(d)}`);
  if (d?.goneMs !== undefined) out.push(`disconnect-ms=${d.goneMs}`);
  if (d?.resetsChip) out.push('disconnect-resets');
  if (f.resetToRom) out.push(`reset-at=${at(f.resetToRom)}`);
  if (f.bootNoise !== undefined) out.push(`noise=${f.bootNoise}`);
  if (f.ignoreBootStrap) out.push('wrong-boot');
  if (f.silent) out.push('silent');
  if (f.eraseSlowdown !== undefined) out.push(`slow-erase=${f.eraseSlowdown}`);
  for (const s of f.badSectors ?? []) out.push(`bad-sector=${hex(s)}`);
  return out;
}
