// Fuzz the partition table readers: CSV text (generated, mutated, random bytes) and the binary
// (mutated generated tables, length lies, random sectors). Only coded errors may escape, and what
// parses must survive CSV → binary → table and table → CSV → table unchanged.

import { describe, it } from 'vitest';
import { decodePartitionTable, encodePartitionTable } from '../../src/partition/binary.js';
import { parsePartitionCsv } from '../../src/partition/csv-parse.js';
import { decodeCsvBytes } from '../../src/partition/csv-text.js';
import { partitionTableToCsv } from '../../src/partition/csv-write.js';
import { parseSizeToken } from '../../src/partition/int-parse.js';
import { parseExtraSubtype } from '../../src/partition/keywords.js';
import { renderPartitionTable } from '../../src/partition/render.js';
import type { PartitionTable } from '../../src/partition/types.js';
import { verifyPartitionTable } from '../../src/partition/verify.js';
import { fuzzFailure, guard } from './support/expect-coded.js';
import { hexPreview, iterationSeed, mutateMany, mutateText, Prng } from './support/prng.js';

const ROWS = [
  'nvs,data,nvs,,0x6000,',
  'otadata,data,ota,,0x2000,',
  'phy_init,data,phy,,0x1000,',
  'factory,app,factory,,1M,',
  'ota_0,app,ota_0,,1M,',
  'ota_1,app,ota_1,,0x100000,',
  'storage,data,spiffs,,256K,',
  'fat,data,fat,,64K,readonly',
  'coredump,data,coredump,,64K,',
  'custom,0x40,0x01,,4K,',
  'keys,data,nvs_keys,,4K,encrypted',
  'undef,data,,,8K,',
  'big,data,0x99,,-0x400000,',
];

function randomCsv(rng: Prng): string {
  const picked = ROWS.filter(() => rng.chance(0.5));
  if (picked.length === 0) picked.push(ROWS[0]!);
  const lines = picked.map((row) => {
    // Sometimes give explicit (maybe misaligned, maybe overlapping) offsets and odd spacing.
    const cells = row.split(',');
    if (rng.chance(0.15)) cells[3] = rng.pick(['0x9000', '0x10000', '0x110000', '0x1234', '36K', '0']);
    return rng.chance(0.2) ? cells.map((c) => ` ${c}\t`).join(',') : cells.join(',');
  });
  if (rng.chance(0.3)) lines.unshift('# Name, Type, SubType, Offset, Size, Flags');
  if (rng.chance(0.1)) lines.splice(rng.below(lines.length), 0, '', '   # comment');
  return `${rng.chance(0.05) ? '\uFEFF' : ''}${lines.join(rng.pick(['\n', '\r\n', '\r']))}\n`;
}

function randomOptions(rng: Prng) {
  return {
    ...(rng.chance(0.3) ? { tableOffset: rng.pick([0x8000, 0x9000, 0x10000, 0x1000, 0]) } : {}),
    ...(rng.chance(0.2) ? { bootloaderOffset: rng.pick([0, 0x1000, 0x2000]) } : {}),
    ...(rng.chance(0.3) ? { flashSize: rng.pick([0x100000, 0x200000, 0x400000, 0x1000000, 0]) } : {}),
    md5: rng.chance(0.8),
    ...(rng.chance(0.2) ? { secure: rng.pick(['v1', 'v2'] as const) } : {}),
    ...(rng.chance(0.2) ? { env: { VAR: rng.pick(['', 'x', '0x1000', ',,,', '$VAR']) } } : {}),
    file: 'fuzz.csv',
  };
}

/** Entries without the parser's hidden line bookkeeping, for comparisons. */
function plain(table: PartitionTable): string {
  return JSON.stringify({
    md5: table.md5,
    entries: table.entries.map((p) => ({ ...p, flags: { ...p.flags } })),
  });
}

/** Binary and CSV round-trips of a table that parsed (or decoded). */
function checkRoundTrips(table: PartitionTable, ctx: { seed: number; input: string }): void {
  const bin = guard(() => encodePartitionTable(table), ctx);
  if (!bin.ok) return; // e.g. partition/out-of-range for sizes the binary cannot hold: coded, fine
  if (bin.value.length !== 0xc00) throw fuzzFailure(`encoded table is ${bin.value.length} bytes`, ctx);
  const back = guard(() => decodePartitionTable(bin.value), ctx);
  if (!back.ok)
    throw fuzzFailure(`encoded table does not decode: ${back.error.code} ${back.error.message}`, ctx);
  const truncatedNames = {
    ...table,
    entries: table.entries.map((p) => {
      const bytes = new TextEncoder().encode(p.name).subarray(0, 16);
      const nul = bytes.indexOf(0);
      return { ...p, name: new TextDecoder().decode(nul < 0 ? bytes : bytes.subarray(0, nul)) };
    }),
  };
  if (plain(back.value) !== plain(truncatedNames))
    throw fuzzFailure(
      `binary round-trip changed the table:\n${plain(truncatedNames)}\n${plain(back.value)}`,
      ctx,
    );
  const rendered = guard(
    () => renderPartitionTable(back.value, { flashSize: 0x400000, tableOffset: 0x8000 }),
    ctx,
  );
  if (rendered.ok && typeof rendered.value !== 'string') throw fuzzFailure('render returned no text', ctx);
}

