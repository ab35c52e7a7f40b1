// Turns decoded pieces into what the monitor shows and logs: styled lines with timestamps, espflash
// notices, and addr2line results after crash lines. Writes through a sink and an optional log file.

import { open } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { hex, type Symbolizer } from './addr2line.js';
import { BacktraceScanner, type CpuArch } from './backtrace.js';
import type { DecodedLine } from './line-decoder.js';
import { dim, stripAnsi, styleLine } from './log-style.js';

/** Where monitor output goes. */
export interface MonitorOutputOptions {
  sink: (text: string) => void;
  color: boolean;
  /** Appended to (plain text, no colour). */
  logFile?: string;
  symbolizer: Symbolizer;
  arch: CpuArch | null;
}

/** A plain-text append-only log file. */
interface LogWriter {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Check that the monitor can append to `file` (creating it), before any port is opened: the cause
 * then shows instead of a closed port. Throws `monitor/log-file-failed`.
 */
export async function assertLogFileWritable(file: string): Promise<void> {
  await (await openLog(file)).close();
}

/** Open `file` for appending; `monitor/log-file-failed` when that is not possible. */
async function openLog(file: string): Promise<LogWriter> {
  try {
    const handle = await open(file, 'a');
    return {
      write: async (text) => {
        await handle.write(text);
      },
      close: () => handle.close(),
    };
  } catch (err) {
    throw new UsageError(
      'monitor/log-file-failed',
      `Cannot open the monitor log file ${file}: ${String(err)}`,
      {
        hint: 'Pass a writable path with --log-file (or fix `monitor.logFile` in espflash.config.ts).',
        details: { file },
        cause: err,
      },
    );
  }
}

/** Renders monitor output. Call {@link MonitorOutput.open} before use and `close` after. */
export class MonitorOutput {
  private readonly scanner: BacktraceScanner;
  private log: LogWriter | null = null;

  constructor(private readonly options: MonitorOutputOptions) {
    this.scanner = new BacktraceScanner({ arch: options.arch });
  }

  /** Open the log file, if any. */
  async open(): Promise<void> {
    if (this.options.logFile !== undefined) this.log = await openLog(this.options.logFile);
  }

  /** Show one decoded piece; after a complete crash line, its decoded addresses. */
  async line(piece: DecodedLine): Promise<void> {
    const { color, sink } = this.options;
    const body =
      piece.complete && !piece.continuation
        ? styleLine(piece.text, { color })
        : color
          ? piece.text
          : stripAnsi(piece.text);
    const end = piece.complete ? '\n' : '';
    sink(`${piece.timestamp ? dim(piece.timestamp, color) : ''}${body}${end}`);
    await this.log?.write(`${piece.timestamp}${stripAnsi(piece.text)}${end}`);
    if (!piece.complete) return;

    const { addresses } = this.scanner.scan(stripAnsi(piece.line));
    if (addresses.length === 0) return;
    const decoded = await this.options.symbolizer.decode(addresses);
    const note = this.options.symbolizer.takeNote();
    if (note !== null) this.notice(note);
    for (const d of decoded) {
      const text = `${hex(d.address)}: ${d.text.replace(/\n/g, '\n  ')}\n`;
      sink(color ? `\x1b[33m${text.trimEnd()}\x1b[39m\n` : text);
      await this.log?.write(text);
    }
  }

  /** An espflash notice (`--- … ---`) on a line of its own; not logged. */
  notice(text: string): void {
    this.options.sink(`${dim(`--- ${text} ---`, this.options.color)}\n`);
  }

  /** Close the log file. */
  async close(): Promise<void> {
    const log = this.log;
    this.log = null;
    await log?.close().catch(() => {});
  }
}
