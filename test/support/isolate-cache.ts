// Test setup: point espflash's machine-local cache (fast-reflash records, remembered baud rates) at a
// fresh temporary folder per test worker, so tests never read or write the developer's ~/.cache.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.ESPFLASH_CACHE_DIR = mkdtempSync(join(tmpdir(), 'espflash-test-cache-'));
