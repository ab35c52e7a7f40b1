// One zlib stream inflated block by block, as a device sees it (a sync flush after every block),
// through pako's zlib port with one reused scratch output buffer: the plain `Inflate` class
// allocates a fresh output buffer per push (16 MB of garbage for a 16 MB image). The write engine
// counts what each block inflates to; the virtual ESP32 programs the output.

import { constants } from 'pako';
import { inflate, inflateEnd, inflateInit } from 'pako/lib/zlib/inflate.js';
import ZStream from 'pako/lib/zlib/zstream.js';

/** Scratch output size. */
const SCRATCH = 0x4000;

/** Inflates successive blocks of one zlib stream. */
export class StreamInflater {
  private readonly strm = new ZStream();
  private readonly scratch = new Uint8Array(SCRATCH);
  private done = false;

  constructor() {
    inflateInit(this.strm);
  }

  /** The stream's end was reached (later input is ignored, as the devices do). */
  get ended(): boolean {
    return this.done;
  }

  /**
   * Inflate `block` after the blocks before it. `onOutput` sees each piece of output (a view, valid
   * only during the call). Returns the bytes produced, or null when the stream is corrupt.
   */
  push(block: Uint8Array, onOutput?: (piece: Uint8Array) => void): number | null {
    if (this.done) return 0;
    const s = this.strm;
    s.input = block;
    s.next_in = 0;
    s.avail_in = block.length;
    let produced = 0;
    for (;;) {
      s.output = this.scratch;
      s.next_out = 0;
      s.avail_out = SCRATCH;
      const status = inflate(s, constants.Z_SYNC_FLUSH);
      if (s.next_out > 0) onOutput?.(this.scratch.subarray(0, s.next_out));
      produced += s.next_out;
      if (status === constants.Z_STREAM_END) {
        this.done = true;
        inflateEnd(s);
        return produced;
      }
      if (status !== constants.Z_OK && status !== constants.Z_BUF_ERROR) return null;
      // Room left in the output: this input gave all it can for now.
      if (s.avail_out > 0) return produced;
    }
  }
}
