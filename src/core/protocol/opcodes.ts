// The Espressif serial-loader opcode table (PROTOCOL.md §2.1, §2.8): one row per command with its
// byte, default timeout, size-scaled timeout rule and who supports it. `timeoutFor` applies the rule.

/** Which ROM loaders implement a command. */
export type RomSupport = 'all' | 'esp32-family' | 'none';

/** One opcode's facts. */
export interface OpcodeSpec {
  /** Espressif's name, e.g. `SPI_FLASH_MD5`. */
  readonly name: string;
  /** The opcode byte in the request header. */
  readonly byte: number;
  /** Default reply timeout in ms. */
  readonly timeoutMs: number;
  /** Size-scaled timeout: ms per decimal MB (1 000 000 bytes) of the size the command covers. */
  readonly msPerMb: number | null;
  /** Whether the scaled rule applies only when talking to the ROM (it erases up front; the stub does not). */
  readonly scaleRomOnly: boolean;
  /** ROM support: every ROM, ESP32 and later ROMs only, or none (stub-only). */
  readonly rom: RomSupport;
  /** The flasher stub implements it. */
  readonly stub: boolean;
  /** Allowed in Secure Download Mode. */
  readonly sdm: boolean;
}

/** Default reply timeout (3 s). */
export const DEFAULT_TIMEOUT_MS = 3000;
/** First SYNC reply timeout (100 ms). */
export const SYNC_TIMEOUT_MS = 100;
/** MEM_END to a ROM: the reply may never come (200 ms, ignored). */
export const ROM_MEM_END_TIMEOUT_MS = 200;
/** Cap on any command timeout (2 × chip erase). */
export const MAX_TIMEOUT_MS = 240_000;
/** Chip erase timeout. */
export const CHIP_ERASE_TIMEOUT_MS = 120_000;
/** Erase/write rate for timeouts: 40 s per decimal MB. */
export const ERASE_MS_PER_MB = 40_000;
/** MD5 rate for timeouts: 8 s per decimal MB. */
export const MD5_MS_PER_MB = 8_000;

function spec(
  name: string,
  byte: number,
  support: { rom: RomSupport; stub?: boolean; sdm?: boolean },
  timing: { timeoutMs?: number; msPerMb?: number; scaleRomOnly?: boolean } = {},
): OpcodeSpec {
  return {
    name,
    byte,
    timeoutMs: timing.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    msPerMb: timing.msPerMb ?? null,
    scaleRomOnly: timing.scaleRomOnly ?? false,
    rom: support.rom,
    stub: support.stub ?? true,
    sdm: support.sdm ?? false,
  };
}

/** Every opcode espflash sends, keyed by Espressif's name. */
export const OPCODES = {
  FLASH_BEGIN: spec(
    'FLASH_BEGIN',
    0x02,
    { rom: 'all', sdm: true },
    { msPerMb: ERASE_MS_PER_MB, scaleRomOnly: true },
  ),
  FLASH_DATA: spec('FLASH_DATA', 0x03, { rom: 'all', sdm: true }),
  FLASH_END: spec('FLASH_END', 0x04, { rom: 'all', sdm: true }),
  MEM_BEGIN: spec('MEM_BEGIN', 0x05, { rom: 'all' }),
  MEM_END: spec('MEM_END', 0x06, { rom: 'all' }),
  MEM_DATA: spec('MEM_DATA', 0x07, { rom: 'all' }),
  SYNC: spec('SYNC', 0x08, { rom: 'all', sdm: true }, { timeoutMs: SYNC_TIMEOUT_MS }),
  WRITE_REG: spec('WRITE_REG', 0x09, { rom: 'all' }),
  READ_REG: spec('READ_REG', 0x0a, { rom: 'all' }),
  SPI_SET_PARAMS: spec('SPI_SET_PARAMS', 0x0b, { rom: 'esp32-family', sdm: true }),
  SPI_ATTACH: spec('SPI_ATTACH', 0x0d, { rom: 'esp32-family', sdm: true }),
  READ_FLASH_SLOW: spec('READ_FLASH_SLOW', 0x0e, { rom: 'esp32-family', stub: false }),
  CHANGE_BAUDRATE: spec('CHANGE_BAUDRATE', 0x0f, { rom: 'esp32-family', sdm: true }),
  FLASH_DEFL_BEGIN: spec(
    'FLASH_DEFL_BEGIN',
    0x10,
    { rom: 'esp32-family' },
    { msPerMb: ERASE_MS_PER_MB, scaleRomOnly: true },
  ),
  FLASH_DEFL_DATA: spec('FLASH_DEFL_DATA', 0x11, { rom: 'esp32-family' }, { msPerMb: ERASE_MS_PER_MB }),
  FLASH_DEFL_END: spec('FLASH_DEFL_END', 0x12, { rom: 'esp32-family' }),
  SPI_FLASH_MD5: spec('SPI_FLASH_MD5', 0x13, { rom: 'esp32-family' }, { msPerMb: MD5_MS_PER_MB }),
  GET_SECURITY_INFO: spec('GET_SECURITY_INFO', 0x14, { rom: 'esp32-family', sdm: true }),
  ERASE_FLASH: spec('ERASE_FLASH', 0xd0, { rom: 'none' }, { timeoutMs: CHIP_ERASE_TIMEOUT_MS }),
  ERASE_REGION: spec('ERASE_REGION', 0xd1, { rom: 'none' }, { msPerMb: ERASE_MS_PER_MB }),
  READ_FLASH: spec('READ_FLASH', 0xd2, { rom: 'none' }),
  RUN_USER_CODE: spec('RUN_USER_CODE', 0xd3, { rom: 'none' }),
} as const satisfies Record<string, OpcodeSpec>;

