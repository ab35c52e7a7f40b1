// Fuzz the loader session against a hostile device: random bytes, mutated and size-lying replies,
// floods of foreign frames, "invalid message" storms, late and split replies, hang-ups. Each host
// call must settle — with a reply of the promised shape or a coded EspflashError — within its
// timeout budget on a fake clock. A virtual-time watchdog turns a hang into a failure naming the seed.

import { describe, expect, it } from 'vitest';
import { chipInfo } from '../../src/chips/chips.js';
import { DEFAULT_TIMEOUT_MS, OP } from '../../src/core/protocol/opcodes.js';
import { SLIP_END, SLIP_ESC, SlipDecoder, slipEncode } from '../../src/core/protocol/slip.js';
import { LoaderSession, UNSUPPORTED_DRAIN_MS } from '../../src/core/session/loader-session.js';
import { createMemoryTransportPair } from '../../src/core/session/memory-transport.js';
import { EspflashError } from '../../src/errors.js';
import { FakeClock } from '../core/support/fake-clock.js';
import { assertCoded, fuzzFailure } from './support/expect-coded.js';
import { iterationSeed, mutateMany, Prng } from './support/prng.js';

const KNOWN_OPS = Object.values(OP);
const ITERATIONS = 500;

/** A response frame (unframed) with optional size lie. */
function reply(
  rng: Prng,
  options: { op: number; payloadLength: number; status: number[]; sizeLie?: boolean },
): Uint8Array {
  const body = new Uint8Array(options.payloadLength + options.status.length);
  body.set(rng.bytes(options.payloadLength));
  body.set(options.status, options.payloadLength);
  const out = new Uint8Array(8 + body.length);
  out[0] = 1;
  out[1] = options.op;
  const size = options.sizeLie ? rng.pick([0, 1, 2, 0xffff, rng.int(0, 0xffff)]) : body.length;
  out[2] = size & 0xff;
  out[3] = size >> 8;
  out.set(rng.bytes(4), 4);
  out.set(body, 8);
  return out;
}

function randomStatus(rng: Prng, statusBytes: 2 | 4): number[] {
  const s = rng.chance(0.7)
    ? [0, 0]
    : rng.pick([
        [1, 5],
        [1, rng.int(0, 12)],
        [rng.int(0xc0, 0xcb), 0],
        [0xff, 0],
        [rng.int(1, 255), rng.int(0, 255)],
      ]);
  return statusBytes === 4 ? [...s, 0, 0] : s;
}

