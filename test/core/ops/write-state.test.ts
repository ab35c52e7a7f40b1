// The write engine's state objects on their own: a stream's sequence numbers and confirmed prefix
// (ROM vs stub), the region's resume point, block narrowing and the decision after a failure.

import { describe, expect, it } from 'vitest';
import { writeFailureKind } from '../../../src/core/write/write-failure.js';
import { RegionWriteState } from '../../../src/core/write/write-state.js';
import { StreamState } from '../../../src/core/write/write-stream.js';
import { type ErrorCode, EspflashError } from '../../../src/errors.js';

const coded = (code: ErrorCode, cause?: unknown) => new EspflashError(code, code, cause ? { cause } : {});
const failure = (
  kind: ReturnType<typeof writeFailureKind>,
  more: Partial<Parameters<RegionWriteState['failed']>[0]> = {},
) => ({
  kind,
  fellBackToRom: false,
  canReconnect: false,
  pastDeadline: false,
  ...more,
});

describe('StreamState', () => {
  it('a ROM block rejected for its checksum is resent under the next seq; the stubs keep the number', () => {
    const rom = new StreamState(false);
    rom.accepted(0x400);
    rom.rejected(coded('rom/bad-crc'));
    expect(rom.seq).toBe(2);
    rom.accepted(0x400);
    expect(rom.seq).toBe(3);

    const stub = new StreamState(true);
    stub.accepted(0x4000);
    stub.rejected(coded('stub/bad-data-checksum'));
    expect(stub.seq).toBe(1);
    // An "invalid message" (or any other refusal) does not use up the ROM's number either.
    const other = new StreamState(false);
    other.rejected(coded('rom/invalid-message'));
    expect(other.seq).toBe(0);
  });

  it('confirms every accepted ROM block, but not the stub block before the failing one (deferred errors)', () => {
    const rom = new StreamState(false);
    const stub = new StreamState(true);
    for (const s of [rom, stub]) {
      s.accepted(1000);
      s.accepted(2000);
    }
    expect(rom.confirmed()).toBe(3000);
    expect(stub.confirmed()).toBe(1000);
    expect(new StreamState(true).confirmed()).toBe(0);
  });

  it('waits for the longer of a stub block’s own work and the previous block’s; a ROM block for its own', () => {
    const stub = new StreamState(true);
    const big = stub.timeoutFor(4 << 20);
    expect(big).toBeGreaterThan(3000);
    expect(stub.timeoutFor(16)).toBe(big);
    const rom = new StreamState(false);
    rom.timeoutFor(4 << 20);
    expect(rom.timeoutFor(16)).toBe(3000);
  });
});

describe('RegionWriteState', () => {
  it('resumes at the first unverified sector and halves blocks down to 1 KiB', () => {
    const s = new RegionWriteState(0x40000, 0x4000);
    s.streamBroke(0x9000);
    expect(s.writtenTo).toBe(0x9000);
    s.verifiedUpTo(0x8000);
    expect(s).toMatchObject({ from: 0x8000, verifiedTo: 0x8000 });
    for (let i = 0; i < 6; i++) s.narrow();
    expect(s.blockSize).toBe(0x400);
  });

  it('after a dropped link: reconnect, then a rescan from what was verified up to what was written', () => {
    const s = new RegionWriteState(0x40000, 0x4000, { reconnectAfter: 2 });
    s.verifiedUpTo(0x4000);
    s.from = 0x4000;
    s.streamBroke(0x6000);
    const next = s.failed(failure('link-lost', { canReconnect: true }));
    expect(next).toEqual({ action: 'reconnect', lowerBaud: false });
    s.reconnected({ lowerBaud: false, maxBlock: 0x1000 });
    expect(s).toMatchObject({ rescan: true, reconnects: 1, blockSize: 0x1000, writtenTo: 0xa000 });
    s.rescanned(0x8000);
    expect(s).toMatchObject({ rescan: false, from: 0x8000, verifiedTo: 0x8000 });
  });

  it('retries a broken stream, reconnects when stuck, and asks for a lower baud after repeated transfer errors', () => {
    const s = new RegionWriteState(0x40000, 0x4000);
    expect(s.failed(failure('unanswered', { canReconnect: true }))).toEqual({
      action: 'retry',
      operation: 'write-region',
    });
    expect(s.failed(failure('unanswered', { canReconnect: true })).action).toBe('retry');
    expect(s.failed(failure('unanswered', { canReconnect: true }))).toEqual({
      action: 'reconnect',
      lowerBaud: true,
    });
    // Without a reconnect hook a stuck loader is retried until the limits.
    const plain = new RegionWriteState(0x40000, 0x4000);
    for (let i = 0; i < 3; i++) expect(plain.failed(failure('other')).action).toBe('retry');
  });

  it('blames the flash after three failed rewrites of the same sector', () => {
    const s = new RegionWriteState(0x10000, 0x4000);
    for (let i = 0; i < 2; i++) {
      s.verifyMismatch(0x3000);
      expect(s.failed(failure('verify-mismatch'))).toEqual({ action: 'retry', operation: 'verify' });
    }
    s.verifyMismatch(0x3000);
    expect(s.failed(failure('verify-mismatch'))).toMatchObject({
      action: 'give-up',
      code: 'flash/bad-sector',
    });
    expect(s.badSectorAt(0x10000)).toBe(0x13000);
  });

  it('gives up after the restarts without progress, and at the deadline', () => {
    const s = new RegionWriteState(0x10000, 0x4000, { restarts: 2 });
    expect(s.failed(failure('other')).action).toBe('retry');
    expect(s.failed(failure('other')).action).toBe('retry');
    expect(s.failed(failure('other'))).toMatchObject({ action: 'give-up', code: 'flash/write-failed' });
    const late = new RegionWriteState(0x10000, 0x4000);
    expect(late.failed(failure('other', { pastDeadline: true }))).toMatchObject({
      action: 'give-up',
      why: 'within the time limit',
    });
  });
});

describe('writeFailureKind', () => {
  it('sorts failures into the engine’s kinds', () => {
    expect(writeFailureKind(coded('port/disconnected'))).toBe('link-lost');
    expect(writeFailureKind(coded('timeout/flash-data', coded('timeout/sync')))).toBe('link-lost');
    expect(writeFailureKind(coded('timeout/flash-data'))).toBe('unanswered');
    expect(writeFailureKind(coded('rom/bad-crc'))).toBe('rejected-block');
    expect(writeFailureKind(coded('stub/bad-data-len'))).toBe('rejected-block');
    expect(writeFailureKind(coded('stub/spi-failed'))).toBe('flash-chip');
    expect(writeFailureKind(coded('flash/verify-failed'))).toBe('verify-mismatch');
    expect(writeFailureKind(coded('rom/invalid-message'))).toBe('other');
    expect(writeFailureKind(new Error('x'))).toBe('other');
  });
});
