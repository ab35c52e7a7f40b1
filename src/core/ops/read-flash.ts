// Read flash back (PROTOCOL.md §2.7): stub READ_FLASH stop-and-wait (ACK every frame with the running
// total, then check the 16-byte MD5 frame); ROM READ_FLASH_SLOW 64 bytes per command; none on ESP8266 ROM.

import { type ErrorCode, EspflashError, UsageError } from '../../errors.js';
import { ByteBuffer, hex, packU32, toHex } from '../protocol/bytes.js';
import { type HashFn, md5 } from '../protocol/md5.js';
import { DEFAULT_TIMEOUT_MS, OP } from '../protocol/opcodes.js';
import type { Loader } from '../session/loader.js';

/** Data frame size requested from the stub (the stubs accept at most 4096). */
export const READ_PACKET_SIZE = 0x1000;
/** max_in_flight word: counted in bytes by the legacy stub, so this means one packet at a time. */
export const READ_MAX_IN_FLIGHT = 64;
/** Bytes per ROM READ_FLASH_SLOW command. */
export const ROM_READ_CHUNK = 64;

/** Options for {@link readFlash}. */
export interface ReadFlashOptions {
  offset: number;
  size: number;
  hash?: HashFn;
  signal?: AbortSignal;
}

/** Read `size` bytes of flash at `offset`. Emits read-progress events. */
export async function readFlash(loader: Loader, options: ReadFlashOptions): Promise<Uint8Array> {
  if (options.size === 0) return new Uint8Array(0);
  if (loader.isStub) return readWithStub(loader, options);
  if (!loader.chip.rom.readFlashSlow || loader.secureDownloadMode) {
    const details = { chip: loader.chip.name, offset: options.offset, size: options.size };
    if (loader.secureDownloadMode) {
      throw new EspflashError(
        'flash/read-blocked',
        `${loader.chip.displayName} is in Secure Download Mode, which blocks reading flash`,
        {
          hint: 'Flash cannot be read back from a chip in Secure Download Mode.',
          details,
        },
      );
    }
    // Only reachable when the user chose the ROM loader (--no-stub): an input problem, exit 2.
    throw new UsageError(
      'flash/read-needs-stub',
      `The ${loader.chip.displayName} ROM loader cannot read flash`,
      {
        hint: 'Read with the flasher stub (drop --no-stub).',
        details,
      },
    );
  }
  return readWithRom(loader, options);
}

async function readWithStub(loader: Loader, options: ReadFlashOptions): Promise<Uint8Array> {
  const { offset, size } = options;
  await loader.command({
    op: OP.READ_FLASH,
    data: packU32(offset, size, READ_PACKET_SIZE, READ_MAX_IN_FLIGHT),
  });
  const out = new ByteBuffer(size);
  while (out.length < size) {
    options.signal?.throwIfAborted();
    const frame = await loader.readFrame(DEFAULT_TIMEOUT_MS);
    const remaining = size - out.length;
    const expected = Math.min(READ_PACKET_SIZE, remaining);
    if (frame.length !== expected) {
      throw readError(
        'flash/read-bad-frame',
        `READ_FLASH at ${hex(offset)}: got a ${frame.length}-byte data frame after ${out.length} bytes, expected ${expected}`,
        {
          offset,
          size,
          received: out.length,
        },
      );
    }
    out.append(frame);
    await loader.writeFrame(packU32(out.length));
    loader.onEvent({ type: 'read-progress', offset, read: out.length, total: size });
  }
  const data = out.toBytes();
  const digest = await loader.readFrame(DEFAULT_TIMEOUT_MS);
  const local = (options.hash ?? md5)(data);
  if (digest.length !== 16 || toHex(digest) !== toHex(local)) {
    throw readError(
      'flash/read-md5-mismatch',
      `READ_FLASH at ${hex(offset)} (+${size} bytes): the device's MD5 ${toHex(digest)} does not match the data received (${toHex(local)})`,
      { offset, size, device: toHex(digest), received: toHex(local) },
    );
  }
  return data;
}

async function readWithRom(loader: Loader, options: ReadFlashOptions): Promise<Uint8Array> {
  const { offset, size } = options;
  const out = new Uint8Array(size);
  for (let done = 0; done < size; ) {
    options.signal?.throwIfAborted();
    const n = Math.min(ROM_READ_CHUNK, size - done);
    const reply = await loader.command({
      op: OP.READ_FLASH_SLOW,
      data: packU32(offset + done, n),
      responseDataLength: ROM_READ_CHUNK,
    });
    // The reply always carries a 64-byte buffer; only the first n bytes were asked for.
    out.set(reply.data.subarray(0, n), done);
    done += n;
    loader.onEvent({ type: 'read-progress', offset, read: done, total: size });
  }
  return out;
}

function readError(code: ErrorCode, message: string, details: Record<string, unknown>): EspflashError {
  return new EspflashError(code, message, {
    hint: 'Retry; if it persists lower --baud or check the cable.',
    details,
  });
}
