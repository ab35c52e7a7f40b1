// Every fault kind the virtual ESP32 offers, as named SimFaults builders for a seed: the matrix the
// fault tests and bench/faults.ts run. Byte and block positions vary with the seed so each seed
// breaks the write at a different point.

import { OP } from '../../../src/core/protocol/opcodes.js';
import type { SimFaults } from '../../../src/sim/faults.js';

/** One fault kind: a name, the faults for a seed, and whether the flash can succeed despite it. */
export interface FaultKind {
  name: string;
  faults: (seed: number) => SimFaults;
  /** `success`: must end verified; `error`: must end in a coded error; `either`: whichever, truthfully. */
  expect: 'success' | 'error' | 'either';
  /** Error codes allowed when it fails. */
  codes?: readonly string[];
}

/** A position in `[lo, hi)` that depends on the seed. */
const spread = (seed: number, lo: number, hi: number) => lo + ((seed * 7919) % (hi - lo));

/** The matrix (positions sized for a build of at least 256 KiB). */
export const FAULT_KINDS: readonly FaultKind[] = [
  { name: 'clean', faults: () => ({}), expect: 'success' },
  { name: 'corrupt 1e-4', faults: () => ({ corruptRate: 1e-4 }), expect: 'success' },
  { name: 'corrupt-rx 3e-4', faults: () => ({ corruptRxRate: 3e-4 }), expect: 'success' },
  { name: 'corrupt-tx 1e-3', faults: () => ({ corruptTxRate: 1e-3 }), expect: 'success' },
  { name: 'drop 2%', faults: () => ({ dropRate: 0.02 }), expect: 'success' },
  { name: 'stall 20 ms', faults: () => ({ stallMs: 20 }), expect: 'success' },
  {
    name: 'stall past the END timeout',
    faults: () => ({ stallReplies: [{ op: OP.FLASH_DEFL_END, ms: 15_000 }] }),
    expect: 'success',
  },
  { name: 'deferred 0xC4', faults: (s) => ({ statusErrorOnBlock: { seq: 1 + (s % 6) } }), expect: 'success' },
  {
    name: 'checksum 0xC1',
    faults: (s) => ({ statusErrorOnBlock: { seq: 1 + (s % 6), code: 0xc1 } }),
    expect: 'success',
  },
  {
    name: 'inflate 0xC7',
    faults: (s) => ({ statusErrorOnBlock: { seq: 2 + (s % 5), code: 0xc7 } }),
    expect: 'success',
  },
  {
    name: 'disconnect mid-write',
    faults: (s) => ({ disconnect: { atByte: spread(s, 20_000, 80_000), goneMs: 1500 } }),
    expect: 'success',
  },
  {
    name: 'disconnect at a block',
    faults: (s) => ({ disconnect: { atBlock: 2 + (s % 5), goneMs: 800 } }),
    expect: 'success',
  },
  {
    name: 'disconnect + power loss',
    faults: (s) => ({ disconnect: { atByte: spread(s, 20_000, 80_000), resetsChip: true } }),
    expect: 'success',
  },
  {
    name: 'port gone for good',
    faults: (s) => ({ disconnect: { atByte: spread(s, 20_000, 80_000), goneMs: 10_000_000 } }),
    expect: 'error',
    codes: ['flash/connection-lost'],
  },
  {
    name: 'reset to ROM',
    faults: (s) => ({ resetToRom: { atByte: spread(s, 20_000, 80_000) } }),
    expect: 'success',
  },
  { name: 'reset at a block', faults: (s) => ({ resetToRom: { atBlock: 1 + (s % 6) } }), expect: 'success' },
  { name: 'boot noise', faults: () => ({ bootNoise: 600 }), expect: 'success' },
  { name: 'slow erase x8', faults: () => ({ eraseSlowdown: 8 }), expect: 'success' },
  {
    name: 'bad sector',
    faults: (s) => ({ badSectors: [0x10000 + 0x1000 * (s % 32)] }),
    expect: 'error',
    // The stub writes and the MD5 finds it; the ROM reads each block back and reports a write error.
    // Either way the same sector fails after rewrites: the flash's fault, not the link's.
    codes: ['flash/bad-sector'],
  },
  {
    name: 'wrong boot mode',
    faults: () => ({ ignoreBootStrap: true }),
    expect: 'error',
    codes: ['connect/wrong-boot-mode'],
  },
  {
    name: 'silent (not an Espressif device)',
    faults: () => ({ silent: true }),
    expect: 'error',
    codes: ['connect/no-serial-data'],
  },
];

/**
 * The acceptance faults for a seed: byte corruption at 1e-4 in both directions plus one USB
 * disconnect, landing at a different point of a 1 MB app's write for each seed.
 */
export function acceptanceFaults(seed: number): SimFaults {
  return {
    seed,
    corruptRate: 1e-4,
    disconnect: { atByte: 60_000 + ((seed * 104_729) % 300_000), goneMs: 1200 },
  };
}
