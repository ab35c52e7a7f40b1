// The monitor's baud rate: the configured one (`--baud`, config `monitor.baud`), else the app's
// console rate from sdkconfig (CONFIG_ESP_CONSOLE_UART_BAUDRATE), else 115200.

import { configNumber, readSdkConfig } from '../project/sdkconfig.js';
import { type Sourced, sourced } from '../provenance.js';

/** The console baud rate of ESP-IDF apps unless sdkconfig changes it. */
export const DEFAULT_MONITOR_BAUD = 115200;

/** Options for {@link resolveMonitorBaud}. */
export interface ResolveMonitorBaudOptions {
  /** Build directory (its `config/sdkconfig.json` is read first). */
  buildDir?: string;
  /** Project directory (its `sdkconfig` is read when the build has none). */
  projectDir?: string;
  /** A rate the user chose, with where it came from (`--baud`, config `monitor.baud`). */
  configured?: Sourced<number> | number;
}

// Older IDF versions name the setting differently.
const SDKCONFIG_KEYS = ['ESP_CONSOLE_UART_BAUDRATE', 'CONSOLE_UART_BAUDRATE'];

/** Pick the monitor baud rate, with its source. Never throws: unreadable files fall through. */
export async function resolveMonitorBaud(options: ResolveMonitorBaudOptions = {}): Promise<Sourced<number>> {
  const { configured } = options;
  if (typeof configured === 'number') return sourced(configured, 'config');
  if (configured !== undefined) return configured;
  if (options.buildDir !== undefined || options.projectDir !== undefined) {
    const sdk = await readSdkConfig({
      buildDir: options.buildDir ?? options.projectDir!,
      projectDirs: options.projectDir !== undefined ? [options.projectDir] : [],
    }).catch(() => null);
    for (const key of SDKCONFIG_KEYS) {
      const value = configNumber(sdk, key);
      if (value !== null && value > 0) return sourced(value, 'build', `${sdk!.file} CONFIG_${key}`);
    }
  }
  return sourced(DEFAULT_MONITOR_BAUD, 'default');
}
