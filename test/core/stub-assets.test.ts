import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHIPS } from '../../src/chips/chips.js';
import { EspflashError } from '../../src/errors.js';
import {
  createStubProvider,
  esptoolJsStubDir,
  esptoolJsStubProvider,
  stubFileFor,
} from '../../src/node/stub-assets.js';

describe('esptool-js stub provider', () => {
  it.each(CHIPS.map((c) => c.name))('loads the %s stub', async (chip) => {
    const image = await esptoolJsStubProvider(chip, {});
    const raw = JSON.parse(readFileSync(join(esptoolJsStubDir(), stubFileFor(chip)!), 'utf8'));
    expect(image).not.toBeNull();
    expect(image!.entry).toBe(raw.entry);
    expect(image!.textStart).toBe(raw.text_start);
    expect(image!.dataStart).toBe(raw.data_start);
    expect(image!.text.length).toBe(atob(raw.text).length);
    expect(image!.text[0]).toBe(atob(raw.text).charCodeAt(0));
    expect(image!.data.length).toBe(atob(raw.data).length);
    expect(image!.text).toBeInstanceOf(Uint8Array);
  });

  it('caches per file', async () => {
    const a = await esptoolJsStubProvider('esp32c3', {});
    const b = await esptoolJsStubProvider('esp32c3', {});
    expect(a).toBe(b);
  });

  it('picks the rev1 P4 stub below revision 3.0', () => {
    expect(stubFileFor('esp32p4', 100)).toBe('esp32p4-rev1.json');
    expect(stubFileFor('esp32p4', 300)).toBe('esp32p4.json');
    expect(stubFileFor('esp32p4')).toBe('esp32p4.json');
  });

  it('reports a missing stub as stub/unavailable with a --no-stub hint', async () => {
    const provider = createStubProvider({ dir: join(tmpdir(), 'espflash-no-such-dir') });
    const err = await provider('esp32', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EspflashError);
    expect((err as EspflashError).code).toBe('stub/unavailable');
    expect((err as EspflashError).hint).toContain('--no-stub');
  });

  it('rejects a file that is not a stub, and re-reads after a failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'espflash-stub-'));
    writeFileSync(join(dir, 'esp32.json'), '{"hello": 1}');
    const provider = createStubProvider({ dir });
    const err = await provider('esp32', {}).catch((e: unknown) => e);
    expect((err as EspflashError).code).toBe('stub/unavailable');
    writeFileSync(
      join(dir, 'esp32.json'),
      JSON.stringify({ entry: 1, text: btoa('\x01\x02'), text_start: 2 }),
    );
    const ok = await provider('esp32', {});
    expect([...ok!.text]).toEqual([1, 2]);
    expect(ok!.data.length).toBe(0);
  });
});
