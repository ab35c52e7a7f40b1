// The Node file watcher behind `espflash watch`: chokidar with the watch spec's filter, reporting
// adds, changes and removals, and dropping "changes" that leave a file's bytes as they were (editors
// touching files on save, a build rewriting sdkconfig unchanged), so they start no cycle. Contents
// are hashed (files up to 8 MiB) during the initial scan and after each change.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { watch } from 'chokidar';
import type { FileWatcher, FileWatchOptions } from './watch-types.js';

/** Files larger than this are reported without comparing their contents. */
const MAX_COMPARED_BYTES = 8 * 1024 * 1024;

async function digest(path: string): Promise<string | null> {
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_COMPARED_BYTES) return null;
    return createHash('sha1').update(bytes).digest('hex');
  } catch {
    return null;
  }
}

/** Options for {@link createChokidarWatcher}. */
export interface ChokidarWatcherOptions {
  /** Poll instead of using fs events (network drives, some containers). */
  usePolling?: boolean;
  /** Poll interval in ms (default 100). */
  interval?: number;
  /** How long a file's size must hold still before its change is reported (default 50 ms). */
  settleMs?: number;
}

/** A {@link FileWatcherFactory} built on chokidar. */
export function createChokidarWatcher(
  settings: ChokidarWatcherOptions = {},
): (options: FileWatchOptions) => FileWatcher {
  return (options) => {
    const known = new Map<string, string | null>();
    const watcher = watch(options.paths, {
      ignored: (path: string) => options.ignored(path),
      ignoreInitial: false,
      persistent: true,
      // Report a file once its size has held still briefly, not halfway through a rewrite.
      awaitWriteFinish: { stabilityThreshold: settings.settleMs ?? 50, pollInterval: 10 },
      ...(settings.usePolling ? { usePolling: true, interval: settings.interval ?? 100 } : {}),
    });
    let ready = false;
    // The initial scan only records contents, so a later rewrite with the same bytes is no change.
    const scanned: Array<Promise<void>> = [];
    const changed = async (path: string) => {
      const before = known.get(path);
      const now = await digest(path);
      known.set(path, now);
      if (now !== null && before === now) return;
      options.onChange(path);
    };
    const seen = (path: string) => {
      if (ready) void changed(path);
      else scanned.push(digest(path).then((d) => void known.set(path, d)));
    };
    watcher.on('add', seen);
    watcher.on('change', seen);
    watcher.on('unlink', (path) => {
      known.delete(path);
      if (ready) options.onChange(path);
    });
    watcher.on('error', (err) => options.onError(err));
    const whenReady = new Promise<void>((resolve) => {
      watcher.once('ready', () => {
        ready = true;
        void Promise.all(scanned).then(() => resolve());
      });
    });
    return { ready: whenReady, close: () => watcher.close() };
  };
}
