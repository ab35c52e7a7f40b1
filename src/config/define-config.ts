// `defineConfig`: an identity helper that gives editors the EspflashConfig type. Only for projects
// that install espflash locally; the `espflash init` template uses a type-only import instead.

import type { EspflashConfig } from './schema.js';

/**
 * Returns `config` unchanged; exists for type inference in `espflash.config.ts`.
 * Needs espflash installed in the project (a value import). Without a local install use
 * `import type { EspflashConfig } from 'espflash'` and `export default { … } satisfies EspflashConfig`.
 */
export function defineConfig(config: EspflashConfig): EspflashConfig {
  return config;
}
