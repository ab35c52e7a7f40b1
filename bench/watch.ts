// `npx tsx bench/watch.ts [--md5-ms-per-mib N]`: the edit-build-flash loop with the device cache
// (fast reflash) on the virtual ESP32's timing model at 921600 baud. For a generated 1 MiB app it
// times one watch cycle (connect, then write + verify every region) from "new image written" to
// "verified on device" for (a) a change in one sector, (b) an insertion at 10 % that shifts all
// code after it, (c) a full reflash without the cache (today's path). The sim's SPI_FLASH_MD5 costs
// no simulated time; a transport wrapper here delays each MD5 request by a modelled device hashing
// time instead (`--md5-ms-per-mib`, default 200). Prints simulated and wall time; asserts nothing.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDevice } from '../src/api/open-device.js';
import { readMac } from '../src/core/ops/read-mac.js';
import { OP } from '../src/core/protocol/opcodes.js';
import { SlipDecoder } from '../src/core/protocol/slip.js';
import type { Clock } from '../src/core/session/clock.js';
import type { Transport } from '../src/core/session/transport.js';
import type { FlashEvent } from '../src/events.js';
import { generateExampleBuild } from '../src/example/example-build.js';
import { openDeviceCache } from '../src/flash/device-cache.js';
import { fastReflashRegion } from '../src/flash/fast-reflash.js';
import { nodeMd5, plannedBytes } from '../src/flash/write-plan.js';
import { derivePlan } from '../src/plan/derive-plan.js';
import type { FlashPlan } from '../src/plan/types.js';
import { createSimTransport } from '../src/sim/sim-transport.js';
import { VirtualClock } from '../src/sim/virtual-clock.js';
import { ForwardingTransport } from './support/forwarding-transport.js';

const BAUD = 921600;
const APP_SIZE = 1 << 20;

function flagValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}
const MD5_MS_PER_MIB = flagValue('--md5-ms-per-mib', 200);

/** Delays every SPI_FLASH_MD5 request by `msPerMiB` × its size, as device hashing time. */
class Md5CostTransport extends ForwardingTransport {
  private readonly slip = new SlipDecoder({ maxFrame: 1 << 20 });
  md5Ms = 0;
  constructor(
    inner: Transport,
    private readonly clock: Clock,
    private readonly msPerMiB: number,
  ) {
    super(inner);
  }
  override async write(data: Uint8Array) {
    for (const f of this.slip.feed(data).frames) {
      if (f.length >= 16 && f[0] === 0 && f[1] === OP.SPI_FLASH_MD5) {
        const size = new DataView(f.buffer, f.byteOffset).getUint32(12, true);
        const ms = (this.msPerMiB * size) / (1024 * 1024);
        this.md5Ms += ms;
        await this.clock.sleep(ms);
      }
    }
    return this.inner.write(data);
  }
}

/** The bytes each region puts on flash, with the app replaced by `app`. */
function regionBytes(
  plan: FlashPlan,
  app: Uint8Array,
): Array<{ offset: number; data: Uint8Array; role: string }> {
  return plan.regions.map((region) => ({
    offset: region.offset,
    role: region.role,
    data:
      region.role === 'app'
        ? app
        : plannedBytes({
            region,
            plan,
            bytes: new Uint8Array(readFileSync(region.file)),
            detectedSize: '4MB',
            secure: false,
          }),
  }));
}

interface Cycle {
  connectMs: number;
  flashMs: number;
  md5Ms: number;
  wallMs: number;
  sectors: number;
  bytes: number;
  statuses: string;
  /** Simulated time of each connect milestone. */
  phases: string;
}

/** One watch cycle on the chip whose flash lives in `flashFile`: connect, reflash every region, close. */
async function cycle(o: {
  flashFile: string;
  cacheDir: string;
  plan: FlashPlan;
  app: Uint8Array;
  useCache: boolean;
  md5MsPerMiB: number;
}): Promise<Cycle> {
  const clock = new VirtualClock();
  const sim = createSimTransport({ chip: 'esp32', timing: true, clock, flashFile: o.flashFile });
  const transport = new Md5CostTransport(sim, clock, o.md5MsPerMiB);
  const w0 = performance.now();
  const t0 = clock.now();
  const phases: string[] = [];
  const onEvent = (e: FlashEvent) => {
    if (['connected', 'stub-started', 'baud-changed', 'flash-detected'].includes(e.type)) {
      phases.push(`${e.type} @${sec(clock.now() - t0)}`);
    }
  };
  const device = await openDevice({
    port: 'sim://esp32',
    transport,
    clock,
    baud: BAUD,
    reconnect: false,
    onEvent,
  });
  try {
    const cache = await openDeviceCache({
      dir: o.cacheDir,
      chip: 'esp32',
      mac: await readMac(device.loader),
    });
    const t1 = clock.now();
    let sectors = 0;
    let bytes = 0;
    const statuses: string[] = [];
    for (const [index, r] of regionBytes(o.plan, o.app).entries()) {
      const result = await fastReflashRegion(device.loader, {
        offset: r.offset,
        data: r.data,
        cached: o.useCache ? cache.get(r.offset) : null,
        hash: nodeMd5,
        onEvent,
        index,
        label: null,
        role: r.role,
        // The merge model assumes the same device hashing speed as the transport models.
        model: { md5MsPerMiB: o.md5MsPerMiB },
      });
      await cache.put({ offset: result.offset, bytes: result.bytes, md5: result.md5 });
      sectors += result.sectorsWritten;
      bytes += result.bytesWritten;
      statuses.push(result.status);
    }
    const t2 = clock.now();
    return {
      connectMs: t1 - t0,
      flashMs: t2 - t1,
      md5Ms: transport.md5Ms,
      wallMs: performance.now() - w0,
      sectors,
      bytes,
      statuses: statuses.join('/'),
      phases: phases.join(', '),
    };
  } finally {
    await device.close();
  }
}

