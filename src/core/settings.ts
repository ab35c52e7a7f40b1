// The settings vocabulary every layer shares: reset modes (before/after) in both esptool spellings,
// flash mode/frequency/size names, the name normaliser (either spelling in) and the display form
// (esptool v5's dashed names out). Values are kept in the underscore form: that is the library API,
// the plan JSON and the form ESP-IDF writes into flasher_args.json.

/** Reset before connecting, canonical (underscore) spelling. */
export const BEFORE_RESETS = ['default_reset', 'usb_reset', 'no_reset', 'no_reset_no_sync'] as const;
/** Reset before connecting. */
export type BeforeReset = (typeof BEFORE_RESETS)[number];

/** Reset after the operation, canonical (underscore) spelling. */
export const AFTER_RESETS = [
  'hard_reset',
  'soft_reset',
  'no_reset',
  'no_reset_stub',
  'watchdog_reset',
] as const;
/** Reset after the operation. */
export type AfterReset = (typeof AFTER_RESETS)[number];

/** `no_reset_stub` → `no-reset-stub`, as a type. */
export type Dashed<T extends string> = T extends `${infer Head}_${infer Rest}`
  ? `${Head}-${Dashed<Rest>}`
  : T;

/** A before mode in either spelling (`default_reset` or esptool v5's `default-reset`). */
export type BeforeResetName = BeforeReset | Dashed<BeforeReset>;
/** An after mode in either spelling (`hard_reset` or esptool v5's `hard-reset`). */
export type AfterResetName = AfterReset | Dashed<AfterReset>;

/** `Default-Reset` / ` default_reset ` → `default_reset`: either esptool spelling, any case. */
export function normaliseResetName(text: string): string {
  return text.trim().toLowerCase().replace(/-/g, '_');
}

/** The before mode `text` names (either spelling), or null. */
export function parseBeforeReset(text: string): BeforeReset | null {
  const name = normaliseResetName(text);
  return (BEFORE_RESETS as readonly string[]).includes(name) ? (name as BeforeReset) : null;
}

/** The after mode `text` names (either spelling), or null. */
export function parseAfterReset(text: string): AfterReset | null {
  const name = normaliseResetName(text);
  return (AFTER_RESETS as readonly string[]).includes(name) ? (name as AfterReset) : null;
}

/** The reset mode `text` names for `which` (either spelling), or null. */
export function parseResetMode(which: 'before', text: string): BeforeReset | null;
export function parseResetMode(which: 'after', text: string): AfterReset | null;
export function parseResetMode(which: 'before' | 'after', text: string): BeforeReset | AfterReset | null;
export function parseResetMode(which: 'before' | 'after', text: string): BeforeReset | AfterReset | null {
  return which === 'before' ? parseBeforeReset(text) : parseAfterReset(text);
}

/** How espflash shows a reset mode anywhere it prints one: esptool v5's dashed form (`hard-reset`). */
export function resetModeLabel(mode: string): string {
  return mode.replace(/_/g, '-');
}

/** The valid modes for `which`, as shown to users (`default-reset`, `usb-reset`, …). */
export function resetModeLabels(which: 'before' | 'after'): string[] {
  return (which === 'before' ? BEFORE_RESETS : AFTER_RESETS).map(resetModeLabel);
}

/** SPI flash modes for the image header (`keep` leaves the header alone). */
export const FLASH_MODES = ['qio', 'qout', 'dio', 'dout', 'keep'] as const;
/** SPI flash mode for the image header. */
export type FlashMode = (typeof FLASH_MODES)[number];
/** Flash frequency in esptool's spelling (`40m`, `80m`) or `keep`; valid values depend on the chip. */
export type FlashFreq = string;
/** Flash size (`4MB` style), `detect` (ask the chip) or `keep` (leave image headers alone). */
export type FlashSize = string;

/** Flash-size words that name no size. */
export const FLASH_SIZE_WORDS = ['detect', 'keep'] as const;

/** Whether `size` names an actual size (`4MB`) rather than `detect` or `keep`. */
export function isFixedFlashSize(size: FlashSize): boolean {
  return !(FLASH_SIZE_WORDS as readonly string[]).includes(size.trim().toLowerCase());
}
