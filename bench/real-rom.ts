// Real-ROM section of `npm run bench` (also `npx tsx bench/real-rom.ts [--rounds N]`): the genuine
// ESP32 ROM under QEMU (../shared/tools), flashing an ESP-IDF-shaped build (a v4.4 fixture's layout:
// 25 KiB bootloader, 3 KiB table, 629 KiB app) at 921600 baud with espflash and with esptool 4.8.1
// using esptool v5's stub set 2 (esp-flasher-stub, the stub espflash uploads) and the legacy set 1.
// A fresh QEMU for every run; each run's bytes are read back from QEMU's flash file. Then a watch
// cycle on the same chip: a one-sector change from file write to verified (fast reflash, stub
// reused). Prints wall-clock figures, the ratios and where espflash's time goes; asserts nothing.
// Skipped with one line where ../shared/tools or the shared fixtures are absent.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flashProject } from '../src/api/flash-project.js';
import { openDevice } from '../src/api/open-device.js';
import { bytesEqual } from '../src/core/protocol/bytes.js';
import type { FlashEvent } from '../src/events.js';
import { plannedBytes } from '../src/flash/write-plan.js';
import { openTransport } from '../src/node/open-transport.js';
import { derivePlan } from '../src/plan/derive-plan.js';
import type { FlashPlan } from '../src/plan/types.js';
import { changeLastSector } from '../test/support/image-edit.js';
import { HAVE_TOOLS, type Qemu, SHARED_TOOLS, startQemu } from '../test/support/reference-tools.js';
import { prepareFixtureBuild } from './support/fixture-build.js';
import { TraceTransport } from './support/trace-transport.js';

const BAUD = 921600;
const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SHARED_FIXTURES = resolve(SHARED_TOOLS, '..', 'fixtures');
const CLI = join(repoRoot, 'dist', 'cli', 'main.js');

const sec = (ms: number) => (ms / 1000).toFixed(2);
const pad = (t: string | number, w: number) => String(t).padStart(w);

/** What must be on flash after a run: one entry per region. */
interface Expected {
  offset: number;
  bytes: Uint8Array;
}

function landed(flashFile: string, expected: Expected[]): boolean {
  const flash = new Uint8Array(readFileSync(flashFile));
  return expected.every((e) => bytesEqual(flash.subarray(e.offset, e.offset + e.bytes.length), e.bytes));
}

