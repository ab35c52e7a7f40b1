// Questions callers ask of a table: which app boots by default, find by label, and the keyword
// names of types/subtypes for display (hex for numbers without a keyword).

import { keywordFor, subtypeKeywords, TYPE_KEYWORDS } from './keywords.js';
import { type ExtraSubtype, type Partition, type PartitionTable, PartitionType } from './types.js';

const OTA_FIRST = 0x10;
const OTA_LAST = 0x1f;

/**
 * The app the bootloader starts when otadata is blank, as ESP-IDF's "boot default" picks it:
 * the `factory` app, else the lowest `ota_N` slot (first in table order for equal subtypes).
 */
export function findBootAppPartition(table: PartitionTable): Partition | null {
  const apps = table.entries.filter((p) => p.type === PartitionType.APP);
  const factory = apps.find((p) => p.subtype === 0x00);
  if (factory) return factory;
  let best: Partition | null = null;
  for (const p of apps) {
    if (p.subtype < OTA_FIRST || p.subtype > OTA_LAST) continue;
    if (!best || p.subtype < best.subtype) best = p;
  }
  return best;
}

/**
 * The partition labelled `label` (first match), or null. A label longer than 16 bytes also
 * matches its truncated on-flash form, and a table parsed from CSV matches the truncated label.
 */
export function findPartitionByLabel(table: PartitionTable, label: string): Partition | null {
  const exact = table.entries.find((p) => p.name === label);
  if (exact) return exact;
  const wanted = truncateLabel(label);
  return table.entries.find((p) => truncateLabel(p.name) === wanted) ?? null;
}

/** The label as stored in the binary: the first 16 UTF-8 bytes (decoded leniently). */
export function truncateLabel(label: string): string {
  const bytes = new TextEncoder().encode(label);
  return bytes.length <= 16 ? label : new TextDecoder().decode(bytes.subarray(0, 16));
}

/** `app`, `data`, `bootloader`, `partition_table`, or hex such as `0x40` for custom types. */
export function typeName(type: number): string {
  return keywordFor(TYPE_KEYWORDS, type) ?? hexByte(type);
}

/** Subtype keyword for that type (`factory`, `ota_1`, `nvs`, `spiffs`…), or hex such as `0x8f`. */
export function subtypeName(
  type: number,
  subtype: number,
  extraSubtypes: readonly ExtraSubtype[] = [],
): string {
  return keywordFor(subtypeKeywords(type, extraSubtypes), subtype) ?? hexByte(subtype);
}

function hexByte(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}
