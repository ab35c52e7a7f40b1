// The fault grammar shared by `espflash sim --fault` and `sim://…?fault=`: every kind, the URL form,
// canonical formatting, and the coded errors for bad tokens and seeds.

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { FAULT_KINDS, formatFaults, parseFaultSpecs, parseSeed } from '../../src/sim/fault-spec.js';
import { parseSimUrl } from '../../src/sim/sim-options.js';

describe('parseFaultSpecs', () => {
  it('parses every kind with = (CLI) and : (URL)', () => {
    const cli = parseFaultSpecs(
      [
        'corrupt=1e-4',
        'corrupt-rx=0.5',
        'corrupt-tx=0',
        'drop=0.25',
        'stall=40',
        'stall=3000@flash_data*',
        'stall=10@0x0a',
        'status=0xC1@13',
        'disconnect-at=300000',
        'disconnect-ms=2500',
        'disconnect-resets',
        'reset-at=@7',
        'noise=64',
        'wrong-boot',
        'silent',
        'slow-erase=3.5',
        'bad-sector=0x10000',
        'bad-sector=0x21000',
      ],
      '--fault',
    );
    expect(cli).toEqual({
      corruptRate: 1e-4,
      corruptRxRate: 0.5,
      corruptTxRate: 0,
      dropRate: 0.25,
      stallMs: 40,
      stallReplies: [
        { op: 0x03, ms: 3000, repeat: true },
        { op: 0x0a, ms: 10 },
      ],
      statusErrorOnBlock: { seq: 13, code: 0xc1 },
      disconnect: { atByte: 300000, goneMs: 2500, resetsChip: true },
      resetToRom: { atBlock: 7 },
      bootNoise: 64,
      ignoreBootStrap: true,
      silent: true,
      eraseSlowdown: 3.5,
      badSectors: [0x10000, 0x21000],
    });
    expect(parseFaultSpecs(formatFaults(cli), '--fault')).toEqual(cli);
  });

  it('status without a code, repeating, and a ROM code', () => {
    expect(parseFaultSpecs(['status=@4*'], 'x').statusErrorOnBlock).toEqual({ seq: 4, repeat: true });
    expect(parseFaultSpecs(['status:0x0108@0'], 'x').statusErrorOnBlock).toEqual({ seq: 0, code: 0x108 });
    expect(formatFaults({ statusErrorOnBlock: { seq: 0, code: 0x108 } })).toEqual(['status=0x108@0']);
  });

  it('a URL takes a comma-separated fault list plus seed and id', () => {
    const o = parseSimUrl(
      'sim://esp32?fault=corrupt:1e-4,disconnect-at:300000&fault=status:0xC1@13&seed=7&id=a',
    );
    expect(o.faults).toEqual({
      corruptRate: 1e-4,
      disconnect: { atByte: 300000 },
      statusErrorOnBlock: { seq: 13, code: 0xc1 },
      seed: 7,
    });
    expect(o.id).toBe('a');
  });

  it.each([
    ['explode', 'is not a fault kind'],
    ['corrupt=2', 'is not between 0 and 1'],
    ['corrupt', 'needs a value'],
    ['status=0x42@1', 'neither a stub code'],
    ['status=0xC1', 'is not [CODE]@SEQ'],
    ['stall=5@bogus_op', 'or a name like flash_data'],
    ['disconnect-at=@x', 'is not a number'],
    ['silent=maybe', 'takes no value'],
    ['slow-erase=0', 'must be > 0'],
    ['noise=-1', 'not a whole number'],
    ['9lives', 'is not KIND or KIND=VALUE'],
  ])('"%s" is sim/bad-fault (%s), naming the token and listing the kinds', (token, why) => {
    let err: unknown;
    try {
      parseFaultSpecs([token], '--fault');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const u = err as UsageError;
    expect(u.code).toBe('sim/bad-fault');
    expect(u.message).toContain(`--fault "${token}"`);
    expect(u.message).toContain(why);
    expect(u.hint).toContain('--fault');
    for (const kind of FAULT_KINDS) expect(u.hint).toContain(kind);
  });

  it('URL errors name the fault= parameter; bad seeds are sim/bad-fault too', () => {
    expect(() => parseSimUrl('sim://esp32?fault=corrupt:lots')).toThrow(
      /fault= in sim:\/\/esp32\?fault=corrupt:lots "corrupt:lots"/,
    );
    expect(() => parseSeed('-3', '--seed')).toThrow(expect.objectContaining({ code: 'sim/bad-fault' }));
    expect(() => parseSimUrl('sim://esp32?seed=1.5')).toThrow(
      expect.objectContaining({ code: 'sim/bad-fault' }),
    );
    expect(parseSeed('4294967295', '--seed')).toBe(4294967295);
  });
});
