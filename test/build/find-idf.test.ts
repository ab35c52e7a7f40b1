import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findIdfPy } from '../../src/build/find-idf.js';
import { EspflashError } from '../../src/errors.js';
import { FAKE_IDF, type Scratch, scratch } from './support/stand-ins.js';

describe('findIdfPy', () => {
  let s: Scratch;
  beforeEach(async () => {
    s = await scratch();
  });
  afterEach(() => s.cleanup());

  it('finds idf.py on PATH (relative entries resolve against cwd)', async () => {
    const exe = await s.executable('tools/bin/idf.py', FAKE_IDF);
    const found = await findIdfPy({ env: { PATH: `/nonexistent:tools/bin` }, cwd: s.dir });
    expect(found).toEqual({ command: [exe], via: 'path' });
  });

  it('prefers PATH over IDF_PATH', async () => {
    const onPath = await s.executable('bin/idf.py', FAKE_IDF);
    await s.executable('idf/tools/idf.py', FAKE_IDF);
    const found = await findIdfPy({ env: { PATH: `${s.dir}/bin`, IDF_PATH: `${s.dir}/idf` }, cwd: s.dir });
    expect(found.command).toEqual([onPath]);
  });

  it('falls back to $IDF_PATH/tools/idf.py run with python3', async () => {
    const script = await s.executable('idf/tools/idf.py', FAKE_IDF);
    const found = await findIdfPy({ env: { PATH: '/nonexistent', IDF_PATH: `${s.dir}/idf` }, cwd: s.dir });
    expect(found).toEqual({ command: ['python3', script], via: 'idf-path' });
  });

  it('skips a non-executable idf.py on PATH', async () => {
    await s.nodeScript('idf.py', FAKE_IDF); // written without the x bit
    await expect(findIdfPy({ env: { PATH: s.dir }, cwd: s.dir })).rejects.toMatchObject({
      code: 'build/idf-not-found',
    });
  });

  it('reports build/idf-not-found with the activation command and build.command in the hint', async () => {
    const err = await findIdfPy({
      env: { PATH: '/nonexistent', IDF_PATH: `${s.dir}/missing` },
      cwd: s.dir,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EspflashError);
    const e = err as EspflashError;
    expect(e.code).toBe('build/idf-not-found');
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('ESP-IDF environment is not active');
    expect(e.hint).toContain('. $IDF_PATH/export.sh');
    expect(e.hint).toContain('build.command');
    expect(e.details.looked).toBe(`${s.dir}/missing/tools/idf.py`);
  });
});
