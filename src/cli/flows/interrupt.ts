// Ctrl+C for CLI flows: a signal that aborts while a job runs. Builds and monitors stop and exit
// 130; a device job stops between blocks with `cli/interrupted` (still closing the port), and a
// second Ctrl+C during it exits at once.

import { EspflashError } from '../../errors.js';

/** Exit code after Ctrl+C (128 + SIGINT). */
export const INTERRUPTED_EXIT = 130;

/**
 * An AbortSignal that aborts on SIGINT while `run` is active; the listener is removed afterwards.
 * Used by commands that must stop cleanly on Ctrl+C (build, monitor).
 */
export async function withInterrupt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted (SIGINT)'));
  process.on('SIGINT', onSigint);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * Like {@link withInterrupt} for jobs on a device: the abort reason is `cli/interrupted` (the job
 * stops between blocks and closes the port); a second Ctrl+C exits 130 at once.
 */
export async function withDeviceInterrupt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT);
    controller.abort(
      new EspflashError('cli/interrupted', 'Interrupted (Ctrl-C)', {
        hint: 'Run the command again to finish.',
      }),
    );
  };
  process.on('SIGINT', onSigint);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