/** What the fake device sends back for one request frame. */
function respond(
  rng: Prng,
  request: Uint8Array,
  deliver: (bytes: Uint8Array, delayMs: number) => void,
): void {
  const op = request.length > 1 ? request[1]! : 0;
  const statusBytes = rng.pick([2, 4] as const);
  const delay = () => rng.pick([0, 1, 5, 50, 99, 100, 150, 2999, 3000, 3001, rng.int(0, 6000)]);
  const good = () =>
    reply(rng, {
      op,
      payloadLength: rng.pick([0, 0, 4, 16, 32, rng.int(0, 64)]),
      status: randomStatus(rng, statusBytes),
    });
  switch (rng.below(10)) {
    case 0:
      return; // silence
    case 1:
      deliver(rng.biasedBytes(rng.int(1, 300), [SLIP_END, SLIP_ESC, 0xdc, 0xdd, 0x01]), delay());
      return;
    case 2: {
      // a reply in pieces, possibly straddling the timeout
      const bytes = slipEncode(good());
      let at = 0;
      for (let k = 0; k < 8 && at < bytes.length; k++) {
        const n = rng.int(1, bytes.length - at);
        deliver(bytes.subarray(at, at + n), delay());
        at += n;
      }
      if (at < bytes.length) deliver(bytes.subarray(at), delay());
      return;
    }
    case 3: {
      // a flood of frames for other opcodes / non-responses (beyond the skip limit at times)
      const n = rng.pick([5, 99, 100, 101, 150]);
      const parts: Uint8Array[] = [];
      for (let k = 0; k < n; k++) {
        const other = rng.chance(0.5)
          ? rng.bytes(rng.int(1, 12))
          : reply(rng, { op: (op + 1 + rng.below(250)) & 0xff, payloadLength: 0, status: [0, 0] });
        parts.push(slipEncode(other));
      }
      if (rng.chance(0.5)) parts.push(slipEncode(good()));
      deliver(concat(parts), delay());
      return;
    }
    case 4:
      // the ROM's "invalid message" answer under another opcode, repeated
      for (let k = rng.int(1, 4); k > 0; k--)
        deliver(
          slipEncode(reply(rng, { op: (op + 1) & 0xff, payloadLength: 0, status: [1, 5, 0, 0] })),
          delay(),
        );
      return;
    case 5:
      deliver(slipEncode(mutateMany(rng, good(), { lengthFields: [0, 1, 2, 8], max: 4 })), delay());
      return;
    case 6:
      deliver(mutateMany(rng, slipEncode(good()), { max: 3 }), delay());
      return;
    case 7:
      deliver(
        slipEncode(
          reply(rng, {
            op,
            payloadLength: rng.int(0, 40),
            status: randomStatus(rng, statusBytes),
            sizeLie: true,
          }),
        ),
        delay(),
      );
      return;
    case 8: {
      // boot-log noise, then a duplicated reply
      const noise = Uint8Array.from(
        rng.text(rng.int(1, 200), 'rst:0x1 boot:0x13 waiting for download\r\n'),
        (c) => c.charCodeAt(0),
      );
      const r = slipEncode(good());
      deliver(concat([noise, r, r]), delay());
      return;
    }
    default:
      deliver(slipEncode(good()), delay());
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

type HostCall = {
  name: string;
  budgetMs: number;
  run: () => Promise<unknown>;
  check?: (v: unknown) => string | null;
};

function hostCall(rng: Prng, session: LoaderSession): HostCall {
  const timeoutMs = rng.pick([1, 10, 100, 3000, rng.int(1, 10_000)]);
  // barrier SYNC (+ its drain) + own timeout + an unsupported/invalid-message drain
  const budgetMs = DEFAULT_TIMEOUT_MS + 2 * UNSUPPORTED_DRAIN_MS + timeoutMs;
  switch (rng.below(8)) {
    case 0:
    case 1:
    case 2: {
      const op = rng.chance(0.85) ? rng.pick(KNOWN_OPS) : rng.below(256);
      const responseDataLength = rng.pick([0, 0, 0, 4, 16, 32, rng.int(0, 100)]);
      return {
        name: `command(op=0x${op.toString(16)}, timeoutMs=${timeoutMs}, responseDataLength=${responseDataLength})`,
        budgetMs,
        run: () => session.command({ op, data: rng.bytes(rng.int(0, 64)), timeoutMs, responseDataLength }),
        check: (v) => {
          const r = v as { value: unknown; data: unknown };
          if (typeof r.value !== 'number' || !(r.data instanceof Uint8Array))
            return 'reply has the wrong shape';
          return r.data.length === responseDataLength
            ? null
            : `payload of ${r.data.length} bytes, promised ${responseDataLength}`;
        },
      };
    }
    case 3:
      return {
        name: 'readReg',
        budgetMs: DEFAULT_TIMEOUT_MS * 2 + 2 * UNSUPPORTED_DRAIN_MS,
        run: () => session.readReg(rng.u32()),
        check: (v) =>
          Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff
            ? null
            : `register value ${v}`,
      };
    case 4:
      return {
        name: `readFrame(${timeoutMs})`,
        budgetMs: timeoutMs,
        run: () => session.readFrame(timeoutMs),
        check: (v) => (v instanceof Uint8Array && v.length > 0 ? null : 'readFrame returned an empty frame'),
      };
    case 5: {
      const op = rng.pick(KNOWN_OPS);
      return {
        name: `awaitReply(op=0x${op.toString(16)}, timeoutMs=${timeoutMs})`,
        budgetMs: timeoutMs + UNSUPPORTED_DRAIN_MS,
        run: () => session.awaitReply({ op, timeoutMs, detectUnsupported: rng.chance(0.5) }),
      };
    }
    case 6: {
      const quietMs = rng.pick([0, 1, 20, 500]);
      const maxMs = rng.pick([0, 10, 1000, 5000]);
      return {
        name: `drainInput(${quietMs}, ${maxMs})`,
        budgetMs: maxMs,
        run: () => session.drainInput({ quietMs, maxMs }),
      };
    }
    default:
      return {
        name: 'writeReg(delayUs)',
        budgetMs: DEFAULT_TIMEOUT_MS * 2 + 2 * UNSUPPORTED_DRAIN_MS,
        run: () => session.writeReg(rng.u32(), rng.u32(), { delayUs: rng.pick([0, 1, 1000]) }),
      };
  }
}

describe('fuzz: loader session against a hostile device', () => {
  it(`${ITERATIONS} sessions: every call ends in a well-formed reply or a coded error within its budget`, {
    timeout: 60_000,
  }, async () => {
    const seen = new Map<string, number>();
    const tally = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
    for (let i = 0; i < ITERATIONS; i++) {
      const seed = iterationSeed(0x10ad, i);
      const rng = new Prng(seed);
      const clock = new FakeClock();
      const maxChunk = rng.pick([undefined, 1, 3, 64]);
      const { host, device } = createMemoryTransportPair({
        clock,
        ...(maxChunk === undefined ? {} : { maxChunk }),
      });
      const bootLogLimit = rng.pick([16, 8192]);
      const abort = new AbortController();
      const cancelled = new EspflashError('cli/interrupted', 'Cancelled');
      const session = new LoaderSession({
        transport: host,
        clock,
        bootLogLimit,
        ...(rng.chance(0.15) ? { signal: abort.signal } : {}),
      });
      if (rng.chance(0.6))
        session.setChip(chipInfo(rng.pick(['esp32', 'esp8266', 'esp32s3', 'esp32c3'] as const)));
      session.setStub(rng.chance(0.4));

      // The device: decode what the host sends and answer each frame per the script.
      const deliver = (bytes: Uint8Array, delayMs: number) =>
        clock.schedule(delayMs, () => {
          if (rng.chance(0.01)) void device.close();
          else device.write(bytes).catch(() => {});
        });
      const decoder = new SlipDecoder();
      void (async () => {
        for (let k = 0; k < 5000; k++) {
          let chunk: Uint8Array;
          try {
            chunk = await device.read({ timeoutMs: 1_000_000 });
          } catch {
            return;
          }
          for (const frame of decoder.feed(chunk).frames) respond(rng, frame, deliver);
        }
      })();
      if (rng.chance(0.15)) clock.schedule(rng.int(0, 8000), () => abort.abort(cancelled));

      const calls = rng.int(1, 6);
      const log: string[] = [];
      for (let c = 0; c < calls; c++) {
        const call = hostCall(rng, session);
        log.push(call.name);
        const ctx = { seed, input: log.join(' → ') };
        const start = clock.now();
        let cancelWatchdog = () => {};
        const watchdog = new Promise<'hang'>((resolve) => {
          cancelWatchdog = clock.schedule(call.budgetMs + 1, () => resolve('hang'));
        });
        const outcome = await Promise.race([
          call.run().then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          ),
          watchdog,
        ]);
        cancelWatchdog();
        if (outcome === 'hang')
          throw fuzzFailure(`${call.name} did not settle within ${call.budgetMs} virtual ms`, ctx);
        if ('error' in outcome) {
          const err = assertCoded(outcome.error, ctx);
          tally(err.code.replace(/\/.*/, '/'));
          if (err === cancelled) break;
        } else {
          tally('ok');
          const problem = call.check?.(outcome.value) ?? null;
          if (problem) throw fuzzFailure(`${call.name}: ${problem}`, ctx);
        }
        if (clock.now() - start > call.budgetMs)
          throw fuzzFailure(
            `${call.name} took ${clock.now() - start} virtual ms (budget ${call.budgetMs})`,
            ctx,
          );
        if (session.bootLog.length > bootLogLimit)
          throw fuzzFailure(`boot log holds ${session.bootLog.length} bytes (limit ${bootLogLimit})`, ctx);
      }
      await host.close();
    }
    // The script must actually reach the interesting outcomes, or the fuzzing proves nothing.
    for (const key of ['ok', 'timeout/', 'rom/', 'protocol/', 'transport/'])
      expect(seen.get(key) ?? 0, key).toBeGreaterThan(0);
  });

  it("a late reply to a timed-out command is never taken as the next command's reply", {
    timeout: 60_000,
  }, async () => {
    let answeredAfterTimeout = 0;
    for (let i = 0; i < 200; i++) {
      const seed = iterationSeed(0x10ae, i);
      const rng = new Prng(seed);
      const clock = new FakeClock();
      const { host, device } = createMemoryTransportPair({ clock });
      const session = new LoaderSession({ transport: host, clock });
      // An in-order device: request k is answered after all earlier ones, `delay` ms after it is free.
      // READ_REG number k answers value k, so the host can tell whose reply it got.
      let busyUntil = 0;
      let readRegs = 0;
      const decoder = new SlipDecoder();
      void (async () => {
        for (let k = 0; k < 1000; k++) {
          let chunk: Uint8Array;
          try {
            chunk = await device.read({ timeoutMs: 1_000_000 });
          } catch {
            return;
          }
          for (const frame of decoder.feed(chunk).frames) {
            const op = frame[1]!;
            const value = op === OP.READ_REG ? ++readRegs : 0x20120707;
            const at = Math.max(busyUntil, clock.now()) + rng.pick([0, 1, 50, 2999, 3001, 4000, 7000]);
            busyUntil = at;
            const bytes = slipEncode(
              reply(rng, { op, payloadLength: 0, status: [0, 0] }).map((b, j) =>
                j >= 4 && j < 8 ? (value >>> (8 * (j - 4))) & 0xff : b,
              ),
            );
            clock.schedule(at - clock.now(), () => void device.write(bytes).catch(() => {}));
          }
        }
      })();
      const log: string[] = [];
      for (let call = 1; call <= rng.int(2, 6); call++) {
        const ctx = { seed, input: log.join(' → ') };
        let cancelWatchdog = () => {};
        const watchdog = new Promise<'hang'>((resolve) => {
          cancelWatchdog = clock.schedule(2 * DEFAULT_TIMEOUT_MS + 1, () => resolve('hang'));
        });
        const outcome = await Promise.race([
          session.readReg(0x3ff5a000).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          ),
          watchdog,
        ]);
        cancelWatchdog();
        if (outcome === 'hang') throw fuzzFailure(`readReg #${call} did not settle`, ctx);
        if ('error' in outcome) {
          log.push(`#${call} ${assertCoded(outcome.error, ctx).code}`);
          continue;
        }
        if (log.some((l) => l.includes('timeout/'))) answeredAfterTimeout++;
        log.push(`#${call} = ${outcome.value}`);
        // The device numbers READ_REGs as it receives them; the host sends exactly one per call.
        if (outcome.value !== readRegs)
          throw fuzzFailure(
            `readReg #${call} got the reply to READ_REG #${outcome.value}, the device is at #${readRegs}`,
            { seed, input: log.join(' → ') },
          );
      }
      await host.close();
    }
    // The scenario must actually recover from timeouts sometimes, or the property is vacuous.
    expect(answeredAfterTimeout).toBeGreaterThan(20);
  });
});
