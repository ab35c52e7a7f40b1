// The byte pipe between the protocol core and a device: serial port, TCP socket, RFC 2217, the
// in-process virtual ESP32, or a test double. The core never touches I/O except through this.

import type { Clock } from './clock.js';

/** Modem control lines. Always set together: DTR drives IO0 (BOOT), RTS drives EN (reset). */
export interface ModemSignals {
  /** true drives IO0 low (download strap) on Espressif auto-reset circuits. */
  dtr: boolean;
  /** true drives EN low (chip held in reset). */
  rts: boolean;
}

/**
 * What a transport can actually do; the core decides from these, never from `description`, and
 * degrades gracefully where it cannot.
 */
export interface TransportCapabilities {
  /**
   * DTR/RTS reach the chip (false for raw TCP, and for a serial port found to have none, such as a
   * pseudo-terminal: that one learns it at its first `setSignals` and clears the flag).
   */
  modemLines: boolean;
  /** The host-side baud rate can be changed (false for raw TCP, where the far end owns it). */
  baudRate: boolean;
  /**
   * A raw byte stream with no control channel at all (raw TCP: QEMU, a ser2net raw port,
   * `espflash sim --listen`): no modem lines and no host-side baud by design, so connecting without
   * a reset is the expected case there, not one to warn about.
   */
  rawStream: boolean;
}

/**
 * A bidirectional byte stream to a device.
 *
 * Contract:
 * - `read` resolves with at least one byte, or with an empty array when `timeoutMs` elapses with
 *   nothing received. It rejects with the signal's reason when `signal` aborts, and with an
 *   `EspflashError` of code `transport/closed` when the transport is (or becomes) closed.
 *   Bytes that arrive while nobody reads are buffered, never dropped.
 * - `write` resolves once the bytes are handed to the OS (or the peer); it never silently drops.
 * - `setSignals` sets DTR and RTS in one step (one ioctl where the OS allows); a transport without
 *   modem lines resolves without effect and reports `capabilities.modemLines = false`.
 * - `setBaudRate` changes the host side only; the device is told through CHANGE_BAUDRATE first.
 * - `flushInput` discards everything received and not yet read.
 * - `close` is idempotent; pending reads reject with `transport/closed`.
 */
export interface Transport {
  /** Where this transport goes, for messages: `/dev/ttyUSB0`, `socket://127.0.0.1:5555`, `sim://esp32`. */
  readonly description: string;
  readonly capabilities: TransportCapabilities;
  /** Current host-side baud rate (nominal for transports without one). */
  readonly baudRate: number;
  /**
   * The time this link runs on when it is not the host's (the in-process sim on a virtual clock):
   * whoever times the link (connect, resets, timeouts) uses it unless told to use another clock.
   */
  readonly linkClock?: Clock;
  read(options: { timeoutMs: number; signal?: AbortSignal }): Promise<Uint8Array>;
  write(data: Uint8Array): Promise<void>;
  setSignals(signals: ModemSignals): Promise<void>;
  setBaudRate(baud: number): Promise<void>;
  flushInput(): Promise<void>;
  close(): Promise<void>;
}
