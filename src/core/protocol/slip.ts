// SLIP framing (RFC 1055 as used by Espressif loaders): encoder and an incremental decoder that
// accepts arbitrary chunking, skips bytes outside frames (boot-log noise) and reports them.

import { ByteBuffer } from './bytes.js';

export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
export const SLIP_ESC_END = 0xdc;
export const SLIP_ESC_ESC = 0xdd;

/** Encode one frame of `parts` (concatenated): leading and trailing END, 0xDB and 0xC0 escaped. */
export function slipEncode(...parts: Uint8Array[]): Uint8Array {
  // One exact allocation: count the bytes that need escaping first (large DATA frames go through here).
  let size = 2;
  for (const part of parts) {
    size += part.length;
    for (const b of part) if (b === SLIP_END || b === SLIP_ESC) size++;
  }
  const out = new Uint8Array(size);
  let n = 0;
  out[n++] = SLIP_END;
  for (const part of parts) {
    for (const b of part) {
      if (b === SLIP_END) {
        out[n++] = SLIP_ESC;
        out[n++] = SLIP_ESC_END;
      } else if (b === SLIP_ESC) {
        out[n++] = SLIP_ESC;
        out[n++] = SLIP_ESC_ESC;
      } else {
        out[n++] = b;
      }
    }
  }
  out[n] = SLIP_END;
  return out;
}

/** Result of feeding bytes to the decoder. */
export interface SlipFeedResult {
  /** Complete frames, in order (empty frames from back-to-back ENDs are dropped). */
  frames: Uint8Array[];
  /** Bytes seen outside any frame (boot log, garbage), in order. */
  noise: Uint8Array;
  /** Frames discarded because of an invalid escape sequence. */
  badFrames: number;
}

/**
 * Incremental SLIP decoder. State survives between `feed` calls, so a frame (or an escape pair)
 * split across chunks decodes correctly. A byte other than END outside a frame is noise.
 * Frames longer than `maxFrame` are discarded as bad (protects against runaway input).
 */
export class SlipDecoder {
  private inFrame = false;
  private escaped = false;
  private broken = false;
  private frame = new ByteBuffer(64);
  private readonly maxFrame: number;

  constructor(options: { maxFrame?: number } = {}) {
    this.maxFrame = options.maxFrame ?? 0x20000;
  }

  /** Feed a chunk; returns the frames completed by it and the noise bytes it contained. */
  feed(chunk: Uint8Array): SlipFeedResult {
    const frames: Uint8Array[] = [];
    const noise = new ByteBuffer(16);
    let badFrames = 0;
    for (const b of chunk) {
      if (!this.inFrame) {
        if (b === SLIP_END) this.startFrame();
        else noise.push(b);
        continue;
      }
      if (b === SLIP_END) {
        if (this.frame.length === 0 && !this.broken && !this.escaped) {
          // `C0 C0`: the first END was a trailing END we joined mid-stream; this one opens a frame.
          this.startFrame();
          continue;
        }
        if (this.escaped || this.broken) badFrames++;
        else frames.push(this.frame.toBytes());
        this.inFrame = false;
        continue;
      }
      if (this.broken) continue;
      if (this.escaped) {
        this.escaped = false;
        if (b === SLIP_ESC_END) this.frame.push(SLIP_END);
        else if (b === SLIP_ESC_ESC) this.frame.push(SLIP_ESC);
        else this.broken = true;
      } else if (b === SLIP_ESC) {
        this.escaped = true;
      } else {
        this.frame.push(b);
      }
      if (this.frame.length > this.maxFrame) this.broken = true;
    }
    return { frames, noise: noise.toBytes(), badFrames };
  }

  /** Forget any partial frame (e.g. after flushing the input). */
  reset(): void {
    this.inFrame = false;
    this.escaped = false;
    this.broken = false;
    this.frame.clear();
  }

  private startFrame(): void {
    this.inFrame = true;
    this.escaped = false;
    this.broken = false;
    this.frame.clear();
  }
}
