// Finds the shared partition fixtures and reads, from CONVERSIONS.md, the gen_esp32part.py options
// each one was generated with (so tests never hard-code the list or the options).

import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { sharedPath } from '../support/shared-fixtures.js';

export const PARTITIONS_DIR = sharedPath('partitions');

/** The options of one recorded v5.5.5 `csv -> bin` run. */
export interface RecordedRun {
  tableOffset: number;
  bootloaderOffset?: number;
  recoveryBootloaderOffset?: number;
  flashSize: number | null;
  md5: boolean;
  extraSubtypes: string[];
  secure?: 'v1' | 'v2';
}

/** One accepted fixture: the CSV, the .bin beside it and the .roundtrip.csv. */
export interface AcceptedFixture {
  /** Path relative to the partitions folder, e.g. `esp-idf/partitions_singleapp.csv`. */
  rel: string;
  csv: string;
  bin: string;
  roundtrip: string;
}

/** Every CSV outside bad/ that is not itself a round-trip output. */
export function acceptedFixtures(): AcceptedFixture[] {
  const out: AcceptedFixture[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'bad') walk(full);
      } else if (entry.name.endsWith('.csv') && !entry.name.endsWith('.roundtrip.csv')) {
        const stem = full.slice(0, -'.csv'.length);
        out.push({
          rel: relative(PARTITIONS_DIR, full),
          csv: full,
          bin: `${stem}.bin`,
          roundtrip: `${stem}.roundtrip.csv`,
        });
      }
    }
  };
  walk(PARTITIONS_DIR);
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

/** Every bad/*.csv with the v5.5.5 stderr block of its .expected.txt. */
export function badFixtures(): Array<{ rel: string; csv: string; stderr: string; command: string }> {
  const dir = join(PARTITIONS_DIR, 'bad');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.csv'))
    .sort()
    .map((n) => {
      const expected = readFileSync(join(dir, n.replace(/\.csv$/, '.expected.txt')), 'utf8');
      const lines = expected.split('\n');
      const start = lines.indexOf('[v5.5.5] stderr:');
      const block: string[] = [];
      for (const line of lines.slice(start + 1)) {
        if (line.startsWith('[v4.4.8]')) break;
        block.push(line);
      }
      const command = lines.find((l) => l.startsWith('[v5.5.5] command:')) ?? '';
      return { rel: `bad/${n}`, csv: join(dir, n), stderr: block.join('\n').trimEnd(), command };
    });
}

const conversions = () => readFileSync(join(PARTITIONS_DIR, 'CONVERSIONS.md'), 'utf8');

/** Options of the recorded v5.5.5 csv->bin command for `rel` (throws when CONVERSIONS.md lacks it). */
export function recordedRun(rel: string): RecordedRun {
  const commands = conversions()
    .split('\n')
    .map((l) => /python3 gen_esp32part\.py\(v5\.5\.5\) (.*?)(?:`|$)/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined && /\.csv \S+\.bin/.test(c));
  const match = (c: string, path: string) => c.includes(` -- ${path} `);
  const command =
    commands.find((c) => match(c, rel)) ??
    commands.find((c) => match(c, basename(rel)) && !rel.startsWith('bad/'));
  if (!command) throw new Error(`CONVERSIONS.md has no v5.5.5 csv->bin command for ${rel}`);
  return parseCommand(command);
}

/** The options of a `gen_esp32part.py ... -- in out` command line. */
export function parseCommand(command: string): RecordedRun {
  const args = command.slice(0, command.indexOf(' -- ')).split(/\s+/).filter(Boolean);
  const run: RecordedRun = { tableOffset: 0x8000, flashSize: null, md5: true, extraSubtypes: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = () => args[++i]!;
    if (a === '--offset') run.tableOffset = Number(next());
    else if (a === '--primary-bootloader-offset') run.bootloaderOffset = Number(next());
    else if (a === '--recovery-bootloader-offset') run.recoveryBootloaderOffset = Number(next());
    else if (a === '--flash-size') run.flashSize = Number.parseInt(next(), 10) * 1024 * 1024;
    else if (a === '--disable-md5sum') run.md5 = false;
    else if (a === '--secure') run.secure = next() as 'v1' | 'v2';
    else if (a === '--extra-partition-subtypes') {
      while (args[i + 1] && !args[i + 1]!.startsWith('--')) run.extraSubtypes.push(next());
    }
  }
  return run;
}
