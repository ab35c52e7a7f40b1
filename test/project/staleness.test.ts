import { createHash } from 'node:crypto';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildImage } from '../../src/image/image-builder.js';
import { buildAppDescriptor } from '../../src/image/image-descriptors.js';
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

  it('an image older than its ELF (no content to compare) is only reported, not refused', async () => {
    const app = file('app.bin', 50);
    const elf = file('app.elf', 5);
    expect(await checkImageFiles({ images: [{ file: app, entry: 'app', elf }], reference: null })).toEqual([
      { file: app, entry: 'app', newerThan: elf, basis: 'time' },
    ]);
  });

  it('an image older than flasher_args.json (a copied build) is only reported, not refused', async () => {
    const ref = file('flasher_args.json', 5);
    const table = file('pt.bin', 60);
    const stale = await checkImageFiles({
      images: [{ file: table, entry: 'partition-table' }],
      reference: ref,
    });
    expect(stale).toEqual([{ file: table, entry: 'partition-table', newerThan: ref, basis: 'time' }]);
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

describe('checkImageFiles by content (the app image embeds its ELF SHA-256)', () => {
  const elfBytes = new TextEncoder().encode('\x7fELF pretend elf contents');
  const appImage = (elfSha256: string) =>
    buildImage({
      chip: 'esp32',
      entry: 0x40080000,
      segments: [
        {
          loadAddress: 0x3f400020,
          data: buildAppDescriptor({ version: '1', projectName: 'p', idfVer: 'v5.1', elfSha256 }),
        },
        { loadAddress: 0x40080000, data: new Uint8Array(64) },
      ],
    });
  const place = (name: string, bytes: Uint8Array, ageSeconds: number) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const t = Date.now() / 1000 - ageSeconds;
    utimesSync(path, t, t);
    return path;
  };
  const digest = createHash('sha256').update(elfBytes).digest('hex');

  it('a matching image is fresh even when older than its ELF and flasher_args.json (cp -r)', async () => {
    const app = place('app.bin', appImage(digest), 100);
    const elf = place('app.elf', elfBytes, 5);
    const ref = file('flasher_args.json', 1);
    expect(await checkImageFiles({ images: [{ file: app, entry: 'app', elf }], reference: ref })).toEqual([]);
  });

  it('a different ELF SHA-256 is stale even when the image is newer, with a hint naming --allow-stale', async () => {
    const app = place('app.bin', appImage('ab'.repeat(32)), 1);
    const elf = place('app.elf', elfBytes, 100);
    const err = await checkImageFiles({ images: [{ file: app, entry: 'app', elf }], reference: null }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'project/stale-image',
      details: { stale: [{ file: app, newerThan: elf, basis: 'content' }] },
    });
    expect((err as { hint: string }).hint).toContain('--allow-stale');
  });

  it('allowStale returns the content-stale image instead of throwing', async () => {
    const app = place('app.bin', appImage('ab'.repeat(32)), 1);
    const elf = place('app.elf', elfBytes, 100);
    expect(
      await checkImageFiles({
        images: [{ file: app, entry: 'app', elf }],
        reference: null,
        allowStale: true,
      }),
    ).toEqual([{ file: app, entry: 'app', newerThan: elf, basis: 'content' }]);
  });
});
