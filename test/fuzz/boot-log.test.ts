// Fuzz the boot-log side of a connect: the bounded noise buffer keeps exactly the tail, any captured
// text diagnoses to a coded error, and every possible status byte pair maps to a coded error.

import { describe, it } from 'vitest';
import { BootLogBuffer, diagnoseConnectFailure, parseBootMode } from '../../src/core/connect/boot-log.js';
import { latin1 } from '../../src/core/protocol/bytes.js';
import { OP } from '../../src/core/protocol/opcodes.js';
import { statusError } from '../../src/core/protocol/rom-errors.js';
import { assertCoded, fuzzFailure } from './support/expect-coded.js';
import { iterationSeed, mutateText, Prng } from './support/prng.js';

const BANNER =
  'ets Jun  8 2016 00:22:57\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\nwaiting for download\r\n';

describe('fuzz: boot log and status errors', () => {
  it('BootLogBuffer holds exactly the last `limit` bytes of everything appended', () => {
    for (let i = 0; i < 400; i++) {
      const seed = iterationSeed(0xb007, i);
      const rng = new Prng(seed);
      const limit = rng.pick([1, 7, 64, 8192]);
      const buffer = new BootLogBuffer(limit);
      const all: number[] = [];
      for (let k = rng.int(0, 30); k > 0; k--) {
        const chunk = rng.bytes(rng.pick([0, 1, 5, 63, 64, 65, 500]));
        buffer.append(chunk);
        all.push(...chunk);
      }
      const expected = latin1(Uint8Array.from(all.slice(Math.max(0, all.length - limit))));
      if (
        buffer.text() !== expected ||
        buffer.length !== Math.min(limit, all.length) ||
        buffer.total !== all.length
      )
        throw fuzzFailure(`held ${buffer.length} bytes, expected the last ${Math.min(limit, all.length)}`, {
          seed,
          input: `limit ${limit}`,
        });
    }
  });

  it('any boot log and counters diagnose to a coded connect/* error', () => {
    for (let i = 0; i < 1500; i++) {
      const seed = iterationSeed(0xb008, i);
      const rng = new Prng(seed);
      const bootLog = rng.chance(0.3)
        ? latin1(rng.bytes(rng.int(0, 200)))
        : mutateText(rng, BANNER, [
            'boot:0x',
            'boot:0xZZ',
            `boot:0x${'f'.repeat(30)}`,
            'waiting for download',
            '\0',
            'rst:',
          ]);
      const ctx = { seed, input: JSON.stringify(bootLog) };
      try {
        parseBootMode(bootLog);
        const err = diagnoseConnectFailure({
          port: rng.pick(['/dev/ttyUSB0', '', 'sim://esp32']),
          bootLog,
          bytesReceived: rng.pick([0, 1, 1e9]),
          framesReceived: rng.pick([0, 3]),
          attempts: rng.int(0, 7),
          lastError: rng.pick([undefined, null, 'text', new Error('boom'), { message: 1 }]),
        });
        if (!assertCoded(err, ctx).code.startsWith('connect/')) throw new Error(`code ${err.code}`);
      } catch (err) {
        throw fuzzFailure('diagnosis failed', ctx, err);
      }
    }
  });

  it('every status byte pair of every opcode gives a coded error naming the command', () => {
    const known = (b0: number) => b0 === 1 || (b0 >= 0xc0 && b0 <= 0xcb) || b0 === 0xff;
    const check = (op: number, byte0: number, byte1: number) => {
      const ctx = { seed: 0, input: `op 0x${op.toString(16)} status ${byte0} ${byte1}` };
      const err = assertCoded(statusError({ op, byte0, byte1 }), ctx);
      if (!/^(rom|stub)\//.test(err.code)) throw fuzzFailure(`unexpected area in ${err.code}`, ctx);
    };
    // Every failing byte0 with every byte1 where byte0 has meanings, sampled elsewhere, for one opcode...
    for (let byte0 = 1; byte0 < 256; byte0++)
      for (let byte1 = 0; byte1 < 256; byte1 += known(byte0) ? 1 : 17)
        check(OP.FLASH_DEFL_DATA, byte0, byte1);
    // ...and a few pairs for every other opcode, known or not.
    for (const op of [...Object.values(OP), 0x00, 0x42, 0xff])
      for (const [byte0, byte1] of [
        [1, 5],
        [1, 0xff],
        [0xc1, 0],
        [0xff, 0xff],
        [0x80, 0x01],
      ] as const)
        check(op, byte0, byte1);
  });
});
