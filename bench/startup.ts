// Start-up and footprint of the built CLI (`npm run bench`, or `tsx bench/startup.ts` alone):
// `node -e 0`, `espflash --version`, `--help`, `flash --help`, `plan` without a config and `plan` with
// the `espflash.config.ts` that `espflash init` writes, in a generated example project. Runs the cases
// round-robin, prints medians, ratios to `node -e 0` (the figures to compare: wall time here is
// noisy) and peak RSS. Needs `npm run build`. Asserts nothing. ESPFLASH_BENCH_BASELINE=<another
// built checkout> adds its CLI to the same run (before/after figures measured side by side).

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateExampleBuild } from '../src/example/example-build.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'bin', 'espflash.js');
const RUNS = Number(process.env.ESPFLASH_BENCH_STARTUP_RUNS ?? 7);
const GNU_TIME = '/usr/bin/time';

interface Case {
  name: string;
  args: string[];
  cwd: string;
  /** Goal from issue #11 as a multiple of `node -e 0` (and a peak RSS in MiB). */
  goal?: { ratio: number; rssMiB?: number };
}

interface Sample {
  ms: number;
  rssKiB: number;
}

/** Run `node …args` once: wall time from here, peak RSS from GNU time or the child itself. */
function runOnce(c: Case, useGnuTime: boolean): Sample {
  const rssFile = join(tmpdir(), `espflash-bench-rss-${process.pid}`);
  const reportRss =
    "import{writeFileSync}from'node:fs';process.on('exit',()=>writeFileSync(process.env.ESPFLASH_BENCH_RSS,String(process.resourceUsage().maxRSS)))";
  const command = useGnuTime ? GNU_TIME : process.execPath;
  const args = useGnuTime
    ? ['-f', '%M', process.execPath, ...c.args]
    : [`--import=data:text/javascript,${encodeURIComponent(reportRss)}`, ...c.args];
  const t0 = performance.now();
  const r = spawnSync(command, args, {
    cwd: c.cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ESPFLASH_BENCH_RSS: rssFile },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    throw new Error(
      `${c.name} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
  const rssKiB = useGnuTime
    ? Number(r.stderr.trim().split('\n').pop())
    : Number(readFileSync(rssFile, 'utf8'));
  return { ms, rssKiB };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Print the start-up table; returns the medians by case name (for callers that compare). */
export async function benchStartup(): Promise<Record<string, { ms: number; ratio: number; rssMiB: number }>> {
  process.stdout.write(
    '\nStart-up and peak memory of the built CLI (median of runs, ratio to `node -e 0`)\n\n',
  );
  if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) {
    process.stdout.write('  skipped: dist/ is missing (run `npm run build` first)\n');
    return {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'espflash-bench-startup-'));
  try {
    const withConfig = join(dir, 'with-config');
    const without = join(dir, 'no-config');
    for (const project of [withConfig, without]) {
      await generateExampleBuild({ dir: project, chip: 'esp32', seed: 3 });
      mkdirSync(join(project, '.git'));
    }
    copyFileSync(join(REPO, 'templates', 'espflash.config.ts'), join(withConfig, 'espflash.config.ts'));
    const baseline = process.env.ESPFLASH_BENCH_BASELINE;
    const baseCli = baseline ? join(baseline, 'bin', 'espflash.js') : undefined;
    const cases: Case[] = [
      { name: 'node -e 0', args: ['-e', '0'], cwd: dir },
      ...(baseCli
        ? [
            { name: '[baseline] espflash --help', args: [baseCli, '--help'], cwd: without },
            { name: '[baseline] plan (no config)', args: [baseCli, 'plan'], cwd: without },
            { name: '[baseline] plan (espflash.config.ts)', args: [baseCli, 'plan'], cwd: withConfig },
          ]
        : []),
      { name: 'espflash --version', args: [CLI, '--version'], cwd: without },
      { name: 'espflash --help', args: [CLI, '--help'], cwd: without, goal: { ratio: 2 } },
      { name: 'espflash flash --help', args: [CLI, 'flash', '--help'], cwd: without },
      { name: 'espflash plan (no config)', args: [CLI, 'plan'], cwd: without },
      {
        name: 'espflash plan (espflash.config.ts)',
        args: [CLI, 'plan'],
        cwd: withConfig,
        goal: { ratio: 3, rssMiB: 80 },
      },
    ];
    const useGnuTime = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', 'true']).status === 0;
    const samples = cases.map(() => [] as Sample[]);
    for (let run = 0; run < RUNS + 1; run++) {
      cases.forEach((c, i) => {
        const s = runOnce(c, useGnuTime);
        if (run > 0) samples[i]!.push(s); // the first round warms the file cache
      });
    }
    const base = median(samples[0]!.map((s) => s.ms));
    process.stdout.write(
      `${'case'.padEnd(40)}${'median ms'.padStart(11)}${'x node'.padStart(9)}${'peak MiB'.padStart(10)}  goal\n`,
    );
    const out: Record<string, { ms: number; ratio: number; rssMiB: number }> = {};
    cases.forEach((c, i) => {
      const ms = median(samples[i]!.map((s) => s.ms));
      const rssMiB = median(samples[i]!.map((s) => s.rssKiB)) / 1024;
      const ratio = ms / base;
      const goal = c.goal
        ? `<= ${c.goal.ratio}x${c.goal.rssMiB ? `, < ${c.goal.rssMiB} MiB` : ''} (${ratio <= c.goal.ratio && (!c.goal.rssMiB || rssMiB < c.goal.rssMiB) ? 'met' : 'not met'})`
        : '';
      out[c.name] = { ms, ratio, rssMiB };
      process.stdout.write(
        `${c.name.padEnd(40)}${ms.toFixed(0).padStart(11)}${`${ratio.toFixed(1)}x`.padStart(9)}${rssMiB.toFixed(1).padStart(10)}  ${goal}\n`,
      );
    });
    process.stdout.write(
      `\n${RUNS} runs per case after one warm-up round; peak RSS from ${useGnuTime ? 'GNU time (%M)' : 'process.resourceUsage().maxRSS in the child'}.\n`,
    );
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchStartup();
