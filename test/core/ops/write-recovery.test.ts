// The write engine's recovery on the fake loader: same-seq resend of a rejected block,
// restart at the failed block's sector with the rest recompressed, MD5 scans, reconnect hand-over,
// and the bounded give-ups with coded errors.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readU32 } from '../../../src/core/protocol/bytes.js';
import { OP } from '../../../src/core/protocol/opcodes.js';
import type { CommandRequest, Loader } from '../../../src/core/session/loader.js';
import { firstMismatch } from '../../../src/core/write/verify-scan.js';
import { isLinkLost } from '../../../src/core/write/write-failure.js';
import { writeRegion } from '../../../src/core/write/write-region.js';
import { type ErrorCode, EspflashError } from '../../../src/errors.js';
import { ScriptedLoader, sampleBytes } from './support/scripted-loader.js';

const base = { index: 2, label: 'factory', role: 'app' };
const OFFSET = 0x10000;
const nodeHash = (b: Uint8Array) => new Uint8Array(createHash('md5').update(b).digest());

/** A Loader over `fake` whose commands can be made to fail; `sent` logs every request it saw. */
function faulty(fake: ScriptedLoader, fail: (r: CommandRequest, seq: number | null) => EspflashError | null) {
  const sent: Array<{ op: number; seq: number | null; words: number[] }> = [];
  const loader: Loader = Object.create(fake);
  loader.command = async (r) => {
    const dataOp = r.op === OP.FLASH_DATA || r.op === OP.FLASH_DEFL_DATA;
    const seq = dataOp && r.data ? readU32(r.data, 4) : null;
    const words: number[] = [];
    for (let i = 0; r.data && !dataOp && i + 4 <= Math.min(r.data.length, 20); i += 4)
      words.push(readU32(r.data, i));
    sent.push({ op: r.op, seq, words });
    const err = fail(r, seq);
    if (err) throw err;
    return fake.command(r);
  };
  return { loader, sent };
}

const coded = (code: ErrorCode) => new EspflashError(code, code);

/** A fault that fails the block sent with sequence number `seq` once, with `err`. */
const failOnceAt = (seq: number, err: () => EspflashError) => {
  let failed = false;
  return (_r: unknown, s: number | null): EspflashError | null => {
    if (s !== seq || failed) return null;
    failed = true;
    return err();
  };
};

/** The region job most cases write: `data` at OFFSET, always written, verified with node's MD5. */
const job = (fake: ScriptedLoader, data: Uint8Array) => ({
  onEvent: fake.onEvent,
  ...base,
  offset: OFFSET,
  data,
  skipIfMatch: false,
  hash: nodeHash,
});

