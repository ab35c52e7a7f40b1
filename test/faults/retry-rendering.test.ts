// Retries are visible: the text reporters render `retry` events with the operation in words, the
// offset and the reason.

import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/cli/reporter/describe-event.js';

describe('retry events in the reporters', () => {
  it('names the operation, the offset and the reason', () => {
    const text = describeEvent({
      type: 'retry',
      operation: 'write-region',
      attempt: 2,
      reason: 'stub/spi-failed: FLASH_DEFL_DATA failed',
      offset: 0x24000,
    });
    expect(text).toBe(
      'Retrying the write from the first unverified sector at 0x24000 (attempt 2): stub/spi-failed: FLASH_DEFL_DATA failed',
    );
    expect(
      describeEvent({ type: 'retry', operation: 'reconnect', attempt: 3, reason: 'port/disconnected' }),
    ).toBe('Retrying after reconnecting to the chip (attempt 3): port/disconnected');
    expect(describeEvent({ type: 'retry', operation: 'connect', attempt: 2, reason: 'x' })).toBe(
      'Retrying connect (attempt 2): x',
    );
  });
});
