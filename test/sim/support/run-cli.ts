// Runs the espflash CLI from source in a child process (`node --import tsx run-cli.ts <args>`), for
// long-running commands such as `espflash sim` that must be stopped with a signal.
import { main } from '../../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
