import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonErrorPosition } from '../../src/project/json-position.js';
import { parseProjectDescription } from '../../src/project/project-description.js';
import { parseSdkConfigText } from '../../src/project/sdkconfig.js';
import { HAVE_SHARED, SHARED_SKIP_NOTE, sharedPath } from '../support/shared-fixtures.js';

/** `project_description.<key>: value` lines of BUILD_INFO.txt (the fixture author's own extraction). */
function buildInfoFacts(build: string): Record<string, string> {
  const text = readFileSync(sharedPath('idf-build', build, 'BUILD_INFO.txt'), 'utf8');
  return Object.fromEntries(
    [...text.matchAll(/^project_description\.(\w+): ?(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
  );
}

describe.skipIf(!HAVE_SHARED)(`project_description.json from every real build${SHARED_SKIP_NOTE}`, () => {
  const builds = HAVE_SHARED
    ? readdirSync(sharedPath('idf-build')).filter((b) => {
        try {
          readFileSync(sharedPath('idf-build', b, 'project_description.json'));
          return true;
        } catch {
          return false;
        }
      })
    : [];
  it.each(builds)('%s matches BUILD_INFO.txt', (build) => {
    const file = sharedPath('idf-build', build, 'project_description.json');
    const desc = parseProjectDescription(readFileSync(file, 'utf8'), { file });
    const facts = buildInfoFacts(build);
    expect(desc.projectName).toBe(facts.project_name);
    expect(desc.appBin).toBe(facts.app_bin);
    expect(desc.target).toBe(facts.target ?? null);
    const revision = facts.git_revision!;
    expect(desc.idfVersion).toBe(revision === 'HEAD-HASH-NOTFOUND' ? null : revision);
    expect(desc.formatVersion).toBe(facts.version ?? null);
    expect(desc.appElf).toMatch(/\.elf$/);
  });
});

describe('project_description.json edge cases', () => {
  it('bad JSON -> project/bad-project-description with position', () => {
    expect(() =>
      parseProjectDescription('{"target": "esp32",', { file: '/b/project_description.json' }),
    ).toThrow(
      expect.objectContaining({
        code: 'project/bad-project-description',
        message: expect.stringContaining('line 1'),
      }),
    );
  });

  it('old builds name the target only through a component', () => {
    const desc = parseProjectDescription(JSON.stringify({ build_components: ['log', 'esp8266', ''] }), {
      file: 'x',
    });
    expect(desc.components).toEqual(['log', 'esp8266']);
    expect(desc.target).toBeNull();
  });
});

describe('sdkconfig text', () => {
  it('parses y/quoted/hex/decimal values and skips "is not set" comments', () => {
    const values = parseSdkConfigText(
      'CONFIG_IDF_TARGET="esp32"\nCONFIG_PARTITION_TABLE_OFFSET=0x10000\n# CONFIG_SECURE_BOOT is not set\nCONFIG_X=12\nCONFIG_FLASH_ENC=y\n',
    );
    expect(values).toEqual({ IDF_TARGET: 'esp32', PARTITION_TABLE_OFFSET: 0x10000, X: 12, FLASH_ENC: true });
  });
});

describe('jsonErrorPosition', () => {
  it('null for valid JSON, line/column of the first bad character otherwise', () => {
    expect(jsonErrorPosition('{"a": [1, 2.5e3, true, null, "x\\"y"]}')).toBeNull();
    expect(jsonErrorPosition('{\n  "a": }')).toEqual({ offset: 9, line: 2, column: 8 });
    expect(jsonErrorPosition('{"a": 1')).toEqual({ offset: 7, line: 1, column: 8 });
  });
});
