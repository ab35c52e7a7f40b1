// Loads the serialport package (and so its native binding) on first use: only when a serial port is
// opened or listed, so commands that never touch one (`--help`, `plan`, sim:// and socket:// ports)
// work where the binding cannot load (no prebuild for the platform, install scripts blocked).

import { EspflashError } from '../errors.js';

/** The serialport module, as `import('serialport')` resolves it. */
export type SerialPortModule = typeof import('serialport');

/** How the module is imported; replaceable for tests. */
export type SerialPortImporter = () => Promise<SerialPortModule>;

const defaultImporter: SerialPortImporter = () => import('serialport');
let importer: SerialPortImporter = defaultImporter;
let loaded: Promise<SerialPortModule> | null = null;

/** Replace the importer (tests); `undefined` restores the real one. Forgets a loaded module. */
export function setSerialPortImporter(next: SerialPortImporter | undefined): void {
  importer = next ?? defaultImporter;
  loaded = null;
}

/**
 * The serialport module, imported once. Fails with `port/serialport-unavailable` (naming the other
 * kinds of port, which need no native code) when it or its native binding cannot load.
 */
export async function loadSerialPort(): Promise<SerialPortModule> {
  loaded ??= importer();
  try {
    return await loaded;
  } catch (cause) {
    loaded = null;
    const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new EspflashError(
      'port/serialport-unavailable',
      `Serial ports are unavailable: the serialport package or its native binding did not load (${why})`,
      {
        hint:
          'Reinstall espflash with install scripts allowed (npm rebuild serialport), or use a port that needs no native code: ' +
          '--port socket://host:port, rfc2217://host:port or sim://esp32.',
        cause,
      },
    );
  }
}
