// Suites that need socat or ser2net must skip with one line naming the package when the binary is
// missing (a fresh machine), never fail with `spawn socat ENOENT`. This reads every test file and
// checks that whatever starts socat or ser2net is guarded by HAVE_SOCAT / HAVE_SER2NET.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SER2NET_SKIP_NOTE } from '../node/support/ser2net.js';
import { SOCAT_SKIP_NOTE } from '../node/support/socat.js';

const TEST_DIR = fileURLToPath(new URL('..', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

/** What in a test file starts the tool: the helpers, the sim's pty option, `--pty` on the CLI. */
const USES = {
  socat: /startPtyPair\(|ptyLink:|'--pty'/,
  ser2net: /startSer2net\(/,
};

describe('suites needing socat or ser2net skip cleanly where they are missing', () => {
  const files = testFiles(TEST_DIR).filter((f) => !f.endsWith('os-tool-skips.test.ts'));

  it('finds the suites that start them (the scan itself works)', () => {
    const users = files.filter((f) => USES.socat.test(readFileSync(f, 'utf8')));
    expect(users.length).toBeGreaterThanOrEqual(3);
  });

  for (const [tool, pattern] of Object.entries(USES)) {
    const guard = tool === 'socat' ? 'HAVE_SOCAT' : 'HAVE_SER2NET';
    it(`every file that starts ${tool} is guarded by ${guard}`, () => {
      const unguarded = files
        .filter((f) => {
          const text = readFileSync(f, 'utf8');
          return pattern.test(text) && !new RegExp(`skipIf\\([^)]*!${guard}\\b`).test(text);
        })
        .map((f) => relative(TEST_DIR, f));
      expect(unguarded).toEqual([]);
    });
  }

  it('the skip lines name the package to install', () => {
    // Empty where the tool is present; otherwise the apt-get line.
    for (const note of [SOCAT_SKIP_NOTE, SER2NET_SKIP_NOTE]) {
      if (note) expect(note).toMatch(/SKIPPED: \w+ not installed \(apt-get install -y \w+\)/);
    }
    expect(SOCAT_SKIP_NOTE === '' || SOCAT_SKIP_NOTE.includes('socat')).toBe(true);
  });
});
