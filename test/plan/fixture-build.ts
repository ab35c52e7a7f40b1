// Test helper: copies a shared ESP-IDF build fixture to a temp project, writes generated images where
// its flasher_args.json points (sizes from BUILD_INFO.txt), and reads the facts a plan must match
// straight from the fixture's own files (flasher_args.json, partition-table.decoded.csv, dir name).

import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChipName } from '../../src/chips/chips.js';
import { buildImage } from '../../src/image/image-builder.js';
import { encodePartitionTable } from '../../src/partition/binary.js';
import { HAVE_SHARED, sharedPath } from '../support/shared-fixtures.js';

/** Every build fixture folder name. */
export const FIXTURE_BUILDS: string[] = HAVE_SHARED ? readdirSync(sharedPath('idf-build')).sort() : [];

/** A partition as the reference decoding (or our synthesised table) lists it. */
export interface OraclePartition {
  name: string;
  type: number;
  subtype: number;
  offset: number;
  size: number;
}

/** One flash_files pair with what the fixture says about it. */
export interface FixtureEntry {
  offset: number;
  /** Path relative to the build dir. */
  file: string;
  name: string | null;
  encrypted: boolean;
}

/** A prepared copy of a fixture. */
export interface PreparedBuild {
  fixture: string;
  /** Absolute build dir (`<tmp>/project/build`). */
  dir: string;
  /** Chip named by the fixture folder (`v5.5_esp32c5_…` → esp32c5). */
  chip: ChipName;
  /** Parsed flasher_args.json. */
  flasherArgs: Record<string, unknown>;
  entries: FixtureEntry[];
  partitions: OraclePartition[] | null;
}

const HOUR_AGO = () => Date.now() / 1000 - 3600;

