// Types for the two modules of pako's zlib port that the inflate meter uses (pako exports them as
// `pako/lib/zlib/*`; @types/pako only covers the top-level API).

declare module 'pako/lib/zlib/zstream.js' {
  /** zlib's z_stream: the caller owns `input` and `output` and their cursors. */
  export default class ZStream {
    input: Uint8Array | null;
    next_in: number;
    avail_in: number;
    total_in: number;
    output: Uint8Array | null;
    next_out: number;
    avail_out: number;
    total_out: number;
    msg: string;
  }
}

declare module 'pako/lib/zlib/inflate.js' {
  import type ZStream from 'pako/lib/zlib/zstream.js';
  export function inflateInit(strm: ZStream): number;
  export function inflate(strm: ZStream, flush: number): number;
  export function inflateEnd(strm: ZStream): number;
}
