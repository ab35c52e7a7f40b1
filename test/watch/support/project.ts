// A temp ESP-IDF-like project for the watch integration tests: main/seed.txt picks the example
// build a stand-in build command (a TypeScript script run by tsx) generates; seed 0 fails the build.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateExampleBuild } from '../../../src/example/example-build.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** App size of the generated builds (small, so flashing the sim is quick). */
export const APP_SIZE = 48 * 1024;

/** A project plus its stand-in build command and a sim:// port whose flash persists in a file. */
export interface WatchProject {
  /** Scratch root (project, script and flash file live below it). */
  root: string;
  projectDir: string;
  buildDir: string;
  /** argv of the build command. */
  buildCommand: string[];
  /** `sim://esp32?flashFile=…`. */
  port: string;
  flashFile: string;
  /** Change main/seed.txt (what the next build generates). */
  setSeed(seed: number): Promise<void>;
  /** The app image the build produced. */
  appImage(): Promise<Uint8Array>;
  /** The virtual chip's flash at `offset`. */
  flash(offset: number, size: number): Promise<Uint8Array>;
  cleanup(): Promise<void>;
}

const BUILD_SCRIPT = (exampleModule: string) => `
import { readFileSync } from 'node:fs';
import { generateExampleBuild } from ${JSON.stringify(exampleModule)};
const seed = Number(readFileSync('main/seed.txt', 'utf8').trim());
console.log('[1/2] Building seed ' + seed);
if (seed === 0) {
  console.error('main/app.c:3:1: error: expected ; before }');
  process.exit(1);
}
await generateExampleBuild({ dir: process.cwd(), seed, appSize: ${APP_SIZE} });
console.log('[2/2] Project build complete.');
`;

/** Create the project, already built with seed 1 (as after a first `idf.py build`). */
export async function watchProject(): Promise<WatchProject> {
  const root = await mkdtemp(join(tmpdir(), 'espflash-watch-'));
  const projectDir = join(root, 'project');
  await mkdir(join(projectDir, 'main'), { recursive: true });
  await writeFile(join(projectDir, 'main', 'app.c'), 'void app_main(void) {}\n');
  await writeFile(join(projectDir, 'main', 'seed.txt'), '1\n');
  const script = join(root, 'build.mts');
  await writeFile(script, BUILD_SCRIPT(join(REPO, 'src/example/example-build.ts')));
  const build = await generateExampleBuild({ dir: projectDir, seed: 1, appSize: APP_SIZE });
  const flashFile = join(root, 'flash.bin');
  return {
    root,
    projectDir,
    buildDir: build.buildDir,
    buildCommand: [join(REPO, 'node_modules/.bin/tsx'), script],
    port: `sim://esp32?flashFile=${encodeURIComponent(flashFile)}`,
    flashFile,
    setSeed: (seed) => writeFile(join(projectDir, 'main', 'seed.txt'), `${seed}\n`),
    appImage: async () => new Uint8Array(await readFile(build.files.app)),
    flash: async (offset, size) => new Uint8Array(await readFile(flashFile)).subarray(offset, offset + size),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
