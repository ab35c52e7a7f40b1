// Test helper: a connected pseudo-terminal pair made by socat (bytes written to one end come out of
// the other), with bounded start-up and a cleanup that always kills socat and removes the links.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether the `socat` binary is available. */
export const HAVE_SOCAT = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;

/** Title suffix for suites that need socat. */
export const SOCAT_SKIP_NOTE = HAVE_SOCAT ? '' : ' [SKIPPED: socat not installed (apt-get install -y socat)]';

/** A running pty pair. */
export interface PtyPair {
  /** Symlink to the first pty (`<dir>/a`). */
  a: string;
  /** Symlink to the second pty (`<dir>/b`). */
  b: string;
  /** The temp folder holding the links. */
  dir: string;
  /** socat's pid. */
  pid: number;
  /** Kill socat (TERM, then KILL after 2 s) and remove the folder. Safe to call twice. */
  cleanup(): Promise<void>;
}

/** Resolve when `child` exits, or after `ms`, whichever is first; true if it exited. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Stop a child for good: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function killChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (!(await waitForExit(child, graceMs))) {
    child.kill('SIGKILL');
    await waitForExit(child, graceMs);
  }
}

/** Start `socat` with two raw, no-echo ptys; rejects (after killing it) if it is not ready in `timeoutMs`. */
export async function startPtyPair(options: { timeoutMs?: number } = {}): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'espflash-pty-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await killChild(child);
    rmSync(dir, { recursive: true, force: true });
  };

  let log = '';
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), options.timeoutMs ?? 5000);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('starting data transfer loop')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  if (!ready || child.pid === undefined) {
    await cleanup();
    throw new Error(`socat did not start a pty pair:\n${log}`);
  }
  return { a, b, dir, pid: child.pid, cleanup };
}
