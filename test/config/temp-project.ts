// Temporary project directories for config tests: each has a `.git` folder at its root so the
// upward search stops there, and helpers to write files relative to it.

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh project root (removed after the test) with `files` written into it. */
export function tempProject(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'espflash-config-'));
  made.push(root);
  mkdirSync(join(root, '.git'));
  for (const [path, text] of Object.entries(files)) writeProjectFile(root, path, text);
  return root;
}

/** Write `text` to `root/path`, creating folders. */
export function writeProjectFile(root: string, path: string, text: string): string {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** Names in `dir` (to check that no temporary compiled files were left behind). */
export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}
