// One seeded flash of a generated build onto a virtual ESP32 with faults, on the timing model and a
// VirtualClock, judged against the chip's flash: success must leave every region exactly as planned,
// a failure must be a coded error whose verified list is true on the device. Shared by the fault
// matrix tests and bench/faults.ts.

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDevice } from '../../../src/api/open-device.js';
import type { ChipName } from '../../../src/chips/chips.js';
import { bytesEqual } from '../../../src/core/protocol/bytes.js';
import { isEspflashError } from '../../../src/errors.js';
import type { FlashEvent } from '../../../src/events.js';
import { generateExampleBuild } from '../../../src/example/example-build.js';
import { type FlashSummary, plannedBytes } from '../../../src/flash/write-plan.js';
import { disconnectedError } from '../../../src/node/transport-errors.js';
import { derivePlan } from '../../../src/plan/derive-plan.js';
import type { FlashPlan } from '../../../src/plan/types.js';
import type { SimFaults } from '../../../src/sim/faults.js';
import { createVirtualChip, InProcessSimTransport } from '../../../src/sim/sim-transport.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';

/** A generated build and its plan. */
export interface FaultBuild {
  plan: FlashPlan;
  /** The exact bytes per region, in plan order. */
  regions: Array<{ offset: number; label: string; bytes: Uint8Array }>;
}

const builds = new Map<string, Promise<FaultBuild>>();

/** Generate (once per chip and app size) an example build in a temp dir and derive its plan. */
export function faultBuild(chip: ChipName, appSize: number): Promise<FaultBuild> {
  const key = `${chip}:${appSize}`;
  let b = builds.get(key);
  if (!b) {
    b = (async () => {
      const dir = await mkdtemp(join(tmpdir(), `espflash-faults-${chip}-`));
      const build = await generateExampleBuild({ dir, chip, appSize });
      const plan = await derivePlan({ buildDir: build.buildDir });
      const regions = [];
      for (const region of plan.regions) {
        const file = new Uint8Array(await readFile(region.file));
        // The sim's Winbond id decodes to the 4MB default, so `detect` patches to 4MB.
        const bytes = plannedBytes({ region, plan, bytes: file, detectedSize: '4MB', secure: false });
        regions.push({ offset: region.offset, label: region.label ?? region.role, bytes });
      }
      return { plan, regions };
    })();
    builds.set(key, b);
  }
  return b;
}

/** Options for {@link runFaultFlash}. */
export interface FaultRunOptions {
  chip?: ChipName;
  appSize?: number;
  faults: SimFaults;
  stub?: boolean;
  /** Baud asked for (default 921600). */
  baud?: number;
  /** Whole-flash time limit in simulated ms (default 10 min). */
  timeLimitMs?: number;
}

/** What one run did, judged against the chip's flash. */
export interface FaultRunResult {
  ok: boolean;
  /** Error code on failure. */
  code: string | null;
  message: string | null;
  /** The failure's hint (null on success or without one). */
  hint: string | null;
  /** The failure was a coded EspflashError (with a hint). */
  coded: boolean;
  summary: FlashSummary | null;
  /** Per region: the chip's flash holds exactly the planned bytes. */
  onChip: boolean[];
  /** Regions the summary called verified whose bytes differ on the chip (must be empty). */
  falselyVerified: string[];
  simMs: number;
  wallMs: number;
  retries: number;
  events: FlashEvent[];
  baud: number | null;
}

/** Flash the build for `options` onto a faulty virtual chip and judge the result. */
export async function runFaultFlash(options: FaultRunOptions): Promise<FaultRunResult> {
  const chip = options.chip ?? 'esp32';
  const build = await faultBuild(chip, options.appSize ?? 1 << 20);
  const clock = new VirtualClock();
  const { device } = createVirtualChip({ chip, timing: true, clock, faults: options.faults });
  const url = `sim://${chip}`;
  const fresh = () =>
    new InProcessSimTransport({ device, flashFile: null, clock, description: url, onClose: () => {} });
  // The port is back once the sim's gone time has passed; reopening re-enumerates it.
  const reopen = async () => {
    if (device.unplugged) throw disconnectedError(url);
    device.replug();
    return fresh();
  };
  const events: FlashEvent[] = [];
  const wallStart = performance.now();
  let summary: FlashSummary | null = null;
  let error: unknown = null;
  let baud: number | null = null;
  try {
    const dev = await openDevice({
      port: url,
      transport: fresh(),
      reopen,
      clock,
      chip,
      baud: options.baud ?? 921600,
      baudMemory: false,
      ...(options.stub === undefined ? {} : { stub: options.stub }),
      connectAttempts: 4,
      onEvent: (e) => events.push(e),
    });
    try {
      summary = await dev.flash(
        build.plan,
        options.timeLimitMs === undefined ? {} : { timeLimitMs: options.timeLimitMs },
      );
      baud = dev.loader.baud;
    } finally {
      await dev.close();
    }
  } catch (err) {
    error = err;
    if (isEspflashError(err) && err.details.summary) summary = err.details.summary as FlashSummary;
  }
  const onChip = build.regions.map((r) => bytesEqual(device.flash.read(r.offset, r.bytes.length), r.bytes));
  const falselyVerified = (summary?.regions ?? [])
    .filter((r) => r.verified && !onChip[r.index])
    .map((r) => r.label ?? r.role);
  device.close();
  return {
    ok: error === null,
    code: isEspflashError(error) ? error.code : error === null ? null : String(error),
    message: error instanceof Error ? error.message : null,
    hint: isEspflashError(error) ? (error.hint ?? null) : null,
    coded:
      error === null || (isEspflashError(error) && typeof error.hint === 'string' && error.hint.length > 0),
    summary,
    onChip,
    falselyVerified,
    simMs: clock.now(),
    wallMs: performance.now() - wallStart,
    retries: events.filter((e) => e.type === 'retry').length,
    events,
    baud,
  };
}
