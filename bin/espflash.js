#!/usr/bin/env node
// Executable entry: hands over to the compiled CLI (run `npm run build` first when working from a clone).
import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`espflash: internal error: ${err && err.stack ? err.stack : err}`);
    process.exitCode = 70;
  },
);
