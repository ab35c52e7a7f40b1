// Boot-log capture and connect-failure diagnosis (PROTOCOL.md §4.4): keep the last bytes seen outside
// SLIP frames, read the ROM's `boot:0xNN … waiting for download` text, and explain a failed connect.

import { EspflashError } from '../../errors.js';
import { latin1 } from '../protocol/bytes.js';

/** Bytes kept for diagnosis by default (the tail wins). */
export const BOOT_LOG_LIMIT = 8192;

/** A bounded tail buffer for noise bytes (boot log, garbage). */
export class BootLogBuffer {
  private chunks: Uint8Array[] = [];
  private held = 0;
  /** Total noise bytes ever appended (not bounded). */
  total = 0;

  constructor(private readonly limit = BOOT_LOG_LIMIT) {}

  /** Append noise; the oldest bytes drop out past the limit. */
  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.total += bytes.length;
    this.chunks.push(bytes.slice());
    this.held += bytes.length;
    while (this.held > this.limit && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.held - this.limit;
      if (first.length <= excess) {
        this.chunks.shift();
        this.held -= first.length;
      } else {
        this.chunks[0] = first.slice(excess);
        this.held -= excess;
      }
    }
  }

  /** The held bytes as latin-1 text. */
  text(): string {
    return this.chunks.map((c) => latin1(c)).join('');
  }

  /** Number of bytes held (≤ limit). */
  get length(): number {
    return this.held;
  }

  clear(): void {
    this.chunks = [];
    this.held = 0;
  }
}

/** What the ROM's boot banner says about the boot mode. */
export interface BootModeInfo {
  /** GPIO_STRAP value from `boot:0xNN`. */
  strap: number;
  /** `waiting for download` followed the last `boot:` line. */
  downloadMode: boolean;
}

/** Parse the last `boot:0xNN` banner in `text` (null when there is none, e.g. ESP8266 at 115200). */
export function parseBootMode(text: string): BootModeInfo | null {
  const re = /boot:(0x[0-9a-fA-F]+)/g;
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) last = m;
  if (!last) return null;
  const after = text.slice(last.index);
  return { strap: Number.parseInt(last[1]!, 16), downloadMode: /waiting for download/.test(after) };
}

/** Evidence gathered by the connect loop. */
export interface ConnectEvidence {
  /** Transport description for messages. */
  port: string;
  /** Captured noise text (boot log). */
  bootLog: string;
  /** Bytes received in total across attempts. */
  bytesReceived: number;
  /** SLIP frames decoded across attempts. */
  framesReceived: number;
  attempts: number;
  /** The last sync failure, for the generic case. */
  lastError: unknown;
}

function hex2(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/**
 * Explain why connecting failed: wrong boot mode, download mode without replies (TX path down),
 * silence (cable/port/power), bytes that are not SLIP (wrong baud), or a generic no-sync error.
 */
export function diagnoseConnectFailure(evidence: ConnectEvidence): EspflashError {
  const { port, bootLog, bytesReceived, framesReceived, attempts } = evidence;
  const details: Record<string, unknown> = { port, attempts, bytesReceived, framesReceived };
  const tail = bootLog.slice(-400);
  if (tail) details.bootLog = tail;
  const boot = parseBootMode(bootLog);
  if (boot && !boot.downloadMode) {
    return new EspflashError(
      'connect/wrong-boot-mode',
      `Wrong boot mode detected (${hex2(boot.strap)}) on ${port}: the chip is not in download mode`,
      {
        details: { ...details, strap: boot.strap },
        hint:
          'hold BOOT (GPIO0) while pressing EN/RESET, or check the auto-reset circuit (DTR/RTS); ' +
          'see --before / config key `before`',
      },
    );
  }
  if (boot?.downloadMode) {
    return new EspflashError(
      'connect/no-sync-tx-down',
      `Download mode detected on ${port}, but the chip does not answer SYNC: the serial TX path seems to be down`,
      {
        details: { ...details, strap: boot.strap },
        hint: 'check the TX wire from the adapter to the chip RX (U0RXD), and that no other program holds the port',
      },
    );
  }
  if (bytesReceived === 0) {
    return new EspflashError(
      'connect/no-serial-data',
      `No serial data received from ${port} after ${attempts} attempts`,
      {
        details,
        hint:
          'check the cable (data, not charge-only), the --port, and the board power; inside a VM or container, ' +
          'USB passthrough may be missing: run `espflash` against `rfc2217://<host>:<port>` served from the host',
      },
    );
  }
  if (framesReceived === 0) {
    return new EspflashError(
      'connect/garbage',
      `Received ${bytesReceived} bytes from ${port} but no valid loader replies: wrong baud rate or not an Espressif chip?`,
      {
        details,
        hint: 'try --baud 115200 (sync speed), check --port points at the ESP chip (ESP8266 boot text is at 74880 baud)',
      },
    );
  }
  const last = evidence.lastError instanceof Error ? `: ${evidence.lastError.message}` : '';
  return new EspflashError('connect/no-sync', `Failed to connect to the chip on ${port}${last}`, {
    details,
    hint: 'reset the board into download mode (hold BOOT, press EN) and retry, or try --before no-reset',
    cause: evidence.lastError,
  });
}
