// Locates ../shared/fixtures (real ESP-IDF outputs, never copied into this repo). Suites that need
// it use `describe.skipIf(!HAVE_SHARED)` with SHARED_SKIP_NOTE in their title, so a missing folder
// shows up as clearly skipped, never as a silent pass.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Absolute path of the shared fixtures folder (override with ESPFLASH_SHARED_FIXTURES). */
export const SHARED_FIXTURES =
  process.env.ESPFLASH_SHARED_FIXTURES ?? resolve(repoRoot, '..', 'shared', 'fixtures');

/** Whether the shared fixtures are present. */
export const HAVE_SHARED = existsSync(SHARED_FIXTURES);

/** Title suffix for suites that depend on the shared fixtures. */
export const SHARED_SKIP_NOTE = HAVE_SHARED ? '' : ` [SKIPPED: ${SHARED_FIXTURES} not found]`;

if (!HAVE_SHARED) {
  process.stderr.write(`note: shared fixtures not found at ${SHARED_FIXTURES}; fixture suites are skipped\n`);
}

/** Path inside the shared fixtures. */
export function sharedPath(...parts: string[]): string {
  return join(SHARED_FIXTURES, ...parts);
}
