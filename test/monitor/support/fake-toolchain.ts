// A stand-in `<prefix>addr2line` on a temp PATH that answers known addresses the way
// `addr2line -pfiaC` does, and a fake build dir with project_description.json and an ELF file.

import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Addresses the stand-in resolves, and what it prints for them. */
export const KNOWN: Record<string, string> = {
  '0x400d1234': 'app_main at /proj/main/main.c:12',
  '0x400d5678': 'crash_here at /proj/main/main.c:7\n (inlined by) app_main at /proj/main/main.c:14',
  '0x42000abc': 'app_main at /proj/main/main.c:21',
  '0x42000def': 'main_task at /idf/components/freertos/app_startup.c:208',
};

const SCRIPT = `
const known = ${JSON.stringify(KNOWN)};
const args = process.argv.slice(2);
const e = args.indexOf('-e');
if (args[0] !== '-pfiaC' || e < 0) { console.error('unexpected args ' + args.join(' ')); process.exit(3); }
const fs = await import('node:fs');
fs.appendFileSync(process.env.FAKE_ADDR2LINE_LOG, args.join(' ') + '\\n');
for (const a of args.slice(e + 2)) console.log(a + ': ' + (known[a] ?? '?? ??:0'));
`;

/** A temp dir with `bin/<prefix>addr2line`, `build/project_description.json` and `build/app.elf`. */
export interface FakeToolchain {
  dir: string;
  binDir: string;
  buildDir: string;
  elf: string;
  /** Each call's argv, one line per call. */
  logFile: string;
  /** Environment with PATH set to the bin dir only. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** Create the fake toolchain and build for `prefix` (e.g. `xtensa-esp32-elf-`). */
export async function fakeToolchain(options: {
  prefix: string;
  target: string;
  /** Leave the addr2line tool out. */
  noTool?: boolean;
}): Promise<FakeToolchain> {
  const dir = await mkdtemp(join(tmpdir(), 'espflash-a2l-'));
  const binDir = join(dir, 'bin');
  const buildDir = join(dir, 'build');
  await mkdir(binDir);
  await mkdir(buildDir);
  const elf = join(buildDir, 'app.elf');
  await writeFile(elf, '\x7fELF fake');
  await writeFile(
    join(buildDir, 'project_description.json'),
    JSON.stringify({ target: options.target, app_elf: 'app.elf', monitor_toolprefix: options.prefix }),
  );
  if (!options.noTool) {
    const js = join(binDir, 'addr2line.mjs');
    await writeFile(js, SCRIPT);
    const tool = join(binDir, `${options.prefix}addr2line`);
    await writeFile(tool, `#!/bin/sh\nexec "${process.execPath}" "${js}" "$@"\n`);
    await chmod(tool, 0o755);
  }
  const logFile = join(dir, 'calls.log');
  await writeFile(logFile, '');
  return {
    dir,
    binDir,
    buildDir,
    elf,
    logFile,
    env: { PATH: binDir, FAKE_ADDR2LINE_LOG: logFile },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
