// The timing model on a virtual clock: UART wire time (10 bits per byte at the current baud), ROM
// erase-before-reply and program-before-reply, stub writes overlapped with receiving, chip erase.
// Expected figures come from the W25Q32JV datasheet typicals: sector 45 ms, 64 KiB block 150 ms,
// page program 0.7 ms, chip erase 10 s.

import { afterEach, describe, expect, it } from 'vitest';
import { slipEncode } from '../../src/core/protocol/slip.js';
import { createSimTransport, type SimTransport } from '../../src/sim/sim-transport.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import {
  dataBody,
  expectOk,
  requestFrame,
  SYNC_DATA,
  TestHost,
  uploadStub,
  words,
  xorChecksum,
} from './support/host.js';
import { loadStub } from './support/stub-image.js';

const open: SimTransport[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

/** Milliseconds for `bytes` on the wire at 115200 baud, 10 bits per byte. */
const wire = (bytes: number, baud = 115200) => (bytes * 10 * 1000) / baud;
/** Wire length of a request (SLIP-escaped, with both ENDs). */
const reqWire = (op: number, data: Uint8Array = new Uint8Array(0), checksum = 0) =>
  slipEncode(requestFrame(op, data, checksum)).length;

function timed(chip: 'esp32' | 'esp32c3' = 'esp32', timing = true) {
  const clock = new VirtualClock();
  const transport = createSimTransport({ chip, timing, clock });
  open.push(transport);
  return { clock, transport, host: new TestHost(transport) };
}

async function timeCommand(
  ctx: ReturnType<typeof timed>,
  op: number,
  data?: Uint8Array,
  checksum?: number,
): Promise<number> {
  const start = ctx.clock.now();
  const r = await ctx.host.command(op, data, checksum, 120_000);
  expect(r.data[0]).toBe(0);
  return ctx.clock.now() - start;
}

describe('timing model', () => {
  it('takes wire time for the SYNC request and its eight 14-byte replies', async () => {
    const { clock, host } = timed();
    await host.send(0x08, SYNC_DATA);
    for (let i = 0; i < 8; i++) expect(await host.frame()).not.toBeNull();
    expect(clock.now()).toBeCloseTo(wire(46 + 8 * 14), 9);
  });

  it('ROM FLASH_BEGIN replies after erasing: one 64 KiB block = 150 ms', async () => {
    const ctx = timed();
    await expectOk(ctx.host, 0x0d, words(0, 0));
    const data = words(0x10000, 64, 0x400, 0x10000);
    expect(await timeCommand(ctx, 0x02, data)).toBeCloseTo(wire(reqWire(0x02, data) + 14) + 150, 9);
  });

  it('ROM erases sectors up to a 64 KiB boundary, then blocks', async () => {
    const ctx = timed();
    await expectOk(ctx.host, 0x0d, words(0, 0));
    const data = words(0x11000, 69, 0x400, 0xf000);
    expect(await timeCommand(ctx, 0x02, data)).toBeCloseTo(wire(reqWire(0x02, data) + 14) + 45 + 150, 9);
  });

  it('ROM FLASH_DATA replies after programming: 4 pages x 0.7 ms for 1 KiB', async () => {
    const ctx = timed();
    await expectOk(ctx.host, 0x0d, words(0, 0));
    await expectOk(ctx.host, 0x02, words(0x400, 1, 0x400, 0x1000));
    const block = new Uint8Array(0x400).map((_, i) => i & 0x7f);
    const body = dataBody(block, 0);
    const ms = await timeCommand(ctx, 0x03, body, xorChecksum(block));
    expect(ms).toBeCloseTo(wire(reqWire(0x03, body, xorChecksum(block)) + 14) + 4 * 0.7, 9);
  });

  it('stub ACKs a block before writing it; END waits for the last write (64 pages x 0.7 ms)', async () => {
    const ctx = timed();
    const { host, clock } = ctx;
    await uploadStub(host, loadStub('esp32'));
    await host.frame(); // OHAI
    await expectOk(host, 0x02, words(0x10000, 4, 0x4000, 0x100000));
    const block = new Uint8Array(0x4000).map((_, i) => (i * 3) & 0x7f);
    const body = dataBody(block, 0);
    const first = await timeCommand(ctx, 0x03, body, xorChecksum(block));
    // No erase (150 ms) and no programming (44.8 ms) before the reply: only the wire.
    expect(first).toBeCloseTo(wire(reqWire(0x03, body, xorChecksum(block)) + 12), 9);
    for (let seq = 1; seq < 4; seq++) await expectOk(host, 0x03, dataBody(block, seq), xorChecksum(block));
    const lastReply = clock.now();
    await expectOk(host, 0x04, words(1));
    expect(clock.now() - lastReply).toBeCloseTo(64 * 0.7, 9);
    expect(ctx.transport.device.flash.counters.blocksErased).toBe(1);
  });

  it('stub ERASE_FLASH takes 10 s for 4 MB', async () => {
    const ctx = timed('esp32c3');
    await uploadStub(ctx.host, loadStub('esp32c3'));
    await ctx.host.frame();
    expect(await timeCommand(ctx, 0xd0)).toBeCloseTo(10_000 + wire(10 + 12), 9);
  });

  it('wire time follows the new baud after CHANGE_BAUDRATE', async () => {
    const ctx = timed();
    await expectOk(ctx.host, 0x0f, words(921600, 0));
    await ctx.transport.setBaudRate(921600);
    const data = words(0x40001000);
    expect(await timeCommand(ctx, 0x0a, data)).toBeCloseTo(wire(reqWire(0x0a, data) + 14, 921600), 9);
  });

  it('costs no simulated time at all when disabled', async () => {
    const ctx = timed('esp32', false);
    await uploadStub(ctx.host, loadStub('esp32'));
    await ctx.host.frame();
    await expectOk(ctx.host, 0xd0);
    await expectOk(ctx.host, 0x02, words(0x4000, 1, 0x4000, 0));
    const block = new Uint8Array(0x4000).fill(1);
    await expectOk(ctx.host, 0x03, dataBody(block, 0), xorChecksum(block));
    await expectOk(ctx.host, 0x04, words(1));
    expect(ctx.clock.now()).toBe(0);
  });
});
