import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { renderError } from '../../src/cli/render-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { hasStackTrace } from '../support/cli.js';
import { tempProject } from './temp-project.js';

async function rendered(files: Record<string, string>) {
  const root = tempProject(files);
  let stderr = '';
  const io: CliIo = {
    stdout: () => {},
    stderr: (t) => {
      stderr += t;
    },
    env: {},
    cwd: root,
    isTTY: false,
  };
  const err = await loadConfig({ cwd: root }).then(
    () => null,
    (e: unknown) => e,
  );
  const code = renderError(err, { io, json: false, verbose: false, color: false });
  return { code, stderr, root };
}

describe('config errors as the CLI shows them', () => {
  it.each([
    {
      what: 'syntax error (ts)',
      name: 'espflash.config.ts',
      text: "export default { port: 'x' \n",
      code: 'config/load-failed',
    },
    {
      what: 'syntax error (mjs)',
      name: 'espflash.config.mjs',
      text: 'export default {\n  port: \n',
      code: 'config/load-failed',
    },
    {
      what: 'syntax error (json)',
      name: 'espflash.config.json',
      text: '{ "port": }',
      code: 'config/load-failed',
    },
    {
      what: 'config throws',
      name: 'espflash.config.mjs',
      text: "throw new TypeError('bad board table');\n",
      code: 'config/load-failed',
    },
    {
      what: 'value import of espflash',
      name: 'espflash.config.ts',
      text: "import { defineConfig } from 'espflash';\nexport default defineConfig({});\n",
      code: 'config/unresolvable-import',
    },
    {
      what: 'unknown key',
      name: 'espflash.config.ts',
      text: "export default { flashSize: '4MB' };\n",
      code: 'config/unknown-key',
    },
    {
      what: 'misplaced key',
      name: 'espflash.config.json',
      text: '{ "size": "4MB" }',
      code: 'config/misplaced-key',
    },
    {
      what: 'wrong type',
      name: 'espflash.config.json',
      text: '{ "baud": "fast" }',
      code: 'config/invalid-value',
    },
  ])('$what in $name -> $code, exit 2, file named, no stack trace', async ({ name, text, code }) => {
    const r = await rendered({ [name]: text });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error ${code}: `);
    expect(r.stderr).toContain(join(r.root, name));
    expect(r.stderr).toContain('hint: ');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr).not.toContain('internal error');
  });
});
