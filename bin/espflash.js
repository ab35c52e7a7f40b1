#!/usr/bin/env node
// Executable entry: hands over to the bundled CLI (dist/cli-bundle: the compiled CLI in a few lazily
// loaded chunks, so start-up compiles a handful of modules; run `npm run build` first from a clone).
import('../dist/cli-bundle/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`espflash: internal error: ${err && err.stack ? err.stack : err}`);
    process.exitCode = 70;
  },
);