function run(file: string, args: string[], cwd?: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(file, args, { timeout: 300_000, maxBuffer: 16 << 20, cwd }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** One timed run on a fresh QEMU; `job` gets the chip's socket:// URL. */
async function onFreshChip<T>(
  job: (qemu: Qemu) => Promise<T>,
): Promise<{ ms: number; result: T; qemu: Qemu; flashFile: string }> {
  const qemu = await startQemu();
  const t0 = performance.now();
  try {
    const result = await job(qemu);
    return { ms: performance.now() - t0, result, qemu, flashFile: qemu.flashFile };
  } finally {
    await qemu.stop();
  }
}

interface Timed {
  ms: number;
  ok: boolean;
  note?: string;
}

async function esptool(set: 1 | 2, plan: FlashPlan): Promise<Timed> {
  const files = plan.regions.flatMap((r) => [`0x${r.offset.toString(16)}`, r.file]);
  const expected = plan.regions.map((r) => ({
    offset: r.offset,
    bytes: new Uint8Array(readFileSync(r.file)),
  }));
  const r = await onFreshChip((q) =>
    run(join(SHARED_TOOLS, 'esptool', 'esptool-stub'), [
      String(set),
      '-p',
      q.url,
      '--before',
      'no_reset',
      '--after',
      'no_reset',
      '--baud',
      String(BAUD),
      'write_flash',
      ...files,
    ]),
  );
  const ok = r.result.code === 0 && landed(r.flashFile, expected);
  return { ms: r.ms, ok, ...(ok ? {} : { note: r.result.output.split('\n').slice(-3).join(' ') }) };
}

function expectedFor(plan: FlashPlan): Expected[] {
  return plan.regions.map((region) => ({
    offset: region.offset,
    bytes: plannedBytes({
      region,
      plan,
      bytes: new Uint8Array(readFileSync(region.file)),
      detectedSize: '4MB',
      secure: false,
    }),
  }));
}

/**
 * `espflash flash` as a process (like esptool's figure, process start included), run from the
 * project folder as a user would; that folder has no espflash.config.* (this repository's own
 * config would otherwise be found and loaded).
 */
async function espflashCli(buildDir: string, plan: FlashPlan): Promise<Timed | null> {
  if (!existsSync(CLI)) return null;
  const r = await onFreshChip((q) =>
    run(
      process.execPath,
      [
        join(repoRoot, 'bin', 'espflash.js'),
        'flash',
        '--build-dir',
        buildDir,
        '--port',
        q.url,
        '--baud',
        String(BAUD),
        '--before',
        'no-reset',
        '--after',
        'no-reset',
      ],
      dirname(buildDir),
    ),
  );
  const ok = r.result.code === 0 && landed(r.flashFile, expectedFor(plan));
  return { ms: r.ms, ok, ...(ok ? {} : { note: r.result.output.split('\n').slice(-3).join(' ') }) };
}

/** A timeline of flash events, ms since the start. */
function timeline(t0: number) {
  const marks: Array<{ at: number; what: string }> = [];
  const onEvent = (e: FlashEvent) => {
    const at = performance.now() - t0;
    if (e.type === 'stub-started' || e.type === 'baud-changed' || e.type === 'connected')
      marks.push({ at, what: e.type });
    if (e.type === 'flash-detected') marks.push({ at, what: 'flash ready' });
    if (e.type === 'region-verified' || e.type === 'region-skipped')
      marks.push({ at, what: `region ${e.index} ${e.type.slice(7)}` });
  };
  return { marks, onEvent };
}

function printOps(trace: TraceTransport): void {
  const groups: Record<string, string[]> = {
    'sync + detect': ['SYNC', 'GET_SECURITY_INFO'],
    'stub upload': ['MEM_BEGIN', 'MEM_DATA', 'MEM_END'],
    'baud change': ['CHANGE_BAUDRATE'],
    'registers (detect, flash id)': ['READ_REG', 'WRITE_REG'],
    'flash attach + params': ['SPI_ATTACH', 'SPI_SET_PARAMS'],
    'write (begin/data/end)': [
      'FLASH_DEFL_BEGIN',
      'FLASH_DEFL_DATA',
      'FLASH_DEFL_END',
      'FLASH_BEGIN',
      'FLASH_DATA',
      'FLASH_END',
    ],
    'MD5 (device)': ['SPI_FLASH_MD5'],
  };
  for (const [name, ops] of Object.entries(groups)) {
    const t = ops.map((o) => trace.ops.get(o)).filter((x) => x !== undefined);
    if (t.length === 0) continue;
    const count = t.reduce((n, x) => n + x.count, 0);
    const bytes = t.reduce((n, x) => n + x.bytesOut, 0);
    const ms = t.reduce((n, x) => n + x.ms, 0);
    process.stdout.write(
      `    ${name.padEnd(30)}${pad(count, 5)} cmds${pad(bytes, 9)} B out${pad(sec(ms), 8)} s\n`,
    );
  }
}

/** espflash in process with a command trace: the breakdown, then the watch cycle on the same chip. */
async function espflashTraced(buildDir: string, plan: FlashPlan): Promise<void> {
  const qemu = await startQemu();
  const cacheDir = mkdtempSync(join(tmpdir(), 'espflash-bench-cache-'));
  try {
    const t0 = performance.now();
    const trace = new TraceTransport(await openTransport(qemu.url, { ackNudge: true, pace: true }));
    const { marks, onEvent } = timeline(t0);
    const device = await openDevice({
      port: qemu.url,
      transport: trace,
      baud: BAUD,
      before: 'no_reset',
      after: 'no_reset',
      reconnect: false,
      onEvent,
    });
    const connectedMs = performance.now() - t0;
    const cache = await device.openCache({ dir: cacheDir });
    await device.flash(plan, cache ? { cache } : {});
    await device.close();
    const totalMs = performance.now() - t0;
    const ok = landed(qemu.flashFile, expectedFor(plan));
    process.stdout.write(
      `\n  espflash in process, traced: ${sec(totalMs)} s (connect ${sec(connectedMs)} s, write + verify ${sec(totalMs - connectedMs)} s)${ok ? '' : '  BYTES DIFFER'}\n`,
    );
    process.stdout.write(`    timeline: ${marks.map((m) => `${m.what} @${sec(m.at)}`).join(', ')}\n`);
    printOps(trace);

    // Watch cycle: the next build differs in one byte of code, checksum and SHA-256 re-sealed as a
    // rebuild would, all in the app's last 4 KiB sector.
    const app = plan.regions.find((r) => r.role === 'app')!;
    writeFileSync(app.file, changeLastSector(new Uint8Array(readFileSync(app.file))).bytes);
    const w0 = performance.now();
    const next = await derivePlan({ buildDir });
    const watchTrace = new TraceTransport(await openTransport(qemu.url, { ackNudge: true, pace: true }));
    const w = timeline(w0);
    let sectors = 0;
    const { summary } = await flashProject({
      plan: next,
      port: qemu.url,
      transport: watchTrace,
      baud: BAUD,
      reconnect: false,
      fastReflash: { dir: cacheDir },
      onEvent: (e) => {
        w.onEvent(e);
        if (e.type === 'region-progress' && e.index === 2) sectors = Math.ceil(e.total / 4096);
      },
    });
    const watchMs = performance.now() - w0;
    const wok = landed(qemu.flashFile, expectedFor(next));
    const statuses = summary.regions.map((r) => r.status).join('/');
    process.stdout.write(
      `\n  watch cycle, one sector changed (file written → verified, stub reused, ${BAUD}): ${sec(watchMs)} s` +
        ` [${statuses}; ${summary.bytesWritten} B written]${wok ? '' : '  BYTES DIFFER'}${sectors ? '' : ''}\n`,
    );
    process.stdout.write(`    timeline: ${w.marks.map((m) => `${m.what} @${sec(m.at)}`).join(', ')}\n`);
    printOps(watchTrace);
    process.stdout.write(`  goal ≤ 1.50 s → ${watchMs <= 1500 ? 'met' : 'NOT met'}\n`);
  } finally {
    await qemu.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

export async function benchRealRom(options: { rounds?: number } = {}): Promise<void> {
  if (!HAVE_TOOLS || !existsSync(join(SHARED_FIXTURES, 'idf-build'))) {
    process.stdout.write(`\nReal ESP32 ROM (QEMU): skipped, ${SHARED_TOOLS} or its fixtures not found\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'espflash-bench-rom-'));
  try {
    const buildDir = prepareFixtureBuild({ sharedFixtures: SHARED_FIXTURES, dir });
    const plan = await derivePlan({ buildDir });
    const sizes = plan.regions.map((r) => `${r.role} ${(r.size / 1024).toFixed(1)} KiB`).join(', ');
    process.stdout.write(
      `\nReal ESP32 ROM under QEMU, ${BAUD} baud, fresh chip per run (wall clock; compare ratios within one run)\n` +
        `build: ${sizes} (fixture shape, generated images)\n\n`,
    );
    const rounds = Math.max(1, options.rounds ?? 1);
    const best = { s2: Number.POSITIVE_INFINITY, s1: Number.POSITIVE_INFINITY, ef: Number.POSITIVE_INFINITY };
    for (let round = 1; round <= rounds; round++) {
      const s2 = await esptool(2, plan);
      const ef = await espflashCli(buildDir, plan);
      const s1 = await esptool(1, plan);
      const line = (name: string, t: Timed | null) =>
        t === null
          ? `  ${name.padEnd(36)}  (no dist/: run npm run build)\n`
          : `  ${name.padEnd(36)}${pad(sec(t.ms), 8)} s${t.ok ? '' : `  FAILED ${t.note ?? ''}`}\n`;
      if (rounds > 1) process.stdout.write(`round ${round}\n`);
      process.stdout.write(line('esptool 4.8.1, stub set 2 (v5 default)', s2));
      process.stdout.write(line('esptool 4.8.1, stub set 1 (legacy)', s1));
      process.stdout.write(line('espflash flash (same stub as set 2)', ef));
      if (s2.ok) best.s2 = Math.min(best.s2, s2.ms);
      if (s1.ok) best.s1 = Math.min(best.s1, s1.ms);
      if (ef?.ok) best.ef = Math.min(best.ef, ef.ms);
    }
    if (Number.isFinite(best.ef)) {
      const goal = best.ef / best.s2 <= 0.8 ? 'met' : 'NOT met';
      process.stdout.write(
        `  ratio espflash / esptool-stub2 = ${(best.ef / best.s2).toFixed(2)} (goal ≤ 0.80: ${goal}); ` +
          `espflash / esptool-stub1 = ${(best.ef / best.s1).toFixed(2)}${rounds > 1 ? ' (best of each)' : ''}\n`,
      );
    }
    await espflashTraced(buildDir, plan);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--rounds');
  await benchRealRom({ rounds: i >= 0 ? Number(process.argv[i + 1]) : 1 });
}