describe('writeRegion recovery', () => {
  it('in Secure Download Mode, writes without verifying and says the mode blocks the MD5', async () => {
    const fake = new ScriptedLoader({ chip: 'esp32s3', stub: false, sdm: true });
    const data = sampleBytes(0x2800);
    const r = await writeRegion(fake, {
      onEvent: fake.onEvent,
      ...base,
      offset: OFFSET,
      data,
      hash: nodeHash,
    });
    expect(r).toMatchObject({ status: 'written', verified: false });
    expect(fake.ops).not.toContain(OP.SPI_FLASH_MD5);
    const warning = fake.events.find((e) => e.type === 'warning' && e.code === 'flash/unverified');
    const message = warning && 'message' in warning ? warning.message : '';
    expect(message).toMatch(/Secure Download Mode, which blocks the flash MD5/);
    expect(message).not.toMatch(/ROM cannot compute/);
    expect(fake.flash.subarray(OFFSET, OFFSET + data.length)).toEqual(data);
  });

  it('resends a block the ROM rejected for its checksum under the next seq, in the same stream', async () => {
    const fake = new ScriptedLoader({ chip: 'esp32', stub: false });
    let failed = false;
    const { loader, sent } = faulty(fake, (_r, seq) => {
      if (seq === 2 && !failed) {
        failed = true;
        // The real ESP32 ROM uses up the sequence number of a block whose checksum fails.
        (fake as unknown as { write: { seq: number } }).write.seq++;
        return coded('rom/bad-crc');
      }
      return null;
    });
    const data = sampleBytes(0x2800);
    const r = await writeRegion(loader, job(fake, data));
    expect(r.verified).toBe(true);
    const seqs = sent.filter((c) => c.op === OP.FLASH_DATA).map((c) => c.seq);
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(sent.filter((c) => c.op === OP.FLASH_BEGIN)).toHaveLength(1);
    expect(fake.events).toContainEqual(
      expect.objectContaining({ type: 'retry', operation: 'write-block', attempt: 2 }),
    );
    expect(fake.flash.subarray(OFFSET, OFFSET + data.length)).toEqual(data);
  });

  it('after a deferred stub error restarts at the failed block sector with the rest recompressed', async () => {
    const fake = new ScriptedLoader({ chip: 'esp32', stub: true });
    const { loader, sent } = faulty(
      fake,
      failOnceAt(3, () => coded('stub/spi-failed')),
    ); // block 2's write failed, reported with block 3
    const data = sampleBytes(0x60000, 7);
    const r = await writeRegion(loader, {
      ...job(fake, data),
      blockSize: 0x1000,
    });
    expect(r).toMatchObject({ status: 'written', verified: true, restarts: 1, reconnects: 0 });
    const begins = sent.filter((c) => c.op === OP.FLASH_DEFL_BEGIN);
    expect(begins).toHaveLength(2);
    const [size2, , , at2] = begins[1]!.words;
    expect(at2! % 0x1000).toBe(0);
    expect(at2).toBeGreaterThan(OFFSET);
    expect(size2).toBe(OFFSET + data.length - at2!); // exactly the rest
    // The prefix was checked by MD5 before restarting, and nothing below `at2` was sent again.
    const second = sent.indexOf(begins[1]!);
    expect(sent.slice(0, second).some((c) => c.op === OP.SPI_FLASH_MD5)).toBe(true);
    expect(fake.flash.subarray(OFFSET, OFFSET + data.length)).toEqual(data);
    expect(fake.events).toContainEqual(
      expect.objectContaining({ type: 'retry', operation: 'write-region', offset: at2 }),
    );
  });

  it('hands over to a reconnected loader after the port is lost and resumes at the first bad sector', async () => {
    const fake = new ScriptedLoader({ chip: 'esp32', stub: true });
    const first = faulty(fake, (_r, seq) => (seq === 5 ? coded('port/disconnected') : null));
    const second = faulty(fake, () => null);
    const requests: unknown[] = [];
    const data = sampleBytes(0x40000, 3);
    const r = await writeRegion(first.loader, {
      ...job(fake, data),
      blockSize: 0x1000,
      reconnect: async (req) => {
        requests.push(req);
        return second.loader;
      },
    });
    expect(requests).toHaveLength(1);
    expect(r.loader).toBe(second.loader);
    expect(r.reconnects).toBe(1);
    const resumed = second.sent.find((c) => c.op === OP.FLASH_DEFL_BEGIN)!;
    expect(resumed.words[3]).toBeGreaterThan(OFFSET);
    expect(fake.flash.subarray(OFFSET, OFFSET + data.length)).toEqual(data);
  });

  it('a lost port with no way to reconnect is flash/connection-lost naming the region and offset', async () => {
    const fake = new ScriptedLoader({ chip: 'esp32', stub: true });
    const { loader } = faulty(fake, (_r, seq) => (seq === 1 ? coded('transport/closed') : null));
    const err = await writeRegion(loader, {
      onEvent: fake.onEvent,
      ...base,
      offset: OFFSET,
      data: sampleBytes(0x20000),
      skipIfMatch: false,
      blockSize: 0x1000,
    }).catch((e) => e);
    expect(err.code).toBe('flash/connection-lost');
    expect(err.message).toMatch(/region 2 \(factory\) at 0x10000/);
    expect(err.hint).toMatch(/--baud/);
    expect(err.hint).toMatch(/rfc2217:\/\//);
    expect(err.hint).toMatch(/BOOT/);
    expect(err.details).toMatchObject({ operation: 'write', offset: OFFSET });
  });

  it('stops at the deadline with flash/write-failed', async () => {
    const fake = new ScriptedLoader({ chip: 'esp32', stub: true });
    const { loader } = faulty(fake, (_r, seq) => (seq === 0 ? coded('stub/inflate') : null));
    const err = await writeRegion(loader, {
      onEvent: fake.onEvent,
      ...base,
      offset: OFFSET,
      data: sampleBytes(0x8000),
      skipIfMatch: false,
      deadline: fake.clock.now(),
    }).catch((e) => e);
    expect(err.code).toBe('flash/write-failed');
    expect(err.message).toMatch(/time limit/);
  });

  it('stops after the restart limit when every stream breaks', async () => {
    const fake = new ScriptedLoader({ chip: 'esp32', stub: true });
    const { loader, sent } = faulty(fake, (_r, seq) => (seq === 0 ? coded('stub/inflate') : null));
    const err = await writeRegion(loader, {
      onEvent: fake.onEvent,
      ...base,
      offset: OFFSET,
      data: sampleBytes(0x8000),
      skipIfMatch: false,
      restarts: 4,
    }).catch((e) => e);
    expect(err.code).toBe('flash/write-failed');
    expect(sent.filter((c) => c.op === OP.FLASH_DEFL_BEGIN)).toHaveLength(5);
  });
});

describe('firstMismatch', () => {
  it('finds the first sector that differs, with one MD5 when the range is good', async () => {
    const fake = new ScriptedLoader({ chip: 'esp32', stub: true });
    const data = sampleBytes(0x20000, 5);
    fake.flash.set(data, OFFSET);
    const before = fake.log.length;
    expect(
      await firstMismatch(fake, { offset: OFFSET, data, from: 0, to: data.length, hash: nodeHash }),
    ).toBe(data.length);
    expect(fake.log.length - before).toBe(1);
    fake.flash[OFFSET + 0x9123]! ^= 0x40;
    fake.flash[OFFSET + 0x1c000]! ^= 0x40;
    expect(
      await firstMismatch(fake, { offset: OFFSET, data, from: 0, to: data.length, hash: nodeHash }),
    ).toBe(0x9000);
  });
});

describe('isLinkLost', () => {
  it('treats a closed transport, a vanished port and an unanswered resync as lost, a status error not', () => {
    expect(isLinkLost(coded('transport/closed'))).toBe(true);
    expect(isLinkLost(coded('port/disconnected'))).toBe(true);
    const resync = new EspflashError('timeout/flash-defl-data', 'x', { cause: coded('timeout/sync') });
    expect(isLinkLost(resync)).toBe(true);
    expect(isLinkLost(coded('timeout/flash-defl-data'))).toBe(false);
    expect(isLinkLost(coded('stub/spi-failed'))).toBe(false);
  });
});
