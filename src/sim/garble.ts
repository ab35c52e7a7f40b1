// What a UART receiving at the wrong baud makes of bytes: deterministic noise, used by the device and
// the in-process transport for baud mismatches in either direction.

/** Scramble bytes seen at the wrong baud: deterministic noise that never contains SLIP END/ESC. */
export function garble(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    let b = ((bytes[i]! * 0x9d) ^ 0x3c ^ i) & 0xff;
    if (b === 0xc0 || b === 0xdb) b = 0x00;
    out[i] = b;
  }
  return out;
}
