// Coded errors of the loader session that are not status bytes: timeouts, short replies, lost sync,
// unsupported commands. One constructor per failure so messages stay uniform.

import { type ErrorCode, EspflashError, isErrorCode } from '../../errors.js';
import { opcodeName, opcodeSlug } from '../protocol/opcodes.js';

/** `timeout/spi-flash-md5` for SPI_FLASH_MD5; `timeout/unknown-command` for a byte not in the opcode table. */
export function timeoutCode(op: number): ErrorCode {
  const code = `timeout/${opcodeSlug(op)}`;
  return isErrorCode(code) ? code : 'timeout/unknown-command';
}

/** `timeout/<command>`: "No reply to SPI_FLASH_MD5 within 8000 ms". */
export function commandTimeout(op: number, timeoutMs: number): EspflashError {
  return new EspflashError(timeoutCode(op), `No reply to ${opcodeName(op)} within ${timeoutMs} ms`, {
    details: { command: opcodeName(op), timeoutMs },
    hint: 'check the cable and power, or try a lower --baud',
  });
}

/** `timeout/<command>` when the resync SYNC after an earlier timeout got no answer either. */
export function resyncTimeout(options: { op: number; timeoutMs: number; cause: unknown }): EspflashError {
  const { op, timeoutMs, cause } = options;
  return new EspflashError(
    timeoutCode(op),
    `Cannot send ${opcodeName(op)}: the loader stopped answering (no reply to a resync SYNC within ${timeoutMs} ms after an earlier timeout)`,
    {
      details: { command: opcodeName(op), timeoutMs },
      hint: 'reset the board and retry; check the cable and power',
      cause,
    },
  );
}

/** `timeout/read-frame`: a raw data frame (READ_FLASH) did not arrive. */
export function frameTimeout(timeoutMs: number): EspflashError {
  return new EspflashError('timeout/read-frame', `No data frame within ${timeoutMs} ms`, {
    details: { timeoutMs },
    hint: 'the device stopped sending; check the connection or try a lower --baud',
  });
}

/** `protocol/short-response`: the reply cannot hold the expected payload and status. */
export function shortResponse(options: { op: number; length: number; expected: number }): EspflashError {
  const { op, length, expected } = options;
  return new EspflashError(
    'protocol/short-response',
    `${opcodeName(op)} reply too short: ${length} data bytes, expected ${expected} + status`,
    { details: { command: opcodeName(op), length, expected } },
  );
}

/** `protocol/no-matching-reply`: too many frames without the awaited opcode. */
export function noMatchingReply(op: number, frames: number): EspflashError {
  return new EspflashError(
    'protocol/no-matching-reply',
    `No reply to ${opcodeName(op)} among ${frames} frames received`,
    {
      details: { command: opcodeName(op) },
      hint: 'the link is out of sync: reset the board and retry',
    },
  );
}

/** `rom/unsupported-command`: the loader answered "invalid message" for another opcode. */
export function unsupportedCommand(op: number, stub: boolean): EspflashError {
  return new EspflashError(
    'rom/unsupported-command',
    `The ${stub ? 'flasher stub' : 'ROM loader'} does not support ${opcodeName(op)} (it answered "invalid message")`,
    {
      details: { command: opcodeName(op) },
      hint: stub
        ? 'this chip or stub lacks the command'
        : 'this command needs the flasher stub: remove --no-stub',
    },
  );
}
