// espflash configuration. Command-line flags beat environment variables (ESPFLASH_PORT, ESPPORT, …),
// which beat this file; anything unset here comes from the ESP-IDF build (build/flasher_args.json)
// or espflash's defaults. Relative paths are relative to this file. `espflash plan --show-config`
// shows where every value came from.
//
// The import below is type-only: it is erased when the file is loaded, so this file works even when
// espflash is not installed in the project (e.g. with `npx espflash`). Installed locally, you may
// use `import { defineConfig } from 'espflash'` and `export default defineConfig({ … })` instead.
import type { EspflashConfig } from 'espflash';

export default {
  // Serial port: '/dev/ttyUSB0', 'COM3', 'tcp://host:port', 'rfc2217://host:port' or 'sim://esp32'.
  // Flag --port / -p; env ESPFLASH_PORT or ESPPORT.
  // port: '/dev/ttyUSB0',

  // Flashing baud rate (espflash connects at 115200, then switches). Flag --baud; env ESPFLASH_BAUD or ESPBAUD.
  // baud: 460800,

  // Target chip: esp32, esp32s2, esp32s3, esp32c2, esp32c3, esp32c5, esp32c6, esp32c61, esp32h2,
  // esp32p4, esp8266, or 'auto'. Default: from the build. Flag --chip; env ESPFLASH_CHIP.
  // chip: 'esp32',

  // ESP-IDF build directory. Flag --build-dir; env ESPFLASH_BUILD_DIR.
  buildDir: 'build',

  // ESP-IDF project directory (its build/ is used) instead of buildDir. Flag --project; env ESPFLASH_PROJECT.
  // project: '.',

  // Flash parameters patched into the image headers. Default: from the build.
  // mode: qio | qout | dio | dout | keep; freq: '40m', '80m', … or 'keep'; size: '4MB', … 'detect' or 'keep'.
  // Flags --flash-mode, --flash-freq, --flash-size; env ESPFLASH_FLASH_MODE/FREQ/SIZE.
  // flash: { mode: 'dio', freq: '40m', size: '4MB' },

  // Reset before connecting: default_reset, usb_reset, no_reset, no_reset_no_sync. Flag --before.
  // before: 'default_reset',

  // Reset afterwards: hard_reset, soft_reset, no_reset, no_reset_stub, watchdog_reset. Flag --after.
  // after: 'hard_reset',

  // Upload the flasher stub (faster, compressed writes). false talks to the ROM loader only
  // (flag --no-stub; env ESPFLASH_NO_STUB=1). As an object: `version` picks the stub set as esptool v5
  // numbers them, 2 = esp-flasher-stub (shipped, the default), 1 = legacy (flag --stub-version).
  // stub: { enabled: true, version: 2 },
  // Or a stub of your own in esptool's stub JSON format, relative to this file (flag --stub-file):
  //   stub: { file: 'stubs/esp32.json' },

  // Custom reset sequence for unusual adapters: D/R = DTR/RTS to 0 or 1, W = wait in milliseconds.
  // Flag --reset-sequence.
  // reset: { sequence: 'D0|R1|W100|D1|R0|W50|D0' },

  // How `espflash watch` rebuilds: a command string or argv array, and the directory to run it in.
  // build: { command: 'idf.py build', cwd: '.' },

  // Serial monitor: console baud, timestamps, a log file and the ELF used to decode backtraces.
  // monitor: { baud: 115200, timestamps: false, logFile: 'monitor.log', elf: 'build/app.elf' },

  // Watch mode: debounce in milliseconds, extra paths to watch, and whether to open the monitor after flashing.
  // watch: { debounceMs: 300, paths: ['main', 'components'], monitor: true },

  // Flash cache: where espflash remembers what it wrote, and whether to skip unchanged regions.
  // cache: { dir: '.espflash', fastReflash: true },

  // Tasks: `espflash run <name>` runs one, `espflash run --list` lists them. Steps run in order:
  //   { build: {} }, { flash: { only?, to?, force?, full? } }, { erase: 'all' | { partitions: ['nvs'] } | { offset, size } },
  //   { write: { partition | offset, file } }, { read: { partition | offset, size?, file } }, { reset: {} },
  //   { monitor: {} }, { run: 'shell command' | ['argv', ...] }, { task: 'other-task' }.
  // Files are relative to this file; a `run` step gets ESPFLASH_PORT, ESPFLASH_CHIP, ESPFLASH_MAC and
  // ESPFLASH_BUILD_DIR in its environment, and a non-zero exit stops the task. A factory task:
  //   factory: {
  //     description: 'Erase, flash, factory NVS, log the MAC',
  //     steps: [{ erase: 'all' }, { flash: {} }, { write: { partition: 'nvs', file: 'factory_nvs.bin' } },
  //             { run: 'echo "flashed $ESPFLASH_MAC" >> flashed.txt' }],
  //   },
  // tasks: { dev: { description: 'Flash the app only, then monitor', steps: [{ flash: { only: 'app' } }, { monitor: {} }] } },
} satisfies EspflashConfig;
