// Stopping a cancelled build with everything it started: on POSIX the build runs in a process group
// of its own (signal the group: TERM, then KILL after a grace period); on Windows there are no groups,
// so `taskkill /T /F` ends the process tree (cmd.exe, python, ninja and the compilers it started).

import { execFile } from 'node:child_process';

/** How a build's process tree is stopped on one platform. */
export type KillPlan =
  | { kind: 'group'; pid: number }
  | { kind: 'taskkill'; file: 'taskkill'; args: string[] }
  | { kind: 'none' };

/** What to do to stop the tree rooted at `pid` (a process group leader on POSIX when `ownGroup`). */
export function killPlan(pid: number | undefined, platform: NodeJS.Platform, ownGroup: boolean): KillPlan {
  if (pid === undefined) return { kind: 'none' };
  if (platform === 'win32')
    return { kind: 'taskkill', file: 'taskkill', args: ['/pid', String(pid), '/T', '/F'] };
  return ownGroup ? { kind: 'group', pid } : { kind: 'none' };
}

/** Carry out a {@link killPlan}; errors (the tree is already gone) are ignored. */
export function killTree(plan: KillPlan, graceMs: number): void {
  if (plan.kind === 'taskkill') {
    execFile(plan.file, plan.args, { windowsHide: true }, () => {});
    return;
  }
  if (plan.kind !== 'group') return;
  const signalGroup = (signal: NodeJS.Signals): boolean => {
    try {
      process.kill(-plan.pid, signal);
      return true;
    } catch {
      return false; // already gone
    }
  };
  if (!signalGroup('SIGTERM')) return;
  setTimeout(() => signalGroup('SIGKILL'), graceMs).unref();
}
