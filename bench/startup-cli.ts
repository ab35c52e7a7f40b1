// CLI start-up (`npm run bench`, or `tsx bench/startup-cli.ts` alone): how long the built CLI takes
// for commands that touch no device (`--version`, `--help`, `flash --help`, `plan` in a generated
// build without a config) next to `node -e 0`, and the peak RSS of each. Cases run interleaved;
// medians and ratios to `node -e 0` from the same run are the figures to compare (wall time on a
// shared machine is noisy). ESPFLASH_BENCH_BASELINE=<dir of another built checkout> runs its CLI
// in the same rounds for before/after figures. Needs `npm run build`. Asserts nothing.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateExampleBuild } from '../src/example/example-build.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.ESPFLASH_BENCH_STARTUP_RUNS ?? 9);

interface StartupCase {
  label: string;
  args: string[];
  /** Goal as a multiple of `node -e 0`. */
  goal?: number;
}

interface Measured {
  ms: number;
  rssKiB: number;
}

/** GNU time's `%M` (peak RSS in KiB) when it exists; otherwise the child reports its own maxRSS. */
const GNU_TIME = ['/usr/bin/time'].find(
  (p) => existsSync(p) && spawnSync(p, ['-f', '%M', 'true']).status === 0,
);

/** The child prints its maxRSS (KiB) on stderr's last line when GNU time is missing. */
const RSS_HOOK = `data:text/javascript,${encodeURIComponent(
  "process.on('exit',()=>process.stderr.write('\\n'+process.resourceUsage().maxRSS+'\\n'))",
)}`;

function measure(args: string[], cwd: string): Measured {
  const [cmd, argv] = GNU_TIME
    ? [GNU_TIME, ['-f', '%M', process.execPath, ...args]]
    : [process.execPath, [`--import=${RSS_HOOK}`, ...args]];
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-400)}`);
  const last = r.stderr.trim().split('\n').pop() ?? '';
  return { ms, rssKiB: Number(last) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Run the start-up table; returns ratio to `node -e 0` per case label. */
export async function benchStartupCli(): Promise<Record<string, number>> {
  process.stdout.write(
    '\nCLI start-up (built CLI, median of runs, ratio to `node -e 0` in the same run)\n\n',
  );
  const bin = join(ROOT, 'bin', 'espflash.js');
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    process.stdout.write('  skipped: run `npm run build` first\n');
    return {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'espflash-bench-cli-'));
  try {
    const { buildDir } = await generateExampleBuild({ dir, chip: 'esp32', seed: 5 });
    const clis: Array<[string, string]> = [['', bin]];
    const baseline = process.env.ESPFLASH_BENCH_BASELINE;
    if (baseline) clis.unshift(['[before] ', join(baseline, 'bin', 'espflash.js')]);
    const cases: StartupCase[] = [{ label: 'node -e 0', args: ['-e', '0'] }];
    for (const [tag, cli] of clis) {
      cases.push(
        { label: `${tag}espflash --version`, args: [cli, '--version'] },
        { label: `${tag}espflash --help`, args: [cli, '--help'], goal: 2 },
        { label: `${tag}espflash flash --help`, args: [cli, 'flash', '--help'] },
        {
          label: `${tag}espflash plan (no config)`,
          args: [cli, 'plan', '--build-dir', buildDir, '--no-config'],
        },
      );
    }
    // A baseline without --version exits non-zero: leave that case out for it.
    const runnable = cases.filter((c) => {
      try {
        measure(c.args, dir);
        return true;
      } catch {
        process.stdout.write(`  (${c.label}: fails, left out)\n`);
        return false;
      }
    });
    const samples = runnable.map(() => [] as Measured[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, c] of runnable.entries()) samples[i]!.push(measure(c.args, dir));
    }
    const base = median(samples[0]!.map((s) => s.ms));
    const ratios: Record<string, number> = {};
    process.stdout.write(
      `${'case'.padEnd(38)}${'ms'.padStart(8)}${'x node'.padStart(9)}${'peak MiB'.padStart(10)}\n`,
    );
    runnable.forEach((c, i) => {
      const ms = median(samples[i]!.map((s) => s.ms));
      const mib = median(samples[i]!.map((s) => s.rssKiB)) / 1024;
      const ratio = ms / base;
      ratios[c.label] = ratio;
      const goal = c.goal ? `  goal <= ${c.goal}x: ${ratio <= c.goal ? 'met' : 'not met'}` : '';
      process.stdout.write(
        `${c.label.padEnd(38)}${ms.toFixed(0).padStart(8)}${`${ratio.toFixed(2)}x`.padStart(9)}${mib.toFixed(1).padStart(10)}${goal}\n`,
      );
    });
    process.stdout.write(
      `\n${ROUNDS} rounds; peak RSS from ${GNU_TIME ? 'GNU time %M' : 'the child (process.resourceUsage().maxRSS)'}.\n`,
    );
    return ratios;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchStartupCli();
