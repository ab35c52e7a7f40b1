// Type and subtype keywords as ESP-IDF v5.5's gen_esp32part.py knows them (insertion order matters:
// it is the order of "Known keywords" in error messages), plus optional custom subtypes.

import { UsageError } from '../errors.js';
import { type ExtraSubtype, PartitionType } from './types.js';

/** Type keywords, in the generator's order. */
export const TYPE_KEYWORDS: ReadonlyMap<string, number> = new Map([
  ['bootloader', PartitionType.BOOTLOADER],
  ['partition_table', PartitionType.PARTITION_TABLE],
  ['app', PartitionType.APP],
  ['data', PartitionType.DATA],
]);

const APP_SUBTYPES: Array<[string, number]> = [
  ['factory', 0x00],
  ['test', 0x20],
  ...Array.from({ length: 16 }, (_, i): [string, number] => [`ota_${i}`, 0x10 + i]),
  ['tee_0', 0x30],
  ['tee_1', 0x31],
];

const BUILTIN_SUBTYPES: ReadonlyMap<number, ReadonlyArray<[string, number]>> = new Map([
  [
    PartitionType.BOOTLOADER,
    [
      ['primary', 0x00],
      ['ota', 0x01],
      ['recovery', 0x02],
    ],
  ],
  [
    PartitionType.PARTITION_TABLE,
    [
      ['primary', 0x00],
      ['ota', 0x01],
    ],
  ],
  [PartitionType.APP, APP_SUBTYPES],
  [
    PartitionType.DATA,
    [
      ['ota', 0x00],
      ['phy', 0x01],
      ['nvs', 0x02],
      ['coredump', 0x03],
      ['nvs_keys', 0x04],
      ['efuse', 0x05],
      ['undefined', 0x06],
      ['esphttpd', 0x80],
      ['fat', 0x81],
      ['spiffs', 0x82],
      ['littlefs', 0x83],
      ['tee_ota', 0x90],
    ],
  ],
]);

/** Data subtype used when the CSV leaves a non-app subtype blank. */
export const DATA_SUBTYPE_UNDEFINED = 0x06;

/** Subtype keywords for `type` (built-in first, then `extra` ones for that type), in order. */
export function subtypeKeywords(type: number, extra: readonly ExtraSubtype[] = []): Map<string, number> {
  const map = new Map<string, number>(BUILTIN_SUBTYPES.get(type) ?? []);
  for (const e of extra) if (e.type === type) map.set(e.name, e.subtype);
  return map;
}

/** Every subtype keyword of every type (for the "name looks like a keyword" warning). */
export function allSubtypeKeywords(extra: readonly ExtraSubtype[] = []): Set<string> {
  const names = new Set<string>();
  for (const list of BUILTIN_SUBTYPES.values()) for (const [k] of list) names.add(k);
  for (const e of extra) names.add(e.name);
  return names;
}

/** First keyword in `keywords` whose value is `value`, else undefined. */
export function keywordFor(keywords: ReadonlyMap<string, number>, value: number): string | undefined {
  for (const [k, v] of keywords) if (v === value) return k;
  return undefined;
}

/**
 * Parse one `--extra-partition-subtypes` item, `type,name,value` with the value in hex
 * (`app,my_app1,0x40` or `app,my_app1,40`), rejecting a value already used by that type.
 */
export function parseExtraSubtype(text: string, existing: readonly ExtraSubtype[] = []): ExtraSubtype {
  const fields = text.split(',').map((f) => f.trim());
  const bad = (why: string) =>
    new UsageError('partition/bad-extra-subtype', `Error parsing custom subtype '${text}': ${why}`, {
      hint: 'Write it as type,name,hex-value, e.g. --extra-subtype app,my_app1,0x40',
      details: { value: text },
    });
  if (fields.length < 3 || !fields[1]) throw bad('expected type,name,value');
  const type = TYPE_KEYWORDS.get(fields[0]!);
  if (type === undefined) throw bad(`unknown type '${fields[0]}'`);
  const digits = fields[2]!.replace(/^0x/i, '');
  if (!/^[0-9a-f]+$/i.test(digits)) throw bad(`'${fields[2]}' is not a hex number`);
  const subtype = Number.parseInt(digits, 16);
  if (subtype > 0xff) throw bad(`subtype 0x${subtype.toString(16)} is out of range (0x00-0xff)`);
  const taken = [...subtypeKeywords(type, existing).values()].includes(subtype);
  if (taken) throw bad('Found duplicate value in partition subtype');
  return { type, name: fields[1]!, subtype };
}
