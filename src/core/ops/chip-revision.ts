// Chip revision (major.minor) for every chip, read with READ_REG from the eFuse words in the per-chip
// table (src/chips/efuse-revision.ts): decoding from register values, the reverse (register bits for a
// revision, used by the simulator), `X.Y` parsing and the `major × 100 + minor` number esptool and the
// stub choice use. The ESP8266 has no revision; Secure Download Mode refuses READ_REG (null).

import type { ChipName } from '../../chips/chips.js';
import {
  type ChipRevisionValue,
  type EfuseField,
  type EfuseRevisionLayout,
  revisionLayout,
} from '../../chips/efuse-revision.js';
import type { Loader } from '../session/loader.js';

/** `{ major, minor }` revision, e.g. v3.0 → `{ major: 3, minor: 0 }`. */
export type ChipRevision = ChipRevisionValue;

/** ESP32 major revision from its three revision bits (0b000 → 0, 0b001 → 1, 0b011 → 2, 0b111 → 3). */
export function esp32MajorRevision(bits: { rev1: boolean; rev2: boolean; rev3: boolean }): number {
  const combined = (bits.rev3 ? 4 : 0) | (bits.rev2 ? 2 : 0) | (bits.rev1 ? 1 : 0);
  return ({ 0: 0, 1: 1, 3: 2, 7: 3 } as Record<number, number>)[combined] ?? 0;
}

function mask(width: number): number {
  return width >= 32 ? 0xffffffff : (1 << width) - 1;
}

function field(read: (address: number) => number, f: EfuseField): number {
  return (read(f.address) >>> f.shift) & mask(f.width);
}

/** Concatenate parts, most significant first. */
function assemble(read: (address: number) => number, parts: readonly EfuseField[]): number {
  let value = 0;
  for (const p of parts) value = value * 2 ** p.width + field(read, p);
  return value;
}

function totalWidth(parts: readonly EfuseField[]): number {
  return parts.reduce((n, p) => n + p.width, 0);
}

/**
 * Decode a revision from register values (`read` maps a READ_REG address to its value; pure).
 * Null for chips without a revision (ESP8266).
 */
export function decodeChipRevision(chip: ChipName, read: (address: number) => number): ChipRevision | null {
  const layout = revisionLayout(chip);
  if (layout.kind === 'none') return null;
  const minor = assemble(read, layout.minor);
  const rawMajor = assemble(read, layout.major);
  const major = layout.majorFromRaw ? (layout.majorFromRaw[rawMajor] ?? 0) : rawMajor;
  const q = layout.eco0BlockVersion;
  if (q && (minor & 0x7) === 0 && field(read, q.major) === 1 && field(read, q.minor) === 1) {
    return { major: 0, minor: 0 };
  }
  return { major, minor };
}

/** Registers {@link decodeChipRevision} may read for `chip`, in read order (no duplicates). */
export function revisionRegisters(chip: ChipName): number[] {
  const layout = revisionLayout(chip);
  if (layout.kind === 'none') return [];
  const q = layout.eco0BlockVersion;
  const fields = [...layout.major, ...layout.minor, ...(q ? [q.major, q.minor] : [])];
  return [...new Set(fields.map((f) => f.address >>> 0))];
}

/** Read the chip revision with READ_REG; null for the ESP8266 and in Secure Download Mode. */
export async function readChipRevision(loader: Loader): Promise<ChipRevision | null> {
  if (loader.secureDownloadMode) return null;
  const registers = revisionRegisters(loader.chip.name);
  if (registers.length === 0) return null;
  const values = new Map<number, number>();
  for (const address of registers) values.set(address, (await loader.readReg(address)) >>> 0);
  return decodeChipRevision(loader.chip.name, (a) => values.get(a >>> 0) ?? 0);
}

/** The largest major and minor `chip`'s fields can hold, or null for chips without a revision. */
export function revisionLimits(chip: ChipName): { maxMajor: number; maxMinor: number } | null {
  const layout = revisionLayout(chip);
  if (layout.kind === 'none') return null;
  const maxMajor = layout.majorFromRaw
    ? Math.max(...Object.values(layout.majorFromRaw))
    : 2 ** totalWidth(layout.major) - 1;
  return { maxMajor, maxMinor: 2 ** totalWidth(layout.minor) - 1 };
}

/** One masked register write: bits in `mask` take `value`. */
export interface RevisionBits {
  address: number;
  mask: number;
  value: number;
}

function rawMajorFor(layout: EfuseRevisionLayout, major: number): number | null {
  if (!layout.majorFromRaw) return major;
  let best: number | null = null;
  for (const [raw, m] of Object.entries(layout.majorFromRaw)) {
    if (m === major && (best === null || Number(raw) < best)) best = Number(raw);
  }
  return best;
}

/**
 * The register bits that make `chip` report `revision` (the inverse of {@link decodeChipRevision}),
 * merged per register. Null when the chip has no revision or the value does not fit its fields.
 */
export function encodeChipRevision(chip: ChipName, revision: ChipRevision): RevisionBits[] | null {
  const layout = revisionLayout(chip);
  const limits = revisionLimits(chip);
  if (layout.kind === 'none' || !limits) return null;
  const { major, minor } = revision;
  if (!Number.isInteger(major) || !Number.isInteger(minor) || major < 0 || minor < 0) return null;
  if (major > limits.maxMajor || minor > limits.maxMinor) return null;
  const rawMajor = rawMajorFor(layout, major);
  if (rawMajor === null) return null;
  const out = new Map<number, RevisionBits>();
  const put = (parts: readonly EfuseField[], value: number) => {
    let rest = value;
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = parts[i]!;
      const m = (mask(p.width) << p.shift) >>> 0;
      const bits = ((rest % 2 ** p.width) << p.shift) >>> 0;
      rest = Math.floor(rest / 2 ** p.width);
      const prev = out.get(p.address) ?? { address: p.address, mask: 0, value: 0 };
      out.set(p.address, {
        address: p.address,
        mask: (prev.mask | m) >>> 0,
        value: (prev.value | bits) >>> 0,
      });
    }
  };
  put(layout.major, rawMajor);
  put(layout.minor, minor);
  return [...out.values()];
}

/** Parse `1.1` or `v1.1` (null when malformed). */
export function parseChipRevision(text: string): ChipRevision | null {
  const m = /^\s*v?(\d{1,3})\.(\d{1,3})\s*$/i.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

/** `v3.0`. */
export function formatChipRevision(revision: ChipRevision): string {
  return `v${revision.major}.${revision.minor}`;
}

/** esptool's single number: major × 100 + minor (v3.1 → 301); the stub choice uses it. */
export function revisionNumber(revision: ChipRevision): number {
  return revision.major * 100 + revision.minor;
}
