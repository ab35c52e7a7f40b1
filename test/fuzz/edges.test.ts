// Fuzz the small parsers at the CLI edge that every device command runs before connecting: --port
// specs, sim:// URLs, and <offset>/<size> numbers. Only coded errors may escape, and accepted
// values keep their documented shape.

import { describe, expect, it } from 'vitest';
import { parseNumberArg } from '../../src/api/parse-number.js';
import { parsePortSpec } from '../../src/node/open-transport.js';
import { parseSimUrl } from '../../src/sim/sim-options.js';
import { fuzzFailure, guard } from './support/expect-coded.js';
import { iterationSeed, mutateText, Prng } from './support/prng.js';

const PORT_SEEDS = [
  '/dev/ttyUSB0',
  'COM3',
  '\\\\.\\COM12',
  'socket://127.0.0.1:5555',
  'tcp://[::1]:3333',
  'rfc2217://host:4000',
  'sim://esp32',
  'sim://esp32s3?flashSize=8MB&timing=0',
  'ttyUSB0',
  'foo://x',
];
const PORT_FRAGMENTS = [
  '://',
  ':',
  '0',
  '65536',
  '99999',
  '[',
  ']',
  '@',
  '/',
  '?',
  '#',
  '%',
  '%zz',
  ' ',
  '\t',
  'sim',
  'socket',
  'COM',
];
const SIM_FRAGMENTS = [
  '?',
  '&',
  '=',
  'flashSize=',
  'flashSize=3MB',
  'mac=zz',
  'rev=9.9',
  'timing=maybe',
  'fault=',
  'fault=corrupt:2',
  'seed=-1',
  'seed=x',
  'id=',
  'download=1',
  'secureDownload=1',
  'esp99',
  '%20',
  '%',
  '%E0%A4%A',
  '#',
  '/',
];

describe('fuzz: CLI edge parsers', () => {
  it('parsePortSpec: a port spec of a known kind or port/bad-spec', () => {
    for (let i = 0; i < 2000; i++) {
      const seed = iterationSeed(0xed01, i);
      const rng = new Prng(seed);
      const spec = mutateText(rng, rng.pick(PORT_SEEDS), PORT_FRAGMENTS);
      const ctx = { seed, input: JSON.stringify(spec) };
      const r = guard(() => parsePortSpec(spec), ctx);
      if (!r.ok) {
        if (r.error.code !== 'port/bad-spec') throw fuzzFailure(`unexpected code ${r.error.code}`, ctx);
        continue;
      }
      const p = r.value;
      if (
        (p.kind === 'tcp' || p.kind === 'rfc2217') &&
        !(Number.isInteger(p.port) && p.port > 0 && p.port < 65536 && p.host !== '')
      )
        throw fuzzFailure(`accepted ${JSON.stringify(p)}`, ctx);
      if (p.kind === 'serial' && p.path.trim() === '')
        throw fuzzFailure('accepted an empty serial path', ctx);
    }
  });

  it('parseSimUrl: options or a coded sim/* error', () => {
    for (let i = 0; i < 1500; i++) {
      const seed = iterationSeed(0xed02, i);
      const rng = new Prng(seed);
      const url = mutateText(
        rng,
        rng.pick(['sim://esp32', 'sim://esp32c3?flashSize=4MB&rev=0.4', 'sim://?timing=1']),
        SIM_FRAGMENTS,
      );
      const ctx = { seed, input: JSON.stringify(url) };
      const r = guard(() => parseSimUrl(url), ctx);
      if (!r.ok && !r.error.code.startsWith('sim/'))
        throw fuzzFailure(`unexpected code ${r.error.code}`, ctx);
    }
  });

  it('parseNumberArg: a safe integer within 32 bits, or usage/bad-number', () => {
    const fragments = [
      '0x',
      'k',
      'K',
      'kb',
      'M',
      'mb',
      '-',
      '+',
      '.',
      '_',
      ' ',
      'e3',
      'ffffffff',
      '0',
      '9999999999',
      'Z',
      '\n',
    ];
    for (let i = 0; i < 3000; i++) {
      const seed = iterationSeed(0xed03, i);
      const rng = new Prng(seed);
      const text = mutateText(
        rng,
        rng.pick(['0x9000', '36864', '64k', '4M', '0', '0x10k', '4294967295']),
        fragments,
      );
      const allowZero = rng.chance(0.5);
      const ctx = { seed, input: JSON.stringify(text) };
      const r = guard(() => parseNumberArg(text, { name: '<offset>', allowZero }), ctx);
      if (!r.ok) {
        if (r.error.code !== 'usage/bad-number') throw fuzzFailure(`unexpected code ${r.error.code}`, ctx);
        continue;
      }
      if (
        !Number.isSafeInteger(r.value) ||
        r.value < 0 ||
        r.value > 0xffffffff ||
        (!allowZero && r.value === 0)
      )
        throw fuzzFailure(`accepted ${r.value}`, ctx);
    }
  });

  it('parseSimUrl("sim://esp%zz") throws a coded sim/bad-url error (a broken %-escape once escaped as URIError)', () => {
    const r = guard(() => parseSimUrl('sim://esp%zz'), { seed: 0, input: 'sim://esp%zz' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('sim/bad-url');
  });
});
