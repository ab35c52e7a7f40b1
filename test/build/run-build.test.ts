import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killPlan } from '../../src/build/kill-tree.js';
import { runBuild } from '../../src/build/run-build.js';
import type { EspflashError } from '../../src/errors.js';
import { FAKE_IDF, type Scratch, scratch } from './support/stand-ins.js';

describe('runBuild', () => {
  let s: Scratch;
  beforeEach(async () => {
    s = await scratch();
  });
  afterEach(() => s.cleanup());

  it('streams stdout and stderr line by line and resolves with the command', async () => {
    const cmd = await s.nodeScript(
      'ok.mjs',
      `process.stdout.write('[1/3] Compiling\\n[2/3] Link');\nsetTimeout(() => { process.stdout.write('ing\\n'); console.error('warning: unused'); console.log('Project build complete.'); }, 20);\n`,
    );
    const lines: Array<{ line: string; stream: string }> = [];
    const result = await runBuild({
      projectDir: s.dir,
      command: cmd,
      onOutput: (line, stream) => lines.push({ line, stream }),
    });
    expect(result.command).toEqual(cmd);
    expect(result.ms).toBeGreaterThanOrEqual(0);
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual([
      '[1/3] Compiling',
      '[2/3] Linking',
      'Project build complete.',
    ]);
    expect(lines).toContainEqual({ line: 'warning: unused', stream: 'stderr' });
  });

  it('runs in the project directory with the given environment', async () => {
    const cmd = await s.nodeScript('env.mjs', `console.log(process.cwd() + '|' + process.env.MY_FLAG);\n`);
    const lines: string[] = [];
    await runBuild({
      projectDir: s.dir,
      command: cmd,
      env: { MY_FLAG: 'on' },
      onOutput: (l) => lines.push(l),
    });
    expect(lines).toEqual([`${s.dir}|on`]);
  });

  it('fails with build/failed, the exit code and the last 30 lines', async () => {
    const cmd = await s.nodeScript(
      'fail.mjs',
      `for (let i = 1; i <= 50; i++) console.log('line ' + i);\nconsole.error('main.c:12: error: boom');\nprocess.exit(2);\n`,
    );
    const err = (await runBuild({ projectDir: s.dir, command: cmd }).catch(
      (e: unknown) => e,
    )) as EspflashError;
    expect(err.code).toBe('build/failed');
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain('exit code 2');
    expect(err.details.exitCode).toBe(2);
    expect(err.details.command).toEqual(cmd);
    const tail = err.details.tail as string[];
    expect(tail).toHaveLength(30);
    expect(tail[0]).toBe('line 22');
    expect(tail.at(-1)).toBe('main.c:12: error: boom');
    expect(err.hint).toContain(`Run \`cd ${s.dir} && ${cmd.join(' ')}\` to see the full log`);
  });

  it('names idf.py build in the failure hint', async () => {
    const idf = await s.executable('bin/idf.py', `console.error('CMake Error'); process.exit(1);\n`);
    const err = (await runBuild({ projectDir: s.dir, env: { PATH: `${s.dir}/bin` } }).catch(
      (e: unknown) => e,
    )) as EspflashError;
    expect(err.code).toBe('build/failed');
    expect(err.details.command).toEqual([idf, 'build']);
    expect(err.hint).toContain(`&& idf.py build\``);
    expect(err.details.tail).toEqual(['CMake Error']);
  });

  it('runs idf.py build from PATH by default', async () => {
    const idf = await s.executable('bin/idf.py', FAKE_IDF);
    const lines: string[] = [];
    const result = await runBuild({
      projectDir: s.dir,
      env: { PATH: `${s.dir}/bin` },
      onOutput: (l) => lines.push(l),
    });
    expect(result.command).toEqual([idf, 'build']);
    expect(lines).toEqual([`fake idf.py build in ${s.dir}`]);
  });

  it('runs $IDF_PATH/tools/idf.py with python3 when idf.py is not on PATH', async () => {
    const script = await s.executable('idf/tools/idf.py', FAKE_IDF);
    // A stand-in python3 on PATH that runs the script it is given.
    await s.executable(
      'bin/python3',
      `import('node:child_process').then(({ spawnSync }) => { const r = spawnSync(process.argv[2], process.argv.slice(3), { stdio: 'inherit' }); process.exit(r.status ?? 1); });\n`,
    );
    const lines: string[] = [];
    const result = await runBuild({
      projectDir: s.dir,
      env: { PATH: `${s.dir}/bin`, IDF_PATH: `${s.dir}/idf` },
      onOutput: (l) => lines.push(l),
    });
    expect(result.command).toEqual(['python3', script, 'build']);
    expect(lines).toEqual([`fake idf.py build in ${s.dir}`]);
  });

  it('reports build/idf-not-found without a command or idf.py', async () => {
    await expect(runBuild({ projectDir: s.dir, env: { PATH: '/nonexistent' } })).rejects.toMatchObject({
      code: 'build/idf-not-found',
    });
  });

  it('reports a missing build.command as build/command-not-found', async () => {
    await expect(
      runBuild({ projectDir: s.dir, command: ['/nonexistent/make-it'], env: { PATH: '/nonexistent' } }),
    ).rejects.toMatchObject({ code: 'build/command-not-found', exitCode: 2 });
  });

  it('stops a long build on abort with build/cancelled, killing its children too', async () => {
    const pidFile = `${s.dir}/grandchild.pid`;
    const cmd = await s.nodeScript(
      'long.mjs',
      `import { spawn } from 'node:child_process';\nimport { writeFileSync } from 'node:fs';\nconst c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });\nwriteFileSync(${JSON.stringify(pidFile)}, String(c.pid));\nconsole.log('started');\nsetInterval(() => {}, 1000);\n`,
    );
    const controller = new AbortController();
    const running = runBuild({
      projectDir: s.dir,
      command: cmd,
      signal: controller.signal,
      onOutput: (line) => {
        if (line === 'started') controller.abort();
      },
    });
    await expect(running).rejects.toMatchObject({ code: 'build/cancelled' });
    const { readFile } = await import('node:fs/promises');
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    await expect.poll(() => isAlive(grandchild), { timeout: 10_000 }).toBe(false);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const cmd = await s.nodeScript('never.mjs', `console.log('ran');\n`);
    const lines: string[] = [];
    await expect(
      runBuild({
        projectDir: s.dir,
        command: cmd,
        signal: AbortSignal.abort(),
        onOutput: (l) => lines.push(l),
      }),
    ).rejects.toMatchObject({ code: 'build/cancelled' });
    expect(lines).toEqual([]);
  });
});

/** Running (a zombie waiting for a reaper counts as stopped). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return true;
  }
}

describe('stopping a cancelled build tree, per platform', () => {
  it('signals the process group on POSIX when the build has its own group', () => {
    expect(killPlan(4321, 'linux', true)).toEqual({ kind: 'group', pid: 4321 });
    expect(killPlan(4321, 'darwin', true)).toEqual({ kind: 'group', pid: 4321 });
    expect(killPlan(4321, 'linux', false)).toEqual({ kind: 'none' });
  });
  it('ends the whole tree with taskkill /T /F on Windows (no process groups there)', () => {
    expect(killPlan(4321, 'win32', false)).toEqual({
      kind: 'taskkill',
      file: 'taskkill',
      args: ['/pid', '4321', '/T', '/F'],
    });
  });
  it('does nothing without a pid (the build never started)', () => {
    expect(killPlan(undefined, 'win32', false)).toEqual({ kind: 'none' });
  });
});
