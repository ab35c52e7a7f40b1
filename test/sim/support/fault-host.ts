// Raw-host helpers for fault tests: reset sequences, ROM and stub flash sessions block by block, and
// deterministic block contents, built on the hand-made frames of host.ts (not the client code).

import type { Transport } from '../../../src/core/session/transport.js';
import {
  dataBody,
  expectOk,
  type Reply,
  SYNC_DATA,
  type TestHost,
  uploadStub,
  words,
  xorChecksum,
} from './host.js';
import { loadStub } from './stub-image.js';

/** Classic reset: EN low with IO0 high, then release EN with IO0 low (download) or high (flash boot). */
export async function classicReset(t: Transport, download = true): Promise<void> {
  await t.setSignals({ dtr: false, rts: true });
  await t.setSignals({ dtr: download, rts: false });
  await t.setSignals({ dtr: false, rts: false });
}

/** Upload the esp32 stub; resolves once OHAI arrived. */
export async function startStub(host: TestHost): Promise<void> {
  await uploadStub(host, loadStub('esp32'));
  const ohai = await host.frame();
  if (!ohai || String.fromCharCode(...ohai) !== 'OHAI') throw new Error('no OHAI');
}

/** Block `seq` of a test image: a pattern that differs per block and never equals 0xFF. */
export function block(seq: number, size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => ((i * 7 + seq * 31) & 0xfe) ^ 0x40);
}

/** The two status bytes of a payload-less reply. */
export function status(r: Reply): [number, number] {
  return [r.data[0]!, r.data[1]!];
}

/** FLASH_BEGIN for `blocks` blocks of `blockSize` at `offset` (the ROM also needs SPI_ATTACH first). */
export async function flashBegin(
  host: TestHost,
  options: { offset: number; blockSize: number; blocks: number; rom: boolean },
): Promise<void> {
  if (options.rom) await expectOk(host, 0x0d, words(0, 0));
  const size = options.blockSize * options.blocks;
  await expectOk(host, 0x02, words(size, options.blocks, options.blockSize, options.offset));
}

/** FLASH_DATA for block `seq` (contents from {@link block} unless given); returns the reply. */
export function flashData(host: TestHost, seq: number, data: Uint8Array): Promise<Reply> {
  return host.command(0x03, dataBody(data, seq), xorChecksum(data));
}

/** SYNC and return the reply value (0x20120707 from the ROM, 0 from the stub), or null for silence. */
export async function syncValue(host: TestHost, timeoutMs = 100): Promise<number | null> {
  await host.send(0x08, SYNC_DATA);
  const r = await host.reply(timeoutMs);
  await host.drain(timeoutMs);
  return r ? r.value : null;
}

/** Everything the device sends until `timeoutMs` of silence, as raw bytes. */
export async function rawBytes(t: Transport, timeoutMs = 50): Promise<Uint8Array> {
  const parts: number[] = [];
  for (;;) {
    const b = await t.read({ timeoutMs });
    if (b.length === 0) return new Uint8Array(parts);
    parts.push(...b);
  }
}
