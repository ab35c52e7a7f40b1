import { describe, expect, it } from 'vitest';
import {
  classicReset,
  connectStrategies,
  formatResetSequence,
  hardReset,
  parseResetSequence,
  pulseHardReset,
  type ResetStep,
  runResetSequence,
  unixTightReset,
  usbJtagSerialReset,
} from '../../src/core/connect/reset-sequences.js';
import { UsageError } from '../../src/errors.js';
import { FakeClock } from './support/fake-clock.js';
import { ScriptedChip } from './support/scripted-chip.js';

/** Run steps and render the line history as `(dtr,rts)@t` strings. */
async function trace(steps: readonly ResetStep[]): Promise<string[]> {
  const clock = new FakeClock();
  const device = new ScriptedChip({ clock });
  await runResetSequence(device, clock, steps);
  return device.signalLog.map((s) => `(${+s.dtr},${+s.rts})@${s.at}`);
}

describe('reset sequence language', () => {
  it('parses D/R/U/W tokens, ms and esptool seconds', () => {
    expect(parseResetSequence('D0|R1|W100|D1|R0|W50|D0')).toEqual([
      { kind: 'set', dtr: false },
      { kind: 'set', rts: true },
      { kind: 'wait', ms: 100 },
      { kind: 'set', dtr: true },
      { kind: 'set', rts: false },
      { kind: 'wait', ms: 50 },
      { kind: 'set', dtr: false },
    ]);
    expect(parseResetSequence('U1,1 | U0,1|W0.1|W0.05|w2')).toEqual([
      { kind: 'set', dtr: true, rts: true },
      { kind: 'set', dtr: false, rts: true },
      { kind: 'wait', ms: 100 },
      { kind: 'wait', ms: 50 },
      { kind: 'wait', ms: 2 },
    ]);
  });

  it('round-trips through formatResetSequence', () => {
    const text = 'D0|R1|W100|U1,0|W550|D0';
    expect(formatResetSequence(parseResetSequence(text))).toBe(text);
  });

  it.each([
    ['', ''],
    ['D2', 'D2'],
    ['D0|X1', 'X1'],
    ['R', 'R'],
    ['U1', 'U1'],
    ['U1,0,1', 'U1,0,1'],
    ['Wabc', 'Wabc'],
    ['W-5', 'W-5'],
    ['W20000', 'W20000'],
    ['D0||R1', ''],
  ])('rejects %j naming the bad token', (text, token) => {
    let err: unknown;
    try {
      parseResetSequence(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const u = err as UsageError;
    expect(u.code).toBe('reset/bad-sequence');
    expect(u.exitCode).toBe(2);
    expect(u.details.token).toBe(token);
    expect(u.hint).toContain('reset.sequence');
    expect(u.hint).toContain('--reset-sequence');
  });
});

describe('built-in strategies: exact DTR/RTS transitions', () => {
  it('classic(50): IO0 high + EN low, 100 ms, IO0 low + EN high, 50 ms, IO0 high', async () => {
    expect(await trace(classicReset(50).steps)).toEqual([
      '(0,0)@0',
      '(0,1)@0',
      '(1,1)@100',
      '(1,0)@100',
      '(0,0)@150',
    ]);
  });

  it('unix-tight(550) passes through (1,1) and repeats DTR=0 at the end', async () => {
    expect(await trace(unixTightReset(550).steps)).toEqual([
      '(0,0)@0',
      '(1,1)@0',
      '(0,1)@0',
      '(1,0)@100',
      '(0,0)@650',
      '(0,0)@650',
    ]);
  });

  it('usb-jtag-serial goes (1,0) → (1,1) → (0,1) without passing (0,0) in between', async () => {
    expect(await trace(usbJtagSerialReset().steps)).toEqual([
      '(0,0)@0',
      '(0,0)@0',
      '(1,0)@100',
      '(1,0)@100',
      '(1,1)@200',
      '(0,1)@200',
      '(0,1)@200',
      '(0,1)@300',
      '(0,0)@300',
    ]);
  });

  it('hard reset holds EN low 100 ms (USB-OTG: 200 ms, then 200 ms settle)', async () => {
    expect(await trace(hardReset().steps)).toEqual(['(0,1)@0', '(0,0)@100']);
    const clock = new FakeClock();
    const device = new ScriptedChip({ clock });
    await runResetSequence(device, clock, hardReset({ usbOtg: true }).steps);
    expect(device.signalLog.map((s) => s.at)).toEqual([0, 200]);
    expect(clock.now()).toBe(400);
  });

  it('pulseHardReset runs the hard-reset pulse, and releases EN when aborted during the hold', async () => {
    const clock = new FakeClock();
    const device = new ScriptedChip({ clock });
    await pulseHardReset(device, clock, { usbOtg: true });
    expect(device.signalLog.map((s) => `(${+s.dtr},${+s.rts})@${s.at}`)).toEqual(['(0,1)@0', '(0,0)@200']);
    const stop = new AbortController();
    const held = new ScriptedChip({ clock });
    const pulse = pulseHardReset(held, clock, { signal: stop.signal });
    await Promise.resolve();
    stop.abort(new Error('closed'));
    await pulse;
    expect(held.signalLog.map(({ dtr, rts }) => ({ dtr, rts }))).toEqual([
      { dtr: false, rts: true },
      { dtr: false, rts: false },
    ]);
  });

  it('always writes both lines, keeping the untouched one from the initial state', async () => {
    const clock = new FakeClock();
    const device = new ScriptedChip({ clock });
    const end = await runResetSequence(device, clock, parseResetSequence('R0'), {
      initial: { dtr: true, rts: true },
    });
    expect(device.signalLog).toEqual([{ dtr: true, rts: false, at: 0 }]);
    expect(end).toEqual({ dtr: true, rts: false });
  });

  it('cycles unix-tight then classic on POSIX, classic only on Windows, USB-JTAG alone', () => {
    expect(connectStrategies().map((s) => s.name)).toEqual([
      'unix-tight(50)',
      'unix-tight(550)',
      'classic(50)',
      'classic(550)',
    ]);
    expect(connectStrategies({ platform: 'windows' }).map((s) => s.name)).toEqual([
      'classic(50)',
      'classic(550)',
    ]);
    expect(connectStrategies({ usbJtagSerial: true }).map((s) => s.name)).toEqual(['usb-jtag-serial']);
  });
});
