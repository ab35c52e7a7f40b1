import { describe, expect, it } from 'vitest';
import { chipInfo } from '../../src/chips/chips.js';
import { packU32, readU32 } from '../../src/core/protocol/bytes.js';
import { OP } from '../../src/core/protocol/opcodes.js';
import { LoaderSession } from '../../src/core/session/loader-session.js';
import { EspflashError } from '../../src/errors.js';
import { FakeClock } from './support/fake-clock.js';
import { type Responder, responseFrame, ScriptedChip } from './support/scripted-chip.js';

const ROM_OK = [0, 0, 0, 0];

function setup(responder: Responder, options: { chunkSize?: number } = {}) {
  const clock = new FakeClock();
  const device = new ScriptedChip({ clock, responder, chunkSize: options.chunkSize });
  const session = new LoaderSession({ transport: device, clock });
  session.setChip(chipInfo('esp32'));
  return { clock, device, session };
}

/** Answers READ_REG with value = address + 1. */
const echoReadReg: Responder = (req, d) => {
  if (req.op === OP.READ_REG) d.reply({ op: req.op, value: readU32(req.data, 0) + 1, status: ROM_OK });
  if (req.op === OP.SYNC)
    for (let i = 0; i < 8; i++) d.reply({ op: OP.SYNC, value: 0x20120707, status: ROM_OK });
};

async function rejection(p: Promise<unknown>): Promise<EspflashError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EspflashError);
  return err as EspflashError;
}

