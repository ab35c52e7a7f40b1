// Stand-in build commands for the build tests: tiny node scripts in a temp dir, plus fake idf.py
// executables (shell wrappers around node) to be found through PATH or IDF_PATH.

import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A scratch directory with helpers to write scripts into it. */
export interface Scratch {
  dir: string;
  /** Write a node script; returns the command line that runs it. */
  nodeScript(name: string, source: string): Promise<string[]>;
  /** Write an executable shell wrapper that runs `source` with node. */
  executable(relPath: string, source: string): Promise<string>;
  cleanup(): Promise<void>;
}

/** Create a scratch directory under the OS temp dir. */
export async function scratch(): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'espflash-build-'));
  return {
    dir,
    async nodeScript(name, source) {
      const file = join(dir, name);
      await writeFile(file, source);
      return [process.execPath, file];
    },
    async executable(relPath, source) {
      const file = join(dir, relPath);
      await mkdir(dirname(file), { recursive: true });
      const js = `${file}.mjs`;
      await writeFile(js, source);
      await writeFile(file, `#!/bin/sh\nexec "${process.execPath}" "${js}" "$@"\n`);
      await chmod(file, 0o755);
      return file;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A fake idf.py: prints its argv and cwd, then exits 0. */
export const FAKE_IDF = `console.log('fake idf.py ' + process.argv.slice(2).join(' ') + ' in ' + process.cwd());\n`;
