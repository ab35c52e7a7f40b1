// Progress and status as typed data. The library emits FlashEvents to an injected sink; only the
// CLI renders them (TTY bars, plain lines, or NDJSON with --json).
//
// Order for a flash: connect-attempt* → connected → (stub-started) → (baud-changed) → flash-detected
// → for each region: region-start → (region-skipped | region-progress* → region-verified) → done;
// on failure an `error` is the last event of the operation.

/** Every event the library can emit. `type` is the discriminator. */
export type FlashEvent =
  | { type: 'connect-attempt'; attempt: number; strategy: string }
  | { type: 'connected'; chip: string; baud: number; stub: boolean }
  | { type: 'stub-started'; chip: string; reused: boolean }
  | { type: 'baud-changed'; baud: number }
  | { type: 'flash-detected'; jedecId: number; size: number | null }
  | { type: 'region-start'; index: number; offset: number; size: number; label: string | null; role: string }
  | { type: 'region-progress'; index: number; offset: number; written: number; total: number }
  | { type: 'region-skipped'; index: number; offset: number; reason: 'md5-match' }
  | { type: 'region-verified'; index: number; offset: number; md5: string; bytesWritten: number }
  | { type: 'erase-progress'; offset: number; erased: number; total: number }
  | { type: 'read-progress'; offset: number; read: number; total: number }
  | { type: 'retry'; operation: string; attempt: number; reason: string; offset?: number }
  | { type: 'reset'; mode: string }
  | { type: 'warning'; code: string; message: string }
  | { type: 'done'; ms: number }
  | {
      type: 'task-step-start';
      task: string;
      index: number;
      total: number;
      kind: string;
      description: string;
    }
  | { type: 'task-step-done'; task: string; index: number; total: number; kind: string; ms: number };

/** Receiver of events; must not throw. */
export type FlashEventSink = (event: FlashEvent) => void;

/** A sink that ignores everything (the default). */
export const ignoreEvents: FlashEventSink = () => {};
