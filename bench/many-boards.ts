// Many-boards section of `npm run bench` (also `npx tsx bench/many-boards.ts`): 8 separate
// `espflash sim` processes (timing model on, real time: each paces its UART and flash like a board)
// and the built CLI flashing one generated build to 1 board, then to all 8 in one command
// (`--port` repeated). Prints both wall times and their ratio (goal of issue #12: at most 1.2x).
// Needs `npm run build`. Asserts nothing.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateExampleBuild } from '../src/example/example-build.js';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CLI = join(repoRoot, 'bin', 'espflash.js');
const BOARDS = 8;
const GOAL_RATIO = 1.2;

/** Start `espflash sim` (timing on) and resolve with its socket:// port once it listens. */
function startSim(children: ChildProcess[]): Promise<string> {
  const child = spawn(process.execPath, [CLI, 'sim', '--json', '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`sim did not start: ${out}`)), 30_000);
    child.stdout?.on('data', (d) => {
      out += String(d);
      for (const line of out.split('\n')) {
        if (!line.trim().startsWith('{')) continue;
        const ev = JSON.parse(line) as { event: string; host: string; port: number };
        if (ev.event === 'listening') {
          clearTimeout(timer);
          done(`socket://${ev.host}:${ev.port}`);
        }
      }
    });
    child.on('exit', (code) => fail(new Error(`sim exited with ${code}`)));
  });
}

/** Run the built CLI; resolves with its wall time in ms (rejects on a non-zero exit). */
function flash(ports: string[], buildDir: string, cacheDir: string): Promise<number> {
  const argv = [
    CLI,
    'flash',
    '--no-config',
    '--build-dir',
    buildDir,
    '--force',
    ...ports.flatMap((p) => ['--port', p]),
  ];
  const t0 = performance.now();
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      argv,
      { env: { ...process.env, ESPFLASH_CACHE_DIR: cacheDir, NO_COLOR: '1' }, maxBuffer: 16 << 20 },
      (err, _stdout, stderr) => {
        if (err) fail(new Error(`flash to ${ports.length} board(s) failed: ${stderr.slice(-2000)}`));
        else done(performance.now() - t0);
      },
    );
  });
}

export async function benchManyBoards(): Promise<void> {
  process.stdout.write(
    `\nMany boards: ${BOARDS} \`espflash sim\` processes (timing model on), one command\n\n`,
  );
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))) {
    process.stdout.write('  skipped: the built CLI is missing (run `npm run build`)\n');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'espflash-bench-many-'));
  const children: ChildProcess[] = [];
  try {
    const { buildDir } = await generateExampleBuild({ dir, chip: 'esp32', appSize: 256 * 1024, seed: 3 });
    const ports = await Promise.all(Array.from({ length: BOARDS }, () => startSim(children)));
    const cacheDir = join(dir, 'cache');
    // Warm-up (disk cache, stub assets), then the measured runs in one sitting.
    await flash([ports[0] as string], buildDir, cacheDir);
    const one = await flash([ports[0] as string], buildDir, cacheDir);
    const all = await flash(ports, buildDir, cacheDir);
    const ratio = all / one;
    process.stdout.write(`  1 board:   ${(one / 1000).toFixed(2)} s wall\n`);
    process.stdout.write(
      `  ${BOARDS} boards:  ${(all / 1000).toFixed(2)} s wall (one command, --port x${BOARDS})\n`,
    );
    process.stdout.write(
      `  ratio:     ${ratio.toFixed(2)}x (goal <= ${GOAL_RATIO}x: ${ratio <= GOAL_RATIO ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchManyBoards();
}
