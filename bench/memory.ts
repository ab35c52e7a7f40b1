// Memory section of `npm run bench` (also `npx tsx bench/memory.ts`): the built CLI writes a 16 MB
// firmware-like image (random data with structure: code-like runs, tables, strings, 0xFF padding)
// to a 16 MB virtual ESP32 (`sim://esp32?flashSize=16MB`, in the same process) in a child process,
// and the child's peak RSS is compared with the goal of issue #11 (150 MiB). Asserts nothing.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CLI = join(repoRoot, 'bin', 'espflash.js');
const PRELOAD = join(repoRoot, 'bench', 'support', 'peak-rss.mjs');
const IMAGE_BYTES = 16 << 20;
const GOAL_MIB = 150;
const RUNS = 5;

/** A deterministic image that deflates like firmware (to roughly 60-70 %), not like zeros or noise. */
export function firmwareLikeImage(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size).fill(0xff);
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const words = ['esp_err_t', 'nvs_flash_init', 'wifi', 'task', 'queue', 'E (%d) %s: ', 'ok\n'];
  const text = new TextEncoder();
  let at = 0;
  while (at < size) {
    const kind = next() % 8;
    const len = Math.min(size - at, 256 + (next() % 4096));
    if (kind < 4) {
      // code: random bytes drawn from a skewed alphabet (opcodes repeat)
      for (let i = 0; i < len; i++) out[at + i] = (next() % 97) * ((next() & 3) + 1);
    } else if (kind < 6) {
      for (let i = 0; i < len; i++) out[at + i] = next() & 0xff; // constants, tables: noise
    } else if (kind === 6) {
      let i = 0;
      while (i < len) {
        const w = text.encode(words[next() % words.length]);
        out.set(w.subarray(0, Math.min(w.length, len - i)), at + i);
        i += w.length;
      }
    }
    // kind 7: 0xFF padding, as left by the fill
    at += len;
  }
  return out;
}

function runChild(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const options = { cwd, env, timeout: 600_000, maxBuffer: 16 << 20 };
    execFile(process.execPath, args, options, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** Peak RSS (MiB) of `espflash write-bin 0 <16 MB image> --port sim://esp32?flashSize=16MB`. */
export async function benchMemory(): Promise<void> {
  process.stdout.write(
    '\nMemory: write a 16 MB firmware-like image with the built CLI to sim://esp32?flashSize=16MB\n\n',
  );
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))) {
    process.stdout.write('  (no dist/: run npm run build)\n');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'espflash-bench-mem-'));
  try {
    const image = join(dir, 'image.bin');
    writeFileSync(image, firmwareLikeImage(IMAGE_BYTES));
    // Peak RSS depends on when the collector frees dead buffers (later under CPU contention): the
    // median of a few runs, with their range.
    const peaks: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const rssFile = join(dir, `peak-rss-${run}`);
      const r = await runChild(
        [
          '--import',
          PRELOAD,
          CLI,
          'write-bin',
          '0',
          image,
          '--port',
          'sim://esp32?flashSize=16MB',
          '--force',
        ],
        // A folder without an espflash.config.*, as a user's: this repository's own .ts config would
        // load the TypeScript compiler and measure that instead.
        dir,
        { ...process.env, ESPFLASH_PEAK_RSS_FILE: rssFile, NO_COLOR: '1' },
      );
      if (r.code !== 0 || !existsSync(rssFile)) {
        process.stdout.write(`  write-bin failed (exit ${r.code}):\n${r.output}\n`);
        return;
      }
      peaks.push(Number(readFileSync(rssFile, 'utf8')) / 1024);
    }
    peaks.sort((a, b) => a - b);
    const median = peaks[Math.floor(peaks.length / 2)]!;
    process.stdout.write(
      `${'peak RSS, 16 MB write-bin'.padEnd(34)}${median.toFixed(0).padStart(6)} MiB (median of ${RUNS}; ${peaks[0]!.toFixed(0)}..${peaks.at(-1)!.toFixed(0)})   goal ${GOAL_MIB} MiB   ratio ${(median / GOAL_MIB).toFixed(2)}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await benchMemory();
