// Runs the CLI from source (through tsx) as a real process, for PTY-level tests that must not
// depend on a fresh `npm run build`.

import { main } from '../../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
