// Fault benchmark: flash a generated 1 MB app onto the virtual ESP32 under every fault kind of the
// matrix (test/faults/support/fault-kinds.ts), several seeds each, on the timing model with a
// VirtualClock. Prints success rate, simulated and wall time, and their ratios to a clean run; then
// the acceptance scenario (corruption 1e-4 + one disconnect) over 100 seeds.
//
//   npx tsx bench/faults.ts [--seeds 5] [--acceptance 100] [--app 1048576] [--only <name part>]

import type { SimFaults } from '../src/sim/faults.js';
import { acceptanceFaults, FAULT_KINDS } from '../test/faults/support/fault-kinds.js';
import { type FaultRunResult, runFaultFlash } from '../test/faults/support/fault-run.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}
const only = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? (process.argv[i + 1] ?? '') : '';
})();
const seeds = arg('seeds', 5);
const acceptanceSeeds = arg('acceptance', 100);
const appSize = arg('app', 1 << 20);

interface Row {
  name: string;
  runs: number;
  ok: number;
  coded: number;
  truthful: number;
  simMs: number;
  wallMs: number;
  retries: number;
  codes: Set<string>;
}

async function measure(name: string, faults: (seed: number) => SimFaults, n: number): Promise<Row> {
  const row: Row = {
    name,
    runs: 0,
    ok: 0,
    coded: 0,
    truthful: 0,
    simMs: 0,
    wallMs: 0,
    retries: 0,
    codes: new Set(),
  };
  for (let seed = 1; seed <= n; seed++) {
    const r: FaultRunResult = await runFaultFlash({ appSize, faults: { seed, ...faults(seed) } });
    row.runs++;
    if (r.ok) row.ok++;
    if (r.coded) row.coded++;
    if (r.falselyVerified.length === 0 && (!r.ok || r.onChip.every(Boolean))) row.truthful++;
    if (r.code) row.codes.add(r.code);
    row.simMs += r.simMs;
    row.wallMs += r.wallMs;
    row.retries += r.retries;
  }
  return row;
}

const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(0)}%`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function table(rows: Row[], clean: Row): void {
  const cSim = clean.simMs / clean.runs;
  const cWall = clean.wallMs / clean.runs;
  const head = [
    'fault kind',
    'runs',
    'success',
    'truthful',
    'sim time',
    'x clean',
    'wall',
    'x clean',
    'retries/run',
    'codes',
  ];
  const lines = rows.map((r) => {
    const sim = r.simMs / r.runs;
    const wall = r.wallMs / r.runs;
    return [
      r.name,
      String(r.runs),
      pct(r.ok, r.runs),
      pct(r.truthful, r.runs),
      secs(sim),
      (sim / cSim).toFixed(2),
      `${wall.toFixed(0)} ms`,
      (wall / cWall).toFixed(2),
      (r.retries / r.runs).toFixed(1),
      [...r.codes].join(' '),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(fmt(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}

console.log(
  `espflash fault benchmark: ${(appSize / 1024).toFixed(0)} KiB app, esp32 + stub at 921600, timing model on a VirtualClock\n`,
);
const clean = await measure('clean', () => ({}), Math.max(1, Math.min(seeds, 3)));
const rows: Row[] = [clean];
for (const kind of FAULT_KINDS) {
  if (kind.name === 'clean' || (only && !kind.name.includes(only))) continue;
  rows.push(await measure(kind.name, kind.faults, seeds));
}
table(rows, clean);

if (acceptanceSeeds > 0 && (!only || 'acceptance'.includes(only))) {
  console.log(`\nAcceptance: corruption 1e-4 + one mid-write disconnect, ${acceptanceSeeds} seeds`);
  const acc = await measure('acceptance', (s) => acceptanceFaults(s), acceptanceSeeds);
  table([acc], clean);
  const okRate = acc.ok / acc.runs;
  console.log(
    `\nsuccess ${pct(acc.ok, acc.runs)} (bar: >= 99%), truthful ${pct(acc.truthful, acc.runs)} (bar: 100%)`,
  );
  if (okRate < 0.99 || acc.truthful !== acc.runs) process.exitCode = 1;
}
