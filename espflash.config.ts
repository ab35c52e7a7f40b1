// espflash settings for this repository's demo: flash the generated example build into the
// virtual ESP32. Type-only import, so it loads with or without espflash installed.
import type { EspflashConfig } from 'espflash';

export default {
  port: 'sim://esp32',
  buildDir: 'examples/demo/build',
} satisfies EspflashConfig;
