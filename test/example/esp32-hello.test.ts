// The ESP32 example bootloader carries a hand-assembled program at its entry (the real-ROM boot test
// runs it); other chips keep filler code. Checked here without QEMU: where the bytes sit and what the
// literal pool holds.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ESP32_HELLO_LINE, placeEsp32Hello } from '../../src/example/esp32-hello.js';
import { generateExampleBuild } from '../../src/example/example-build.js';
import { assertImageValid } from '../../src/image/image-parse.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function bootloader(chip: 'esp32' | 'esp32s2') {
  const dir = mkdtempSync(join(tmpdir(), 'espflash-hello-'));
  dirs.push(dir);
  const build = await generateExampleBuild({ dir, chip });
  const bytes = new Uint8Array(readFileSync(build.files.bootloader));
  const image = assertImageValid(bytes, { chip, file: 'bootloader.bin' });
  const seg = image.segments.find(
    (s) => image.entry >= s.loadAddress && image.entry < s.loadAddress + s.length,
  )!;
  const at = seg.fileOffset + (image.entry - seg.loadAddress);
  return { bytes, image, seg, at };
}

describe('ESP32 example bootloader program', () => {
  it('starts at the image entry with ENTRY a1, 32 and ends in a self-loop', async () => {
    const { bytes, at } = await bootloader('esp32');
    expect([...bytes.subarray(at, at + 3)]).toEqual([0x36, 0x41, 0x00]);
    expect([...bytes.subarray(at + 0x30, at + 0x33)]).toEqual([0x06, 0xff, 0xff]);
  });

  it('keeps UART0, the message address and the NUL-terminated line in the pool below the entry', async () => {
    const { bytes, image, at } = await bootloader('esp32');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint32(at - 0x40, true)).toBe(0x3ff40000);
    const messageAddress = view.getUint32(at - 0x3c, true);
    expect(messageAddress).toBe(image.entry - 0x38);
    const text = Buffer.from(bytes.subarray(at - 0x38, at - 0x38 + ESP32_HELLO_LINE.length + 3)).toString(
      'latin1',
    );
    expect(text).toBe(`${ESP32_HELLO_LINE}\r\n\0`);
  });

  it('other chips keep filler code at their entry', async () => {
    const { bytes, at } = await bootloader('esp32s2');
    expect([...bytes.subarray(at, at + 3)]).not.toEqual([0x36, 0x41, 0x00]);
    expect(Buffer.from(bytes).includes(Buffer.from(ESP32_HELLO_LINE))).toBe(false);
  });

  it('refuses an entry without room for the pool or the code', () => {
    expect(() => placeEsp32Hello(new Uint8Array(0x100), 0x40080000, 0x20)).toThrow(/entry offset/);
    expect(() => placeEsp32Hello(new Uint8Array(0x60), 0x40080000, 0x40)).toThrow(/entry offset/);
    expect(() => placeEsp32Hello(new Uint8Array(0x200), 0x40080000, 0x42)).toThrow(/entry offset/);
  });
});