/** An opcode name from the table. */
export type OpcodeName = keyof typeof OPCODES;

/** Opcode bytes by name: `OP.SYNC === 0x08`. */
export const OP: { readonly [K in OpcodeName]: number } = Object.fromEntries(
  Object.entries(OPCODES).map(([name, s]) => [name, s.byte]),
) as { [K in OpcodeName]: number };

const BY_BYTE = new Map<number, OpcodeSpec>(Object.values(OPCODES).map((s) => [s.byte, s]));

/** The table row for an opcode byte, or null for bytes espflash does not know. */
export function opcodeSpec(op: number): OpcodeSpec | null {
  return BY_BYTE.get(op) ?? null;
}

/** Name for messages: `SPI_FLASH_MD5`, or `opcode 0x42` for unknown bytes. */
export function opcodeName(op: number): string {
  return BY_BYTE.get(op)?.name ?? `opcode 0x${op.toString(16).padStart(2, '0')}`;
}

/** Kebab-case form for error codes: `SPI_FLASH_MD5` → `spi-flash-md5`. */
export function opcodeSlug(op: number): string {
  const s = BY_BYTE.get(op);
  return s ? s.name.toLowerCase().replace(/_/g, '-') : `op-${op.toString(16).padStart(2, '0')}`;
}

/**
 * Reply timeout for `op` covering `bytes` of flash: `max(default, msPerMb × bytes / 1e6)` (decimal MB),
 * capped at {@link MAX_TIMEOUT_MS}. Rules marked ROM-only (FLASH_BEGIN, FLASH_DEFL_BEGIN erase up front
 * on the ROM) fall back to the default when `options.stub` is true.
 */
export function timeoutFor(op: OpcodeName | number, bytes = 0, options: { stub?: boolean } = {}): number {
  const s = typeof op === 'number' ? opcodeSpec(op) : OPCODES[op];
  if (!s) return DEFAULT_TIMEOUT_MS;
  if (s.msPerMb === null || (s.scaleRomOnly && options.stub)) return Math.min(s.timeoutMs, MAX_TIMEOUT_MS);
  const scaled = Math.ceil((s.msPerMb * Math.max(0, bytes)) / 1_000_000);
  return Math.min(Math.max(s.timeoutMs, scaled), MAX_TIMEOUT_MS);
}

/** Whether a loader (ROM of `chip` family, or the stub) implements `op`. */
export function isSupported(op: OpcodeName, loader: { stub: boolean; esp8266: boolean }): boolean {
  const s = OPCODES[op];
  if (loader.stub) return s.stub;
  if (s.rom === 'none') return false;
  return s.rom === 'all' || !loader.esp8266;
}
