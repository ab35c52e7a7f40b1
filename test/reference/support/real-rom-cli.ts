// Drive the built espflash CLI (bin/espflash.js, needs `npm run build`) against the real ESP32 ROM
// under QEMU: a child process per command, --json events parsed, a private cache dir and no config.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../../support/cli.js';
import type { Qemu } from '../../support/reference-tools.js';

/** One JSON event line of `--json` output. */
export type CliEvent = { event: string } & Record<string, unknown>;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  events: CliEvent[];
  /** The first event of this type (throws with the output when absent). */
  event(type: string): CliEvent;
}

/** A working directory and cache folder of their own (no espflash.config.* above them). */
export function scratch(prefix: string): { dir: string; cacheDir: string } {
  const dir = mkdtempSync(join(tmpdir(), `espflash-rom-${prefix}-`));
  return { dir, cacheDir: join(dir, 'cache') };
}

/** `--port <qemu> --before no-reset --after no-reset` */
export function onQemu(qemu: Qemu): string[] {
  return ['--port', qemu.url, '--before', 'no-reset', '--after', 'no-reset'];
}

/** Run `espflash <argv> --json` as a child process. */
export function espflash(
  argv: string[],
  options: { cwd: string; cacheDir: string; timeoutMs?: number },
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv, '--json'], {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: options.cwd,
        NO_COLOR: '1',
        ESPFLASH_CACHE_DIR: options.cacheDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      const events = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as CliEvent);
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        events,
        event(type) {
          const found = events.find((e) => e.event === type);
          if (!found) throw new Error(`no "${type}" event in:\n${stdout}\n${stderr}`);
          return found;
        },
      });
    });
  });
}

/** Compressible, seed-dependent test data (text lines), `size` bytes. */
export function textPattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let line = 0;
  for (let at = 0; at < size; line++) {
    const text = `espflash real-ROM check ${seed}: line ${line} ${'#'.repeat((line * 7 + seed) % 23)}\n`;
    for (let i = 0; i < text.length && at < size; i++) out[at++] = text.charCodeAt(i);
  }
  return out;
}

/** Lower-case hex MD5. */
export function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** `count` 0xFF bytes. */
export function erased(count: number): Uint8Array {
  return new Uint8Array(count).fill(0xff);
}
