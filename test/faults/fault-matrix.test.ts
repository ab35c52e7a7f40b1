// The fault matrix: every fault kind of the virtual ESP32 × several seeds, on the timing model and a
// VirtualClock. Every run ends verified, or in a coded error whose summary is true on the chip:
// never silent corruption, never a hang.

import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from './support/fault-kinds.js';
import { type FaultRunResult, runFaultFlash } from './support/fault-run.js';

const SEEDS = [1, 2, 3];

/** The properties every run must have, whatever happened. */
function expectTruthful(r: FaultRunResult): void {
  expect(r.falselyVerified, 'regions reported verified must hold the planned bytes').toEqual([]);
  expect(r.coded, `a failure must be a coded error with a hint (${r.code})`).toBe(true);
  if (r.ok) {
    expect(r.onChip.every(Boolean), 'a successful flash leaves every region as planned').toBe(true);
    expect(r.summary?.regions.every((x) => x.verified)).toBe(true);
  } else if (r.summary) {
    // Regions the chip does not hold correctly are never in the verified list.
    for (const region of r.summary.regions) if (!r.onChip[region.index]) expect(region.verified).toBe(false);
  }
}

describe.each(FAULT_KINDS)('fault: $name', (kind) => {
  it.each(SEEDS)('seed %i: verified success or a truthful coded error', async (seed) => {
    const r = await runFaultFlash({ appSize: 256 * 1024, faults: { seed, ...kind.faults(seed) } });
    expectTruthful(r);
    if (kind.expect === 'success') expect(r.ok, `${r.code}: ${r.message}`).toBe(true);
    if (kind.expect === 'error') {
      expect(r.ok).toBe(false);
      expect(kind.codes).toContain(r.code);
    }
  });
});

describe('through the ROM loader (--no-stub)', () => {
  const romKinds = ['corrupt 1e-4', 'checksum 0xC1', 'disconnect mid-write', 'reset to ROM', 'bad sector'];
  it.each(romKinds)('%s: verified success or a truthful coded error', async (name) => {
    const kind = FAULT_KINDS.find((k) => k.name === name)!;
    const r = await runFaultFlash({
      appSize: 128 * 1024,
      stub: false,
      faults: { seed: 5, ...kind.faults(5) },
    });
    expectTruthful(r);
    if (kind.expect === 'success') expect(r.ok, `${r.code}: ${r.message}`).toBe(true);
    else expect(kind.codes).toContain(r.code);
  });
});

describe('what a failure reports', () => {
  it('a region that never verified names the offset reached and what to try; earlier regions stay verified', async () => {
    const r = await runFaultFlash({ appSize: 256 * 1024, faults: { badSectors: [0x14000] } });
    expect(r.code).toBe('flash/bad-sector');
    expect(r.message).toMatch(/factory.*0x10000.*0x14000/s);
    expect(r.message).toMatch(/Verified on the device: bootloader, partition-table; not verified: factory/);
    expect(r.summary!.regions.map((x) => x.verified)).toEqual([true, true, false]);
  });

  for (const stub of [true, false]) {
    it(`a bad sector (${stub ? 'stub: MD5 mismatch' : 'ROM: flash write status'}) blames the flash, not the cable`, async () => {
      const r = await runFaultFlash({ appSize: 128 * 1024, stub, faults: { badSectors: [0x15000] } });
      expect(r.code).toBe('flash/bad-sector');
      expect(r.message).toContain('sector at 0x15000');
      expect(r.hint).toContain('erase-region 0x15000 0x1000');
      expect(r.hint).toMatch(/--flash-mode/);
      expect(r.hint).not.toMatch(/cable|--baud|rfc2217/);
      // A flash fault is not worked around by reconnecting or lowering the baud.
      expect(r.events.filter((e) => e.type === 'retry' && e.operation === 'reconnect')).toEqual([]);
      expect(r.summary!.regions.map((x) => x.verified)).toEqual([true, true, false]);
    });
  }

  it('a port that never comes back gives up with flash/connection-lost and the cable/baud/VM advice', async () => {
    const r = await runFaultFlash({
      appSize: 256 * 1024,
      faults: { disconnect: { atByte: 50_000, goneMs: 1e9 } },
    });
    expect(r.code).toBe('flash/connection-lost');
    expect(r.events.some((e) => e.type === 'retry' && e.operation === 'reconnect')).toBe(true);
    expect(r.summary!.regions[2]!.verified).toBe(false);
  });

  it('retries show up as retry events with the offset being written', async () => {
    const r = await runFaultFlash({ appSize: 256 * 1024, faults: { statusErrorOnBlock: { seq: 3 } } });
    expect(r.ok).toBe(true);
    const retry = r.events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ type: 'retry', operation: 'write-region' });
    expect((retry as { offset: number }).offset % 0x1000).toBe(0);
  });
});
