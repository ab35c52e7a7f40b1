// Flasher stub upload (PROTOCOL.md §5.1): MEM_BEGIN/MEM_DATA per segment (0x1800 blocks, 0x800 over
// USB-OTG), MEM_END with the entry point, then the stub's `OHAI` frame. The stub image comes from a provider.

import type { ChipName } from '../../chips/chips.js';
import { EspflashError, isPortGone } from '../../errors.js';
import { syncOnce } from '../connect/sync.js';
import { bytesEqual, hex32, latin1, packU32 } from '../protocol/bytes.js';
import { DEFAULT_TIMEOUT_MS, OP } from '../protocol/opcodes.js';
import { dataBlock, decodeResponse, OHAI, readStatus } from '../protocol/packets.js';
import { statusError } from '../protocol/rom-errors.js';
import type { LoaderSession } from './loader-session.js';

/** A flasher stub: code and data segments plus the entry point. */
export interface StubImage {
  entry: number;
  text: Uint8Array;
  textStart: number;
  data: Uint8Array;
  dataStart: number;
  bssStart?: number;
}

/** Supplies the stub for a chip (null when none exists for it). May throw `stub/unavailable`. */
export type StubProvider = (chip: ChipName, options: { revision?: number }) => Promise<StubImage | null>;

/** MEM_DATA block size over UART. */
export const ESP_RAM_BLOCK = 0x1800;
/** MEM_DATA block size over the ROM's USB-OTG CDC. */
export const USB_RAM_BLOCK = 0x800;
/** How long to wait for `OHAI` after MEM_END. */
export const OHAI_TIMEOUT_MS = DEFAULT_TIMEOUT_MS;
/** First-reply wait of the SYNC that checks whether a stub runs although its OHAI was lost. */
export const STUB_PROBE_MS = 300;

/** What to try when the stub does not start (never a cable hint: the ROM loader did answer). */
export const NO_OHAI_HINT =
  'connect without the stub (--no-stub, config stub: false), or upload another one (--stub-version, --stub-file)';

/**
 * The OHAI frame may have been lost on a noisy link while the stub runs: ask with SYNC (a stub
 * answers with value 0), and once more after a lone SLIP END in case the stub saw a cut frame.
 */
async function stubAnswers(session: LoaderSession): Promise<boolean> {
  for (let t = 0; t < 2; t++) {
    if (t > 0) await session.transport.write(Uint8Array.of(0xc0));
    try {
      await session.flushInput();
      if ((await syncOnce(session, { firstReplyMs: STUB_PROBE_MS })).stubDetected) return true;
    } catch (err) {
      if (session.signal?.aborted || !(err instanceof EspflashError) || isPortGone(err)) throw err;
    }
  }
  return false;
}

/** Write one segment to RAM with MEM_BEGIN + MEM_DATA blocks. */
async function loadSegment(
  session: LoaderSession,
  segment: { address: number; bytes: Uint8Array; blockSize: number },
): Promise<void> {
  const { address, bytes, blockSize } = segment;
  const blocks = Math.ceil(bytes.length / blockSize);
  await session.command({ op: OP.MEM_BEGIN, data: packU32(bytes.length, blocks, blockSize, address) });
  // A rejected block is not stored and can be sent again. The real ESP32 ROM counts a block whose
  // checksum fails (0x07) as received and wants the next number; after "invalid message" (0x05, a
  // damaged header on a noisy link) the same number goes again.
  let wireSeq = 0;
  for (let index = 0; index < blocks; index++) {
    const payload = bytes.subarray(index * blockSize, (index + 1) * blockSize);
    for (let attempt = 1; ; attempt++) {
      const block = dataBlock({ seq: wireSeq, payload });
      try {
        await session.command({ op: OP.MEM_DATA, data: block.data, checksum: block.checksum });
        wireSeq++;
        break;
      } catch (err) {
        if (!(err instanceof EspflashError) || !RESENDABLE.has(err.code) || attempt >= MEM_BLOCK_ATTEMPTS)
          throw err;
        if (err.code === 'rom/bad-crc') wireSeq++;
      }
    }
  }
}

/** Sends of one MEM_DATA block the ROM rejected (a noisy link rejects a 6 KiB block about half the time at 1e-4). */
export const MEM_BLOCK_ATTEMPTS = 5;

/** ROM statuses for a MEM_DATA block rejected before it was stored. */
const RESENDABLE = new Set(['rom/bad-crc', 'rom/invalid-message']);

/**
 * Upload and start the stub: text then data segments, MEM_END(0, entry) without waiting for the ROM's
 * (optional) reply, then read frames until `OHAI`, skipping loader replies. Switches the session to stub
 * rules. Throws `stub/no-ohai` when the stub does not announce itself.
 */
export async function uploadStub(
  session: LoaderSession,
  options: { image: StubImage; blockSize?: number },
): Promise<void> {
  const { image } = options;
  const blockSize = options.blockSize ?? ESP_RAM_BLOCK;
  for (const seg of [
    { address: image.textStart, bytes: image.text },
    { address: image.dataStart, bytes: image.data },
  ]) {
    if (seg.bytes.length > 0) await loadSegment(session, { ...seg, blockSize });
  }
  // The ROM may jump to the entry before its MEM_END reply leaves the UART; do not wait for it.
  await session.command({ op: OP.MEM_END, data: packU32(0, image.entry), expectResponse: false });
  const deadline = session.clock.now() + OHAI_TIMEOUT_MS;
  let memEndError: Error | null = null;
  for (;;) {
    const left = deadline - session.clock.now();
    let frame: Uint8Array;
    try {
      if (left <= 0) throw new Error('deadline passed');
      frame = await session.readFrame(left);
    } catch (err) {
      if (session.signal?.aborted) throw err;
      if (await stubAnswers(session)) break;
      throw new EspflashError(
        'stub/no-ohai',
        `The flasher stub did not start: no OHAI within ${OHAI_TIMEOUT_MS} ms after MEM_END (entry ${hex32(image.entry)}), and it does not answer SYNC`,
        {
          hint: NO_OHAI_HINT,
          details: { entry: image.entry, ...(memEndError ? { memEnd: memEndError.message } : {}) },
          cause: memEndError ?? err,
        },
      );
    }
    if (bytesEqual(frame, OHAI)) break;
    const reply = decodeResponse(frame);
    if (reply) {
      // The ROM's MEM_END reply (or a late one): a failing status explains a missing OHAI later.
      const status = reply.op === OP.MEM_END ? readStatus(reply.data) : null;
      if (status?.kind === 'error') memEndError = statusError({ op: OP.MEM_END, ...status });
      continue;
    }
    if (await stubAnswers(session)) break;
    throw new EspflashError(
      'stub/no-ohai',
      `The flasher stub did not start: expected OHAI, got a ${frame.length}-byte frame "${latin1(frame.subarray(0, 16))}"`,
      { hint: NO_OHAI_HINT, details: { entry: image.entry } },
    );
  }
  session.setStub(true);
}
