import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../support/cli.js';
import { FAKE_IDF, type Scratch, scratch } from './support/stand-ins.js';

describe('espflash build', () => {
  let s: Scratch;
  beforeEach(async () => {
    s = await scratch();
  });
  afterEach(() => s.cleanup());

  it('runs idf.py build in --project and streams its output', async () => {
    await s.executable('bin/idf.py', FAKE_IDF);
    const r = await runCli(['build', '--project', s.dir, '--no-config'], { env: { PATH: `${s.dir}/bin` } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`fake idf.py build in ${s.dir}`);
    expect(r.stdout).toMatch(/Build finished in \d+\.\d s/);
  });

  it('uses build.command from the config file', async () => {
    const script = `${s.dir}/build.mjs`;
    await writeFile(script, `console.log('custom build ' + process.argv.slice(2).join(' '));\n`);
    await writeFile(
      `${s.dir}/espflash.config.json`,
      JSON.stringify({ build: { command: [process.execPath, script, '--preset', 'release'] } }),
    );
    const r = await runCli(['build'], { cwd: s.dir, env: { PATH: '/nonexistent' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('custom build --preset release');
  });

  it('exits 1 with build/failed and the hint on a failing build, without a stack trace', async () => {
    await s.executable('bin/idf.py', `console.error('main.c:3: error: expected ;'); process.exit(2);\n`);
    const r = await runCli(['build', '--project', s.dir, '--no-config'], { env: { PATH: `${s.dir}/bin` } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('main.c:3: error: expected ;');
    expect(r.stderr).toContain('build/failed');
    expect(r.stderr).toContain(`Run \`cd ${s.dir} && idf.py build\``);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('puts the tail into the JSON error and streams nothing in --json mode', async () => {
    await s.executable('bin/idf.py', `console.log('noise'); console.error('fatal'); process.exit(1);\n`);
    const r = await runCli(['build', '--project', s.dir, '--no-config', '--json'], {
      env: { PATH: `${s.dir}/bin` },
    });
    expect(r.code).toBe(1);
    const event = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(event).toMatchObject({
      event: 'error',
      code: 'build/failed',
      details: { tail: ['noise', 'fatal'] },
    });
    expect(r.stdout.split('\n').filter((l) => l === 'noise')).toEqual([]);
  });

  it('exits 2 with build/idf-not-found when ESP-IDF is not active', async () => {
    const r = await runCli(['build', '--project', s.dir, '--no-config'], { env: { PATH: '/nonexistent' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('build/idf-not-found');
    expect(r.stderr).toContain('export.sh');
  });

  it('stops the build on SIGINT and exits 130', async () => {
    await s.executable('bin/idf.py', `console.log('compiling'); setInterval(() => {}, 1000);\n`);
    const before = process.listenerCount('SIGINT');
    const running = runCli(['build', '--project', s.dir, '--no-config'], { env: { PATH: `${s.dir}/bin` } });
    // Wait until the command has installed its handler, then deliver SIGINT to it in process.
    await expect.poll(() => process.listenerCount('SIGINT'), { timeout: 10_000 }).toBeGreaterThan(before);
    process.emit('SIGINT', 'SIGINT');
    const r = await running;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Build cancelled.');
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
