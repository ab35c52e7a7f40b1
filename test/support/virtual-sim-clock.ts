// Test setup (unit project): `sim://` chips that the registry creates without a named clock run on a
// fresh virtual clock each, so the CLI run in process (test/support/cli.ts `runCli`) resets, syncs and
// times out on virtual time instead of sleeping for real. Suites that pair a sim:// port with real
// time (a real process, a socket, a pty, a timer of the CLI's own) call `useRealSimClock()` in the
// file's or the describe block's scope.
import { afterAll, beforeAll } from 'vitest';
import { setSimRegistryClock } from '../../src/sim/sim-registry.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

setSimRegistryClock(() => new VirtualClock());

/** Put sim:// chips created in the calling file or describe block back on the real clock. */
export function useRealSimClock(): void {
  beforeAll(() => setSimRegistryClock(null));
  afterAll(() => setSimRegistryClock(() => new VirtualClock()));
}
