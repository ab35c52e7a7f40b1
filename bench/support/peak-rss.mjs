// Preloaded into a benchmarked child (`node --import`): at exit, write the process's peak resident
// set (VmHWM from /proc/self/status, else resourceUsage().maxRSS) in KiB to the file named by
// ESPFLASH_PEAK_RSS_FILE.
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.ESPFLASH_PEAK_RSS_FILE;

function peakKiB() {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS;
}

if (out) process.on('exit', () => writeFileSync(out, String(peakKiB())));