/** Copy `fixture` to a temp dir and (unless `images: false`) write every image it references. */
export function prepareFixture(fixture: string, options: { images?: boolean } = {}): PreparedBuild {
  const root = mkdtempSync(join(tmpdir(), 'espflash-plan-'));
  const dir = join(root, 'project', 'build');
  mkdirSync(dirname(dir), { recursive: true });
  cpSync(sharedPath('idf-build', fixture), dir, { recursive: true });
  ageAll(dir); // as if configured an hour ago; images written below are newer
  const chip = chipOf(fixture);
  const flasherArgs = JSON.parse(readFileSync(join(dir, 'flasher_args.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const entries = fixtureEntries(flasherArgs);
  const tableEntry = entries.find((e) => roleOfEntry(e) === 'partition-table');
  let partitions = readDecodedCsv(dir);
  if (options.images !== false) {
    if (tableEntry && !existsSync(join(dir, tableEntry.file))) {
      partitions = synthesisePartitions(entries, sizesFromBuildInfo(dir));
      writeFile(join(dir, tableEntry.file), encodeTable(partitions));
    }
    const sizes = sizesFromBuildInfo(dir);
    for (const e of entries) {
      const path = join(dir, e.file);
      if (existsSync(path)) continue;
      writeFile(path, contentFor(e, chip, sizes.get(e.file)));
    }
  }
  return { fixture, dir, chip, flasherArgs, entries, partitions };
}

/** The role a test expects for a flash_files entry (from its name, else its file name). */
export function roleOfEntry(e: FixtureEntry): string {
  if (e.name === 'bootloader' || e.file.endsWith('bootloader.bin')) return 'bootloader';
  if (
    e.name === 'partition_table' ||
    e.name === 'partition-table' ||
    /partition(s|-table)\.bin$/.test(e.file)
  ) {
    return 'partition-table';
  }
  if (e.name === 'app' || e.file.endsWith('firmware.bin')) return 'app';
  if (e.name === 'otadata') return 'otadata';
  return 'data';
}

/** Label of the partition that contains `offset` in the oracle table. */
export function labelAt(partitions: OraclePartition[] | null, offset: number): string | null {
  return partitions?.find((p) => offset >= p.offset && offset < p.offset + p.size)?.name ?? null;
}

/** SHA-256 and size of a file. */
export function fileFacts(path: string): { size: number; sha256: string } {
  const bytes = readFileSync(path);
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Deterministic bytes that never start with a partition-table or image magic. */
export function pseudoRandom(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  if (length > 0) out[0] = 0x5a;
  return out;
}

/** A valid image of about `size` bytes for `chip`. */
export function imageFor(chip: ChipName, size: number, seed = 7): Uint8Array {
  const header = chip === 'esp8266' ? 8 : 24;
  const n = Math.max(64, Math.floor((size - header - 8 - 16 - (chip === 'esp8266' ? 0 : 32)) / 4) * 4);
  const data = pseudoRandom(n, seed);
  data[3] = 0xa5; // ESP8266 images must not look like an extended header
  return buildImage({ chip, entry: 0x40080400, segments: [{ loadAddress: 0x3f400020, data }] });
}

/** Encode a partition table binary with src/partition's encoder (MD5 record on, as ESP-IDF builds it). */
export function encodeTable(parts: OraclePartition[]): Uint8Array {
  return encodePartitionTable({
    entries: parts.map((p) => ({ ...p, flags: { encrypted: false, readonly: false } })),
    md5: true,
  });
}

function contentFor(e: FixtureEntry, chip: ChipName, size: number | undefined): Uint8Array {
  const role = roleOfEntry(e);
  if (role === 'bootloader') return imageFor(chip, size ?? 20_000, e.offset + 1);
  if (role === 'app') return imageFor(chip, size ?? 150_000, e.offset + 2);
  if (role === 'otadata') return new Uint8Array(size ?? 8192).fill(0xff);
  return pseudoRandom(size ?? 4096, e.offset + 3);
}

function chipOf(fixture: string): ChipName {
  const part = fixture.split('_').find((p) => /^esp(8266|32[a-z0-9]*)$/.test(p));
  if (!part) throw new Error(`no chip in fixture name ${fixture}`);
  return part as ChipName;
}

function fixtureEntries(args: Record<string, unknown>): FixtureEntry[] {
  const files = args.flash_files as Record<string, string>;
  const named = Object.entries(args).filter(
    (kv): kv is [string, { offset: string; file: string; encrypted?: string }] =>
      typeof kv[1] === 'object' && kv[1] !== null && 'offset' in kv[1] && 'file' in kv[1],
  );
  return Object.entries(files)
    .filter(([k, v]) => k !== '' && v !== '')
    .map(([k, v]) => {
      const offset = Number.parseInt(k, 16);
      const match = named.find(([, n]) => n.offset !== '' && Number.parseInt(n.offset, 16) === offset);
      return { offset, file: v, name: match?.[0] ?? null, encrypted: match?.[1].encrypted === 'true' };
    })
    .sort((a, b) => a.offset - b.offset);
}

/** `<path>  blob=…  bytes=N` lines of BUILD_INFO.txt, keyed by path relative to the build dir. */
function sizesFromBuildInfo(dir: string): Map<string, number> {
  const info = readFileSync(join(dir, 'BUILD_INFO.txt'), 'utf8');
  const prefix = /^build_dir_in_repo: (.*)$/m.exec(info)?.[1]?.trim() ?? '.';
  const out = new Map<string, number>();
  for (const m of info.matchAll(/^ {2}(\S.*?) {2}blob=\w+ {2}bytes=(\d+)/gm)) {
    const path = prefix === '.' ? m[1]! : m[1]!.replace(`${prefix}/`, '');
    out.set(path, Number(m[2]));
  }
  return out;
}

const TYPES: Record<string, number> = { app: 0, data: 1 };
const SUBTYPES: Record<string, number> = {
  factory: 0x00,
  ota_0: 0x10,
  ota_1: 0x11,
  ota: 0x00,
  phy: 0x01,
  nvs: 0x02,
  nvs_keys: 0x04,
  fat: 0x81,
  spiffs: 0x82,
};

/** partition-table.decoded.csv (the reference tool's decoding of the committed binary). */
function readDecodedCsv(dir: string): OraclePartition[] | null {
  const file = join(dir, 'partition_table', 'partition-table.decoded.csv');
  if (!existsSync(file) || !existsSync(join(dir, 'partition_table', 'partition-table.bin'))) return null;
  const size = (t: string) =>
    Number.parseInt(t, 10) * (t.endsWith('M') ? 1 << 20 : t.endsWith('K') ? 1024 : 1);
  const num = (t: string, table: Record<string, number>) => table[t] ?? Number(t);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const [name, type, subtype, offset, sz] = l.split(',').map((c) => c.trim());
      return {
        name: name!,
        type: num(type!, TYPES),
        subtype: num(subtype!, SUBTYPES),
        offset: Number.parseInt(offset!, 16),
        size: size(sz!),
      };
    });
}

/** A table consistent with the fixture's offsets, for builds whose partition-table.bin was not committed. */
function synthesisePartitions(entries: FixtureEntry[], sizes: Map<string, number>): OraclePartition[] {
  const placed = entries.filter((e) => !['bootloader', 'partition-table'].includes(roleOfEntry(e)));
  return placed.map((e, i) => {
    const next = placed[i + 1]?.offset ?? e.offset + 0x200000;
    const need = Math.ceil((sizes.get(e.file) ?? 0x1000) / 0x1000) * 0x1000;
    const role = roleOfEntry(e);
    if (role === 'app')
      return {
        name: 'factory',
        type: 0,
        subtype: 0,
        offset: e.offset,
        size: Math.min(next - e.offset, 0x100000),
      };
    if (role === 'otadata') return { name: 'otadata', type: 1, subtype: 0, offset: e.offset, size: 0x2000 };
    if (e.name === 'phy') return { name: 'phy_init', type: 1, subtype: 1, offset: e.offset, size: 0x1000 };
    return {
      name: e.name ?? `part${i}`,
      type: 1,
      subtype: 0x82,
      offset: e.offset,
      size: Math.max(need, 0x1000),
    };
  });
}

function writeFile(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

function ageAll(dir: string): void {
  const t = HOUR_AGO();
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (statSync(path).isFile()) utimesSync(path, t, t);
  }
}
