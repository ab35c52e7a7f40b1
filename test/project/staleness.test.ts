import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkImageFiles } from '../../src/project/staleness.js';

let dir: string;
const file = (name: string, ageSeconds: number) => {
  const path = join(dir, name);
  writeFileSync(path, 'x');
  const t = Date.now() / 1000 - ageSeconds;
  utimesSync(path, t, t);
  return path;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'espflash-stale-'));
});

describe('checkImageFiles', () => {
  it('fresh images pass and return no stale entries', async () => {
    const ref = file('flasher_args.json', 100);
    const app = file('app.bin', 10);
    const elf = file('app.elf', 20);
    expect(await checkImageFiles({ images: [{ file: app, entry: 'app', elf }], reference: ref })).toEqual([]);
  });

  it('missing images -> project/missing-image naming every file and entry', async () => {
    const err = await checkImageFiles({
      images: [
        { file: join(dir, 'a.bin'), entry: 'app' },
        { file: join(dir, 'storage.bin'), entry: 'storage' },
      ],
      reference: null,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'project/missing-image', exitCode: 2 });
    const e = err as { message: string; hint: string };
    expect(e.message).toContain(`${join(dir, 'a.bin')} (app)`);
    expect(e.message).toContain(`${join(dir, 'storage.bin')} (storage)`);
    expect(e.hint).toMatch(/idf\.py build.*espflash --build/);
  });

  it('an image older than its ELF is stale', async () => {
    const app = file('app.bin', 50);
    const elf = file('app.elf', 5);
    const err = await checkImageFiles({ images: [{ file: app, entry: 'app', elf }], reference: null }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'project/stale-image',
      details: { stale: [{ file: app, newerThan: elf }] },
    });
  });

  it('an image older than flasher_args.json is stale; allowStale records instead of throwing', async () => {
    const ref = file('flasher_args.json', 5);
    const table = file('pt.bin', 60);
    const stale = await checkImageFiles({
      images: [{ file: table, entry: 'partition-table' }],
      reference: ref,
      allowStale: true,
    });
    expect(stale).toEqual([{ file: table, entry: 'partition-table', newerThan: ref }]);
  });

  it('a missing ELF is not a reason to call an image stale', async () => {
    const app = file('app.bin', 50);
    expect(
      await checkImageFiles({
        images: [{ file: app, entry: 'app', elf: join(dir, 'gone.elf') }],
        reference: null,
      }),
    ).toEqual([]);
  });
});