describe('LoaderSession', () => {
  it('flushes input before every command and matches the reply by opcode', async () => {
    const { device, session } = setup(echoReadReg);
    expect(await session.readReg(0x1000)).toBe(0x1001);
    expect(await session.readReg(0x2000)).toBe(0x2001);
    expect(device.flushes).toBe(2);
    expect(device.sent.map((r) => r.op)).toEqual([OP.READ_REG, OP.READ_REG]);
  });

  it('decodes replies delivered one byte at a time, with boot noise and other frames in between', async () => {
    const { device, session } = setup(
      (req, d) => {
        d.text('rst:0x1 (POWERON_RESET),boot:0x3\r\n', 1);
        d.reply({ op: OP.SYNC, value: 1, status: ROM_OK, delayMs: 2 });
        d.sendFrame(new TextEncoder().encode('OHAI'), 3);
        d.reply({ op: req.op, value: 0xdeadbeef, status: ROM_OK, delayMs: 4 });
      },
      { chunkSize: 1 },
    );
    expect(await session.readReg(0x40001000)).toBe(0xdeadbeef);
    expect(session.bootLog).toContain('boot:0x3');
    expect(device.sent).toHaveLength(1);
  });

  it('never takes a stale reply that arrives after a timeout as the next reply (SYNC barrier)', async () => {
    let n = 0;
    const { device, session } = setup((req, d) => {
      if (req.op === OP.SYNC) {
        for (let i = 0; i < 8; i++) d.reply({ op: OP.SYNC, value: 1, status: ROM_OK, delayMs: 1500 + i });
        return;
      }
      n++;
      // The first READ_REG is answered late (after the host's 3 s timeout), the second promptly.
      d.reply({
        op: req.op,
        value: n === 1 ? 0xbad : 0x600d,
        status: ROM_OK,
        delayMs: n === 1 ? 4000 : 2000,
      });
    });
    const err = await rejection(session.readReg(0x1000));
    expect(err.code).toBe('timeout/read-reg');
    expect(err.message).toBe('No reply to READ_REG within 3000 ms');
    // The late 0xbad reply lands while the barrier SYNC is pending; it must be discarded.
    expect(await session.readReg(0x1000)).toBe(0x600d);
    expect(device.sent.map((r) => r.op)).toEqual([OP.READ_REG, OP.SYNC, OP.READ_REG]);
  });

  it('reports a dead loader during the resync as a timeout of the new command', async () => {
    const { session } = setup(() => {});
    expect((await rejection(session.readReg(0))).code).toBe('timeout/read-reg');
    const err = await rejection(session.command({ op: OP.SPI_ATTACH, data: new Uint8Array(8) }));
    expect(err.code).toBe('timeout/spi-attach');
    expect(err.message).toContain('resync SYNC');
  });

  it('discards duplicate replies that arrived before the next command', async () => {
    let n = 0;
    const { session } = setup((req, d) => {
      n++;
      d.reply({ op: req.op, value: n, status: ROM_OK, delayMs: 1 });
      if (n === 1) d.reply({ op: req.op, value: 99, status: ROM_OK, delayMs: 2 });
    });
    expect(await session.readReg(0)).toBe(1);
    await session.clock.sleep(10);
    expect(await session.readReg(0)).toBe(2);
  });

  it('detects an unsupported command from a reply for another opcode with status 0x05', async () => {
    const { session, device } = setup((_req, d) => {
      d.reply({ op: 0x00, status: [1, 5, 0, 0] });
      d.reply({ op: 0x00, status: [1, 5, 0, 0], delayMs: 100 });
    });
    const err = await rejection(session.command({ op: OP.GET_SECURITY_INFO, responseDataLength: 20 }));
    expect(err.code).toBe('rom/unsupported-command');
    expect(err.message).toContain('GET_SECURITY_INFO');
    expect(err.hint).toMatch(/--no-stub/);
    expect(device.flushes).toBe(2);
  });

  it('maps a failing status to the coded error naming the command', async () => {
    const { session } = setup((req, d) => d.reply({ op: req.op, status: [1, 8, 0, 0] }));
    const err = await rejection(session.command({ op: OP.FLASH_DEFL_DATA, data: new Uint8Array(16) }));
    expect(err.code).toBe('rom/flash-write');
    expect(err.message).toBe('FLASH_DEFL_DATA failed: flash write error (ROM status 0x01 0x08)');
  });

  it('reads a 2-byte stub status after a 16-byte MD5 payload', async () => {
    const digest = Uint8Array.from({ length: 16 }, (_, i) => i);
    const { session } = setup((req, d) => d.reply({ op: req.op, payload: digest, status: [0, 0] }));
    session.setStub(true);
    const r = await session.command({
      op: OP.SPI_FLASH_MD5,
      data: packU32(0, 0x1000, 0, 0),
      responseDataLength: 16,
    });
    expect([...r.data]).toEqual([...digest]);
    expect(session.statusLength).toBe(2);
  });

  it('uses the per-command timeout and reports it', async () => {
    const { session, clock } = setup(() => {});
    const start = clock.now();
    const err = await rejection(
      session.command({ op: OP.SPI_FLASH_MD5, data: new Uint8Array(16), timeoutMs: 8000 }),
    );
    expect(err.code).toBe('timeout/spi-flash-md5');
    expect(err.message).toBe('No reply to SPI_FLASH_MD5 within 8000 ms');
    expect(clock.now() - start).toBe(8000);
  });

  it('gives up after 100 unrelated frames', async () => {
    const { session } = setup((_req, d) => {
      for (let i = 0; i < 120; i++) d.sendFrame(responseFrame({ op: OP.SYNC, status: ROM_OK }), 1);
    });
    const err = await rejection(session.readReg(0));
    expect(err.code).toBe('protocol/no-matching-reply');
  });

  it('writeReg sends one record, or two with the delay record aimed at UART_DATE_REG', async () => {
    const { device, session } = setup((req, d) => d.reply({ op: req.op, status: ROM_OK }));
    await session.writeReg(0x3ff42000, 0x12345678);
    await session.writeReg(0x3ff42004, 1, { mask: 0xff, delayUs: 50 });
    const [a, b] = device.requests(OP.WRITE_REG);
    expect([0, 4, 8, 12].map((o) => readU32(a!.data, o))).toEqual([0x3ff42000, 0x12345678, 0xffffffff, 0]);
    expect(b!.data.length).toBe(32);
    expect([0, 4, 8, 12, 16, 20, 24, 28].map((o) => readU32(b!.data, o))).toEqual([
      0x3ff42004, 1, 0xff, 0, 0x60000078, 0, 0, 50,
    ]);
  });

  it('readFrame/writeFrame pass raw frames without flushing', async () => {
    const { device, session } = setup(() => {});
    device.sendFrame(Uint8Array.of(1, 2, 3), 1);
    device.sendFrame(Uint8Array.of(4), 2);
    expect([...(await session.readFrame(100))]).toEqual([1, 2, 3]);
    await session.writeFrame(packU32(3));
    expect([...(await session.readFrame(100))]).toEqual([4]);
    expect(device.flushes).toBe(0);
    expect([...device.frames[0]!]).toEqual([3, 0, 0, 0]);
    const err = await rejection(session.readFrame(50));
    expect(err.code).toBe('timeout/read-frame');
  });

  it('commands without a response return at once', async () => {
    const { device, session } = setup(() => {});
    const r = await session.command({ op: OP.RUN_USER_CODE, expectResponse: false });
    expect(r.data.length).toBe(0);
    expect(device.sent[0]?.op).toBe(OP.RUN_USER_CODE);
  });

  it('throws loader/no-chip before detection', () => {
    const clock = new FakeClock();
    const s = new LoaderSession({ transport: new ScriptedChip({ clock }), clock });
    expect(() => s.chip).toThrow(/not been detected/);
    expect(s.statusLength).toBeNull();
  });
});