interface Scenario {
  name: string;
  app: (base: Uint8Array) => Uint8Array;
  useCache: boolean;
}

function oneSector(base: Uint8Array): Uint8Array {
  const next = base.slice();
  const at = Math.floor(base.length / 2);
  next[at] = next[at]! ^ 0x5a;
  return next;
}

function shifted(base: Uint8Array): Uint8Array {
  const at = Math.floor(base.length / 10);
  const insert = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);
  const next = new Uint8Array(base.length + insert.length);
  next.set(base.subarray(0, at));
  next.set(insert, at);
  next.set(base.subarray(at), at + insert.length);
  return next;
}

const SCENARIOS: Scenario[] = [
  { name: '(a) one sector changed', app: oneSector, useCache: true },
  { name: '(b) 64 B inserted at 10 %', app: shifted, useCache: true },
  { name: '(c) full reflash, no cache', app: oneSector, useCache: false },
];

async function run(s: Scenario, plan: FlashPlan, base: Uint8Array, md5MsPerMiB: number): Promise<Cycle> {
  const dir = mkdtempSync(join(tmpdir(), 'espflash-bench-watch-'));
  try {
    const common = { flashFile: join(dir, 'flash.bin'), cacheDir: join(dir, 'cache'), plan, md5MsPerMiB };
    // The previous build, written and verified: the cache knows it.
    await cycle({ ...common, app: base, useCache: true });
    return await cycle({ ...common, app: s.app(base), useCache: s.useCache });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pad = (t: string | number, w: number) => String(t).padStart(w);
const sec = (ms: number) => (ms / 1000).toFixed(3);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'espflash-bench-watch-build-'));
  try {
    const { buildDir, files } = await generateExampleBuild({
      dir,
      chip: 'esp32',
      appSize: APP_SIZE,
      seed: 1,
    });
    const plan = await derivePlan({ buildDir });
    const base = new Uint8Array(readFileSync(files.app));
    process.stdout.write(
      `\nWatch cycle on the virtual ESP32 (${(base.length / 1024).toFixed(0)} KiB app + bootloader + partition table, ` +
        `stub + deflate at ${BAUD} baud, W25Q32 timing; simulated seconds)\n` +
        'cycle = connect (reset, sync, stub, baud, flash id) + MAC read + write/verify every region\n' +
        `MD5 free: the sim as is; MD5 modelled: device hashing at ${MD5_MS_PER_MIB} ms/MiB per SPI_FLASH_MD5\n\n`,
    );
    process.stdout.write(
      `${'scenario'.padEnd(30)}${pad('sectors', 8)}${pad('statuses', 26)}${pad('flash s', 9)}${pad('cycle s', 9)}` +
        `${pad('flash s', 9)}${pad('cycle s', 9)}${pad('(md5 s)', 9)}${pad('vs (c)', 8)}${pad('wall ms', 9)}\n`,
    );
    process.stdout.write(
      `${''.padEnd(30 + 8 + 26)}${pad('-- MD5 free --', 18)}${pad('----- MD5 modelled -----', 27)}\n`,
    );
    const rows: Array<{ s: Scenario; free: Cycle; md5: Cycle }> = [];
    for (const s of SCENARIOS) {
      rows.push({ s, free: await run(s, plan, base, 0), md5: await run(s, plan, base, MD5_MS_PER_MIB) });
    }
    const full = rows.at(-1)!.md5;
    for (const { s, free, md5 } of rows) {
      const cycleMs = md5.connectMs + md5.flashMs;
      const ratio = (full.connectMs + full.flashMs) / cycleMs;
      process.stdout.write(
        `${s.name.padEnd(30)}${pad(md5.sectors, 8)}${pad(md5.statuses, 26)}${pad(sec(free.flashMs), 9)}` +
          `${pad(sec(free.connectMs + free.flashMs), 9)}${pad(sec(md5.flashMs), 9)}${pad(sec(cycleMs), 9)}` +
          `${pad(sec(md5.md5Ms), 9)}${pad(`${ratio.toFixed(1)}x`, 8)}${pad(md5.wallMs.toFixed(0), 9)}\n`,
      );
    }
    const a = rows[0]!.md5;
    const flashRatio = (m: Cycle) => `${(full.flashMs / m.flashMs).toFixed(1)}x`;
    process.stdout.write(
      `\nWrite + verify only (MD5 modelled): (a) ${sec(a.flashMs)} s, (b) ${sec(rows[1]!.md5.flashMs)} s, ` +
        `(c) ${sec(full.flashMs)} s; (c)/(a) = ${flashRatio(a)}, (c)/(b) = ${flashRatio(rows[1]!.md5)}\n` +
        `Connect milestones (simulated s from opening the port): ${a.phases}\n`,
    );
    process.stdout.write(
      `Goal (a) under 1.5 s: ${sec(a.connectMs + a.flashMs)} s per cycle with MD5 modelled ` +
        `(${sec(a.flashMs)} s of it writing + verifying) → ${a.connectMs + a.flashMs < 1500 ? 'met' : 'NOT met'}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
