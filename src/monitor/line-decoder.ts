// Serial bytes → text lines: UTF-8 decoding across chunk boundaries, \r\n / \n / lone \r line ends,
// optional timestamps from an injected clock, and flushing a partial line (a prompt) after idle time.
// Pure: no I/O, no timers; the caller says when time passed.

/** One piece of output. A line shown early (idle flush) arrives as a partial piece, then a continuation. */
export interface DecodedLine {
  /** Text to show now (no line ending): the whole line, the partial start, or the rest after a partial. */
  text: string;
  /** The complete line so far (for log-level and backtrace detection); equals `text` unless continued. */
  line: string;
  /** False when the line has not ended yet (flushed because the device went quiet). */
  complete: boolean;
  /** True when an earlier partial piece already showed the start of this line. */
  continuation: boolean;
  /** `[HH:MM:SS.mmm] ` when timestamps are on and this piece starts the line, else ''. */
  timestamp: string;
}

/** Options for {@link LineDecoder}. */
export interface LineDecoderOptions {
  /** Prefix each line with the time its first byte arrived. */
  timestamps?: boolean;
  /** Wall clock for timestamps and idle detection, in epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /** Format timestamps in UTC instead of local time (tests). */
  utc?: boolean;
  /** A partial line is shown once no byte arrived for this long (default 100 ms). */
  idleFlushMs?: number;
}

/** `[12:34:56.789] ` for `ms` since the epoch. */
export function formatTimestamp(ms: number, options: { utc?: boolean } = {}): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const [h, m, s, milli] = options.utc
    ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
    : [d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  return `[${pad(h)}:${pad(m)}:${pad(s)}.${pad(milli, 3)}] `;
}

/** Stateful decoder; feed it chunks in arrival order. */
export class LineDecoder {
  /** How long the device must be quiet before a partial line is shown. */
  readonly idleFlushMs: number;
  private readonly utf8 = new TextDecoder('utf-8');
  private readonly now: () => number;
  private readonly timestamps: boolean;
  private readonly utc: boolean;
  /** Text of the current line not yet shown. */
  private pending = '';
  /** Text of the current line already shown by an idle flush. */
  private shown = '';
  /** Timestamp of the current line (set when its first character arrived). */
  private lineStamp = '';
  private lastByteAt = 0;
  /** The previous chunk ended in \r: a \n starting the next one belongs to it. */
  private afterCr = false;

  constructor(options: LineDecoderOptions = {}) {
    this.now = options.now ?? Date.now;
    this.timestamps = options.timestamps ?? false;
    this.utc = options.utc ?? false;
    this.idleFlushMs = options.idleFlushMs ?? 100;
  }

  /** True while part of a line is buffered (the caller should call {@link flushIdle} after the idle time). */
  get hasPartial(): boolean {
    return this.pending !== '';
  }

  /** Decode `bytes` and return the lines they completed. */
  push(bytes: Uint8Array): DecodedLine[] {
    if (bytes.length === 0) return [];
    const at = this.now();
    this.lastByteAt = at;
    const text = this.utf8.decode(bytes, { stream: true });
    const out: DecodedLine[] = [];
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '\n' && this.afterCr) {
        this.afterCr = false;
        continue;
      }
      this.afterCr = ch === '\r';
      if (ch === '\r' || ch === '\n') {
        out.push(this.take(true, at));
        continue;
      }
      // Copy runs of ordinary characters at once.
      let end = i + 1;
      while (end < text.length && text[end] !== '\r' && text[end] !== '\n') end++;
      this.startLine(at);
      this.pending += text.slice(i, end);
      i = end - 1;
    }
    return out;
  }

  /**
   * The partial line, when one is buffered and nothing arrived for `idleFlushMs` (a prompt waiting
   * for input); null otherwise. Its end arrives later as a continuation.
   */
  flushIdle(): DecodedLine | null {
    if (this.pending === '' || this.now() - this.lastByteAt < this.idleFlushMs) return null;
    return this.take(false, this.lastByteAt);
  }

  /** Everything still buffered (at the end of the session), or null. */
  end(): DecodedLine | null {
    this.pending += this.utf8.decode();
    if (this.pending === '') return null;
    return this.take(false, this.lastByteAt);
  }

  private startLine(at: number): void {
    if (this.pending === '' && this.shown === '' && this.lineStamp === '' && this.timestamps) {
      this.lineStamp = formatTimestamp(at, { utc: this.utc });
    }
  }

  private take(complete: boolean, at: number): DecodedLine {
    const continuation = this.shown !== '';
    if (!continuation) this.startLine(at);
    const piece: DecodedLine = {
      text: this.pending,
      line: this.shown + this.pending,
      complete,
      continuation,
      timestamp: continuation ? '' : this.lineStamp,
    };
    if (complete) {
      this.shown = '';
      this.lineStamp = '';
    } else {
      this.shown += this.pending;
    }
    this.pending = '';
    return piece;
  }
}
