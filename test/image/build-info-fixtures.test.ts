// Cross-checks the header encoding against real ESP-IDF builds: BUILD_INFO.txt records the decoded
// header bytes of binaries we do not have; the build's flash_args says which settings produced them.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ChipName, chipByImageId, parseChipName } from '../../src/chips/chips.js';
import { describeHeaderFlashParams } from '../../src/image/flash-params.js';
import { buildImage } from '../../src/image/image-builder.js';
import { parseImage } from '../../src/image/image-parse.js';
import { HAVE_SHARED, SHARED_SKIP_NOTE, sharedPath } from '../support/shared-fixtures.js';

interface HeaderFact {
  build: string;
  file: string;
  segments: number;
  mode: number;
  sizeNibble: number;
  freqNibble: number;
  entry: number;
  chipId: number | null;
  maxRevFull: number | null;
}

interface BuildCase {
  build: string;
  target: ChipName;
  freq: string;
  size: string;
  facts: HeaderFact[];
}

function field(line: string, name: string): string | undefined {
  return new RegExp(`\\b${name}=(\\S+)`).exec(line)?.[1];
}

function loadCases(): BuildCase[] {
  if (!HAVE_SHARED) return [];
  const root = sharedPath('idf-build');
  const cases: BuildCase[] = [];
  for (const build of readdirSync(root).sort()) {
    const dir = join(root, build);
    const info = join(dir, 'BUILD_INFO.txt');
    const argsFile = ['flash_args', 'flash_project_args'].map((f) => join(dir, f)).find((f) => existsSync(f));
    if (!existsSync(info) || !argsFile) continue;
    const opts = readFileSync(argsFile, 'utf8');
    const freq = /--flash_freq (\S+)/.exec(opts)?.[1];
    const size = /--flash_size (\S+)/.exec(opts)?.[1];
    const chipText = build.startsWith('esp8266') ? 'esp8266' : /_(esp32\w*?)_/.exec(build)?.[1];
    const target = chipText ? parseChipName(chipText) : null;
    if (!freq || !size || !target) continue;
    const facts: HeaderFact[] = [];
    for (const line of readFileSync(info, 'utf8').split('\n')) {
      const m = /^\s+(\S+): magic=0xe9 /.exec(line);
      if (!m) continue;
      const chipId = field(line, 'chip_id');
      const maxRev = field(line, 'max_rev_full');
      facts.push({
        build,
        file: m[1]!,
        segments: Number(field(line, 'segments')),
        mode: Number(field(line, 'flash_mode_byte')),
        sizeNibble: Number(field(line, 'size_nibble')),
        freqNibble: Number(field(line, 'freq_nibble')),
        entry: Number(field(line, 'entry')),
        chipId: chipId === undefined ? null : Number(chipId),
        maxRevFull: maxRev === undefined ? null : Number(maxRev),
      });
    }
    // Skip binaries that are not from this build (e.g. a C61 merged image in an S3 project).
    const own = facts.filter((f) =>
      f.chipId === null ? target === 'esp8266' : chipByImageId(f.chipId)?.name === target,
    );
    if (own.length) cases.push({ build, target, freq, size, facts: own });
  }
  return cases;
}

const CASES = loadCases();

describe.skipIf(!HAVE_SHARED)(`image headers of real ESP-IDF builds${SHARED_SKIP_NOTE}`, () => {
  it('finds header facts for several chips, including the C6 and H2 quirks', () => {
    const chips = new Set(CASES.map((c) => c.target));
    for (const chip of ['esp8266', 'esp32', 'esp32s2', 'esp32s3', 'esp32c3', 'esp32c6', 'esp32h2'] as const) {
      expect(chips.has(chip), chip).toBe(true);
    }
  });

  it.each(CASES.map((c) => [c.build, c] as const))(
    '%s: building with its flash settings gives its header bytes',
    (_, c) => {
      for (const fact of c.facts) {
        const bytes = buildImage({
          chip: c.target,
          entry: fact.entry,
          segments: [],
          flashMode: 'dio',
          flashFreq: c.freq,
          flashSize: c.size === 'detect' ? '4MB' : c.size,
          ...(fact.maxRevFull === null ? {} : { maxRevFull: fact.maxRevFull }),
        });
        expect(bytes[2], `${fact.file} mode`).toBe(fact.mode);
        expect(bytes[3]! & 0x0f, `${fact.file} freq ${c.freq}`).toBe(fact.freqNibble);
        if (c.size !== 'detect') expect(bytes[3]! >> 4, `${fact.file} size ${c.size}`).toBe(fact.sizeNibble);

        // And the reverse: a header with these bytes decodes to the build's settings.
        bytes[3] = (fact.sizeNibble << 4) | fact.freqNibble;
        const image = parseImage(bytes, { chip: c.target });
        expect(image.entry).toBe(fact.entry);
        const decoded = describeHeaderFlashParams(image, c.target);
        expect(decoded.freq).toBe(c.freq);
        if (c.size !== 'detect') expect(decoded.size).toBe(c.size);
        expect(decoded.mode).toBe('dio');
      }
    },
  );
});
