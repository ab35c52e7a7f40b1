// How many bytes each block of a zlib stream inflates to, as the device sees the blocks: one
// streaming inflater over pako's zlib port whose output goes into one reused buffer (the plain
// `Inflate` class allocates a fresh output buffer per push: 16 MB of garbage for a 16 MB image).

import { constants } from 'pako';
import { inflate, inflateEnd, inflateInit } from 'pako/lib/zlib/inflate.js';
import ZStream from 'pako/lib/zlib/zstream.js';

/** Scratch output of the meter (its contents are never read). */
const SCRATCH = 0x4000;

/** Counts the inflated size of successive blocks of one zlib stream. */
export class InflateMeter {
  private readonly strm = new ZStream();
  private readonly scratch = new Uint8Array(SCRATCH);
  private ended = false;

  constructor() {
    inflateInit(this.strm);
  }

  /** Bytes `block` inflates to after the blocks before it (a sync flush: all it can produce). */
  push(block: Uint8Array): number {
    if (this.ended) return 0;
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
      produced += s.next_out;
      if (status === constants.Z_STREAM_END) {
        this.ended = true;
        inflateEnd(s);
        return produced;
      }
      // A corrupt stream stops the count; room left in the output means this input gave all it can.
      if (status !== constants.Z_OK && status !== constants.Z_BUF_ERROR) return produced;
      if (s.avail_out > 0) return produced;
    }
  }
}
