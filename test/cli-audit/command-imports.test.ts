// Layout rule: a command file never imports another command file; what commands share lives in the
// CLI flows (src/cli/flows/). Also: the library folders never import the CLI.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const commandsDir = join(root, 'src/cli/commands');

/** Relative import specifiers of a source file, resolved to absolute paths. */
async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s));
}

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

describe('CLI layout', () => {
  it('no file in src/cli/commands imports another file in src/cli/commands', async () => {
    const files = await tsFiles(commandsDir);
    expect(files.length).toBeGreaterThan(10);
    const offenders: string[] = [];
    for (const file of files) {
      for (const target of await importsOf(file)) {
        if (dirname(target) === commandsDir) offenders.push(`${file} → ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('src/api and src/watch do not import src/cli', async () => {
    const offenders: string[] = [];
    for (const dir of ['src/api', 'src/watch']) {
      for (const file of await tsFiles(join(root, dir))) {
        for (const target of await importsOf(file)) {
          if (target.startsWith(join(root, 'src/cli'))) offenders.push(`${file} → ${target}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
