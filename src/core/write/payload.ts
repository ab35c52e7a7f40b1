// Byte-shaping helpers the flash operations share: padding to a block multiple and 4 KiB alignment.

/** `data` padded with `fill` bytes to a multiple of `multiple` (a copy only when padding is needed). */
export function padTo(data: Uint8Array, multiple: number, fill = 0xff): Uint8Array {
  const rem = data.length % multiple;
  if (rem === 0) return data;
  const out = new Uint8Array(data.length + multiple - rem).fill(fill);
  out.set(data);
  return out;
}

/** Result of {@link alignStart}. */
export interface AlignedData {
  offset: number;
  data: Uint8Array;
  /** 0xFF bytes added in front. */
  headPadding: number;
}

/** Move `offset` down to a multiple of `alignment`, filling the gap in front of `data` with 0xFF. */
export function alignStart(options: { offset: number; data: Uint8Array; alignment: number }): AlignedData {
  const headPadding = options.offset % options.alignment;
  if (headPadding === 0) return { offset: options.offset, data: options.data, headPadding };
  const out = new Uint8Array(headPadding + options.data.length).fill(0xff);
  out.set(options.data, headPadding);
  return { offset: options.offset - headPadding, data: out, headPadding };
}