describe('fuzz: partition CSV parser', () => {
  it('generated and mutated CSVs: coded errors only; parsed tables round-trip through binary and CSV', () => {
    let parsed = 0;
    for (let i = 0; i < 1200; i++) {
      const seed = iterationSeed(0xc5f1, i);
      const rng = new Prng(seed);
      const base = randomCsv(rng);
      const text = rng.chance(0.6) ? mutateText(rng, base) : base;
      const options = randomOptions(rng);
      const ctx = { seed, input: `${JSON.stringify(text)} options=${JSON.stringify(options)}` };
      const r = guard(() => parsePartitionCsv(text, options), ctx);
      if (!r.ok) continue;
      parsed++;
      checkRoundTrips(r.value, ctx);
      // CSV round-trip: the generator's CSV of a parsed table parses back to the same table.
      const csv = partitionTableToCsv(r.value);
      const again = guard(() => parsePartitionCsv(csv, { ...options, verify: false, env: {} }), {
        ...ctx,
        input: `${ctx.input}\nre-parsed CSV: ${JSON.stringify(csv)}`,
      });
      if (!again.ok) {
        // Names with commas, '#' or surrounding spaces cannot be written as CSV; anything else must re-parse.
        if (r.value.entries.some((p) => /[,#\s$]|^$/.test(p.name) || p.name !== p.name.trim())) continue;
        throw fuzzFailure(
          `CSV of a parsed table does not re-parse: ${again.error.code} ${again.error.message}\n${csv}`,
          ctx,
        );
      }
      if (plain(again.value) !== plain({ ...r.value, md5: again.value.md5 }))
        throw fuzzFailure(`CSV round-trip changed the table\n${csv}`, ctx);
    }
    // The generator must produce parseable tables often enough for the round-trips to mean something.
    if (parsed < 200) throw new Error(`only ${parsed} of 1200 generated CSVs parsed`);
  });

  it('random bytes through decodeCsvBytes and the parser: coded errors only', () => {
    for (let i = 0; i < 600; i++) {
      const seed = iterationSeed(0xc5f2, i);
      const rng = new Prng(seed);
      const bytes = rng.chance(0.5)
        ? rng.bytes(rng.int(0, 200))
        : mutateMany(rng, new TextEncoder().encode(randomCsv(rng)), { max: 4 });
      const ctx = { seed, input: hexPreview(bytes) };
      const text = guard(() => decodeCsvBytes(bytes, { file: 'fuzz.csv' }), ctx);
      if (text.ok) guard(() => parsePartitionCsv(text.value, { file: 'fuzz.csv' }), ctx);
    }
  });

  it('hostile field values (huge, fractional, nested suffixes, long runs) give coded errors', () => {
    const values = [
      '1' + 'k'.repeat(5000),
      'k'.repeat(20_000),
      'M'.repeat(20_000),
      '0x' + 'f'.repeat(40),
      '9'.repeat(400),
      '-' + '9'.repeat(40),
      '1e400',
      '0x_1',
      '1__0',
      '1kM',
      '-1M',
      '0o777777777777777777',
      '0b' + '1'.repeat(80),
    ];
    for (const [i, value] of values.entries()) {
      for (const column of [3, 4]) {
        const cells = ['p', 'data', 'nvs', '', '0x6000', ''];
        cells[column] = value;
        const text = `${cells.join(',')}\n`;
        const ctx = { seed: i, input: JSON.stringify(text.slice(0, 120)) };
        const r = guard(() => parsePartitionCsv(text), ctx);
        if (r.ok) checkRoundTrips(r.value, ctx);
        guard(() => parseSizeToken(value, 'size'), ctx);
      }
    }
  });

  it('--extra-subtype items: coded errors only', () => {
    for (let i = 0; i < 800; i++) {
      const seed = iterationSeed(0xc5f3, i);
      const rng = new Prng(seed);
      const text = mutateText(rng, rng.pick(['app,my_app1,0x40', 'data,my_data,0x90', 'custom,x,1']));
      guard(() => parseExtraSubtype(text), { seed, input: JSON.stringify(text) });
    }
  });
});

describe('fuzz: partition binary decoder', () => {
  it('mutated generated tables and random sectors: coded errors only; decoded tables re-encode identically', () => {
    let decoded = 0;
    for (let i = 0; i < 1500; i++) {
      const seed = iterationSeed(0xb1a1, i);
      const rng = new Prng(seed);
      const valid = guard(() => parsePartitionCsv(randomCsv(rng), { verify: false, md5: rng.chance(0.7) }), {
        seed,
        input: 'generated table',
      });
      const encoded = valid.ok
        ? guard(() => encodePartitionTable(valid.value), { seed, input: 'generated table' })
        : null;
      const base = encoded?.ok ? encoded.value : new Uint8Array(0xc00).fill(0xff);
      const entryFields = [0, 2, 3, 4, 8, 12, 28].flatMap((f) => [f, 32 + f, 64 + f]);
      const bytes = rng.chance(0.15)
        ? rng.chance(0.5)
          ? rng.bytes(rng.pick([0, 1, 31, 32, 0xc00, 0x1000, rng.int(0, 0x1000)]))
          : new Uint8Array(rng.pick([0xc00, 0x1000])).fill(rng.pick([0, 0xff]))
        : mutateMany(rng, base, { lengthFields: entryFields, max: 4 });
      const ctx = { seed, input: hexPreview(bytes) };
      const r = guard(() => decodePartitionTable(bytes, { file: 'fuzz.bin' }), ctx);
      if (!r.ok) continue;
      decoded++;
      guard(() => verifyPartitionTable(r.value, { tableOffset: 0x8000, flashSize: 0x400000 }), ctx);
      checkRoundTrips(r.value, ctx);
    }
    if (decoded < 100) throw new Error(`only ${decoded} of 1500 mutated binaries decoded`);
  });
});
