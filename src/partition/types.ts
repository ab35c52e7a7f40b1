// The in-memory model of an ESP-IDF partition table, shared by the CSV parser, the binary codec,
// verification and rendering. Numbers only: keywords are resolved by the parser.

/** Per-partition flag bits (bit 0 `encrypted`, bit 1 `readonly` in the binary flags word). */
export interface PartitionFlags {
  encrypted: boolean;
  readonly: boolean;
}

/** One partition: numeric type/subtype, absolute flash offset and size in bytes. */
export interface Partition {
  /** Label; the binary format stores at most 16 UTF-8 bytes (longer names are truncated on encode). */
  name: string;
  /** 0x00 app, 0x01 data, 0x02 bootloader, 0x03 partition_table, 0x40-0xFE custom. */
  type: number;
  subtype: number;
  offset: number;
  size: number;
  flags: PartitionFlags;
}

/** A whole table in table order, plus whether the binary form carries the MD5 record. */
export interface PartitionTable {
  entries: Partition[];
  md5: boolean;
}

/** A custom subtype keyword, like ESP-IDF's `--extra-partition-subtypes app,my_app1,0x40`. */
export interface ExtraSubtype {
  /** Numeric partition type the keyword belongs to. */
  type: number;
  name: string;
  subtype: number;
}

/** Secure boot version, which tightens the app size alignment (`v1`: 64 KiB). */
export type SecureBootVersion = 'v1' | 'v2';

/** Partition type ids. */
export const PartitionType = {
  APP: 0x00,
  DATA: 0x01,
  BOOTLOADER: 0x02,
  PARTITION_TABLE: 0x03,
} as const;

/** Default flash offset of the table (`CONFIG_PARTITION_TABLE_OFFSET`). */
export const DEFAULT_TABLE_OFFSET = 0x8000;
/** The table owns one 4 KiB sector. */
export const TABLE_SECTOR_SIZE = 0x1000;
/** Length of the generated binary: entries, MD5 record and 0xFF padding (the rest is for a signature). */
export const TABLE_BINARY_LENGTH = 0xc00;
/** One binary record. */
export const ENTRY_SIZE = 32;
/** A read-write NVS partition needs at least this many bytes (smaller ones must be `readonly`). */
export const NVS_RW_MIN_SIZE = 0x3000;
/** Required size of `data/ota` and `data/tee_ota`. */
export const OTADATA_SIZE = 0x2000;
