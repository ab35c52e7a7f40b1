// The registry of every error code espflash throws: per code the exit status the CLI uses, the kind
// that every retry site acts on, and a default hint. `ErrorCode` (the table's keys) types the code of
// `EspflashError`/`UsageError`, so an unknown code is a type error. Node-free: the core imports it.

/**
 * What a failure means for a retry (the one rule every retry site follows, via {@link errorKind}):
 * - `link-lost`: the port, the transport or the loader on the other end is gone (port closed or
 *   unplugged, a sim:// chip closed, no answer even to a resync SYNC). Reconnect (reset + sync over
 *   the same port, or reopen it when the port itself failed: {@link isPortGone}) and resume.
 * - `transient`: one exchange failed on a link that still works: a lost or damaged frame (timeouts,
 *   checksum and inflate errors, short or unmatched replies), or a flash operation the chip reported
 *   as failed. Retry the same step (the write engine also shrinks blocks and lowers the baud; a sector
 *   that keeps failing ends as `flash/bad-sector`).
 * - `final`: retrying cannot help: bad input, a diagnosis (wrong boot mode, no serial data), a command
 *   the loader does not have, or the verdict after the retries were spent. Stop.
 */
export type ErrorKind = 'link-lost' | 'transient' | 'final';

/**
 * Process exit status: 1 failure, 2 bad input (every `UsageError` exits 2 whatever its code), 130
 * interrupted (Ctrl+C). The CLI uses 70 for bugs (non-espflash errors), which have no code.
 */
export type ExitStatus = 1 | 2 | 130;

/** One row of the table. */
export interface ErrorCodeSpec {
  readonly kind: ErrorKind;
  /** Exit status of an `EspflashError` with this code (a `UsageError` always exits 2). */
  readonly exit: ExitStatus;
  /** Hint used when the thrower gives none. */
  readonly hint?: string;
}

const LINK_HINT = 'data was corrupted on the way: try a lower --baud or another USB cable';
const FLASH_HINT =
  'the flash chip failed the operation: check its power supply, or whether it is write-protected';
const TIMEOUT_HINT = 'check the cable and power, or try a lower --baud';
const PORT_GONE_HINT = 'the port went away: check the cable and that nothing else opened the port';

/** Bad input the user can fix (flags, config, files): exit 2. */
const usage = (hint?: string): ErrorCodeSpec => ({ kind: 'final', exit: 2, ...(hint ? { hint } : {}) });
/** A failure retrying cannot fix: exit 1. */
const final = (hint?: string): ErrorCodeSpec => ({ kind: 'final', exit: 1, ...(hint ? { hint } : {}) });
/** The user or a signal stopped the operation: exit 130. */
const interrupted = (hint?: string): ErrorCodeSpec => ({
  kind: 'final',
  exit: 130,
  ...(hint ? { hint } : {}),
});
/** One exchange failed on a working link: retry the step. */
const transient = (hint?: string): ErrorCodeSpec => ({
  kind: 'transient',
  exit: 1,
  ...(hint ? { hint } : {}),
});
/** The port, transport or loader is gone: reconnect and resume. */
const linkLost = (hint?: string): ErrorCodeSpec => ({
  kind: 'link-lost',
  exit: 1,
  ...(hint ? { hint } : {}),
});
/** `timeout/<command>`: one reply did not come (a resync that also times out makes it link-lost). */
const timeout = (): ErrorCodeSpec => transient(TIMEOUT_HINT);

/** Every error code, grouped by namespace. */
export const ERROR_CODES = {
  // Many boards at once (flashMany, --port given several times)
  'boards/bad-max-parallel': usage('give --max-parallel a whole number >= 1'),
  'boards/duplicate-port': usage('name each port once in --port'),
  'boards/no-ports': usage('give --port several times, or --port all'),
  'boards/one-port-only': usage(
    'give --port once; flash, run, board-info, erase-flash, erase-region, erase-parts and write-bin take it several times',
  ),
  'boards/some-failed': final("see each board's error above; run again with --port <that port> to retry it"),
  // Build (idf.py / build.command)
  'build/cancelled': interrupted(),
  'build/command-not-found': usage(),
  'build/failed': final(),
  'build/idf-not-found': usage(),
  'cache/bad-device': usage(),
  // CLI
  'cli/interrupted': interrupted('Run the command again to finish.'),
  // Configuration
  'config/empty': usage(),
  'config/exists': usage(),
  'config/invalid-env': usage(),
  'config/invalid-value': usage(),
  'config/load-failed': usage(),
  'config/load-timeout': usage(),
  'config/misplaced-key': usage(),
  'config/no-default-export': usage(),
  'config/not-found': usage(),
  'config/unknown-chip': usage(),
  'config/unknown-key': usage(),
  'config/unresolvable-import': usage(),
  'config/unsupported-format': usage(),
  'config/unsupported-syntax': usage(),
  // Connecting (diagnosed after connect's own attempts, so final; a damaged chip-magic reply is not)
  'connect/bad-before': usage(),
  'connect/baud-refused': final(),
  'connect/chip-mismatch': usage(),
  'connect/garbage': final(),
  'connect/no-serial-data': final(),
  'connect/no-sync': final(),
  'connect/no-sync-tx-down': final(),
  'connect/unknown-chip': transient(),
  'connect/wrong-boot-mode': final(),
  // Demo and generated example builds
  'demo/dir-not-empty': usage(),
  'demo/read-back-mismatch': final(),
  'example/app-too-large': usage(),
  'example/bad-app-size': usage(),
  'example/bad-flash-settings': usage(),
  'example/bad-project-name': usage(),
  'example/flash-too-small': usage(),
  'example/unsupported-target': usage(),
  // Erase
  'erase/size-unknown': usage(),
  'erase/unaligned': usage(),
  // Flash operations: damaged replies are transient; the write engine's verdicts are final
  'flash/bad-md5-reply': transient(LINK_HINT),
  'flash/bad-sector': final(),
  'flash/chip-mismatch': usage(),
  'flash/connection-lost': final(),
  'flash/empty-data': usage(),
  'flash/encrypted-write-unsupported': final(),
  'flash/file-changed': usage(),
  'flash/file-missing': usage(),
  'flash/md5-unsupported': final(),
  'flash/out-of-range': usage(),
  'flash/read-bad-frame': transient(LINK_HINT),
  'flash/read-blocked': final(),
  'flash/read-md5-mismatch': transient(LINK_HINT),
  'flash/read-needs-stub': usage(),
  'flash/region-too-large': usage(),
  'flash/table-exceeds-flash': usage(),
  'flash/unaligned-write': usage(),
  'flash/verify-failed': final(),
  'flash/write-failed': final(),
  // Images
  'image/bad-build-option': usage(),
  'image/bad-checksum': final(),
  'image/bad-chip': usage(),
  'image/bad-digest': final(),
  'image/bad-elf-sha256': usage(),
  'image/bad-flash-freq': usage(),
  'image/bad-flash-mode': usage(),
  'image/bad-flash-size': usage(),
  'image/bad-magic': final(),
  'image/bad-sha256': final(),
  'image/chip-mismatch': final(),
  'image/file-not-found': usage(),
  'image/signed-no-patch': usage(),
  'image/too-many-segments': final(),
  'image/too-short': final(),
  'image/truncated': final(),
  'image/unreadable': usage(),
  // Loader session
  'loader/no-chip': final(),
  'protocol/no-matching-reply': transient('the link is out of sync: reset the board and retry'),
  'protocol/short-response': transient(LINK_HINT),
  // Monitor
  'merge/bad-fill-size': usage(),
  'merge/bad-hex-record-size': usage(),
  'merge/below-target-offset': usage(),
  'merge/cannot-write': usage(),
  'merge/exceeds-fill-size': usage(),
  'merge/hex-address-range': usage(),
  'merge/no-regions': usage(),
  'merge/output-is-input': usage(),
  'merge/overlap': usage(),
  'merge/raw-only-option': usage(),
  'monitor/log-file-failed': usage(),
  // Partition tables (`partition/<reason>`)
  'partition/bad-encoding': usage(),
  'partition/bad-extra-subtype': usage(),
  'partition/bad-flash-size': usage(),
  'partition/bad-magic': usage(),
  'partition/bad-md5': usage(),
  'partition/bad-name': usage(),
  'partition/bootloader-above-table': usage(),
  'partition/does-not-fit': usage(),
  'partition/duplicate-name': usage(),
  'partition/duplicate-otadata': usage(),
  'partition/empty-size': usage(),
  'partition/file-not-found': usage(),
  'partition/invalid-size': usage(),
  'partition/invalid-subtype': usage(),
  'partition/invalid-type': usage(),
  'partition/invalid-value': usage(),
  'partition/misaligned': usage(),
  'partition/misaligned-size': usage(),
  'partition/missing-bootloader-offset': usage(),
  'partition/none-on-device': usage(),
  'partition/nvs-too-small': usage(),
  'partition/otadata-size': usage(),
  'partition/out-of-range': usage(),
  'partition/output-required': usage(),
  'partition/output-without-format': usage(),
  'partition/overlap': usage(),
  'partition/overlaps-table': usage(),
  'partition/read-failed': usage(),
  'partition/readonly-not-allowed': usage(),
  'partition/too-many-entries': usage(),
  'partition/too-small': usage(),
  'partition/truncated': usage(),
  'partition/unknown-flag': usage(),
  'partition/unknown-flags': usage(),
  'partition/unknown-label': usage(),
  'partition/unknown-variable': usage(),
  'partition/write-failed': usage(),
  // Flash plans
  'plan/bad-image': usage(),
  'plan/bad-reset-mode': usage(),
  'plan/bad-target-partition': usage(),
  'plan/chip-mismatch': usage(),
  'plan/conflicting-options': usage(),
  'plan/empty-file': usage(),
  'plan/exceeds-flash': usage(),
  'plan/misaligned': usage(),
  'plan/missing-file': usage(),
  'plan/overlap': usage(),
  'plan/region-too-big': usage(),
  'plan/unknown-region': usage(),
  // Ports: failures of an open port are link-lost; failing to open one is final
  'port/ambiguous': usage(),
  'port/bad-spec': usage(),
  'port/baud-failed': linkLost(PORT_GONE_HINT),
  'port/baud-unsupported': usage(),
  'port/busy': final(),
  'port/connect-failed': final(),
  'port/connect-timeout': final(),
  'port/connection-refused': final(),
  'port/disconnected': linkLost(PORT_GONE_HINT),
  'port/flush-failed': linkLost(PORT_GONE_HINT),
  'port/host-not-found': usage(),
  'port/list-failed': final(),
  'port/none': usage(),
  'port/not-a-port': usage(),
  'port/not-found': usage(),
  'port/open-failed': final(),
  'port/permission-denied': final(),
  'port/serialport-unavailable': final(
    'reinstall with install scripts allowed (npm rebuild serialport), or use --port socket://, rfc2217:// or sim://',
  ),
  'port/signals-failed': linkLost(PORT_GONE_HINT),
  'port/write-failed': linkLost(PORT_GONE_HINT),
  // ESP-IDF projects
  'project/ambiguous-app': usage(),
  'project/bad-arg-file': usage(),
  'project/bad-flasher-args': usage(),
  'project/bad-project-description': usage(),
  'project/missing-image': usage(),
  'project/no-app-image': usage(),
  'project/no-app-partition': usage(),
  'project/no-build-dir': usage(),
  'project/no-build-output': usage(),
  'project/stale-image': usage(),
  'project/unknown-chip': usage(),
  // Reset
  'reset/bad-sequence': usage(),
  'reset/not-reset': final(),
  'reset/soft-unsupported': final(),
  // RFC 2217 servers
  'rfc2217/baud-rejected': final(),
  'rfc2217/no-reply': final(),
  'rfc2217/unsupported': final(),
  // ROM loader status (PROTOCOL.md §1.5). Link damage and flash failures are transient: the real ROM
  // answers 0x05 "invalid message" to a request whose header a noisy link damaged (stub-loader.ts resends
  // such a MEM_DATA block). An opcode the ROM lacks (0x05 to another opcode: `rom/unsupported-command`),
  // malformed RAM uploads and the secure-download statuses (0x64-0x69) are final.
  'rom/bad-crc': transient(LINK_HINT),
  'rom/bad-encoding': final(),
  'rom/bad-ram-address': final(),
  'rom/bad-ram-size': final(),
  'rom/deflate': transient(LINK_HINT),
  'rom/deflate-adler32': transient(LINK_HINT),
  'rom/deflate-param': transient(),
  'rom/description-too-long': final(),
  'rom/failed-to-act': transient(),
  'rom/flash-read': transient(FLASH_HINT),
  'rom/flash-write': transient(FLASH_HINT),
  'rom/insufficient-storage': final(),
  'rom/invalid-format': final(),
  'rom/invalid-input': transient(),
  'rom/invalid-message': transient(
    'the loader did not accept the request; the command may need the flasher stub (remove --no-stub)',
  ),
  'rom/invalid-parameter': final(),
  'rom/malloc-failed': transient(),
  'rom/read-length': transient(),
  'rom/receive-failed': transient(LINK_HINT),
  'rom/send-failed': transient(LINK_HINT),
  'rom/undefined': transient(),
  'rom/unknown-status': transient(
    'the loader reported an error espflash does not know; retry, or try --no-stub',
  ),
  'rom/unsupported-command': final(),
  // The virtual ESP32
  'sim/address-in-use': usage(),
  'sim/bad-chip': usage(),
  'sim/bad-fault': usage(),
  'sim/bad-flash-size': usage(),
  'sim/bad-listen': usage(),
  'sim/bad-mac': usage(),
  'sim/bad-rev': usage(),
  'sim/bad-url': usage(),
  'sim/closed': linkLost(),
  'sim/flash-file-size': usage(),
  'sim/flash-file-unreadable': usage(),
  'sim/flash-file-write': final(),
  'sim/id-conflict': usage(),
  'sim/listen-failed': usage(),
  'sim/no-revision': usage(),
  'sim/no-secure-download': usage(),
  'sim/reset': linkLost(),
  'sim/socat-failed': final(),
  'sim/socat-missing': final(),
  // Flasher stub: its status codes (PROTOCOL.md §1.5) and loading it
  'stub/bad-blocksize': transient(),
  'stub/bad-data-checksum': transient(LINK_HINT),
  'stub/bad-data-len': transient(),
  'stub/conflicting-options': usage(),
  'stub/file-invalid': usage(),
  'stub/file-unreadable': usage(),
  'stub/inflate': transient(LINK_HINT),
  'stub/invalid-command': final(),
  'stub/nand-erase': transient(FLASH_HINT),
  'stub/nand-program': transient(FLASH_HINT),
  'stub/no-ohai': final(),
  'stub/not-enough-data': transient(),
  'stub/not-implemented': final('the flasher stub lacks this command; try --no-stub'),
  'stub/not-in-flash-mode': transient(),
  'stub/spi-failed': transient(FLASH_HINT),
  'stub/spi-unlock': transient(FLASH_HINT),
  'stub/too-much-data': transient(),
  'stub/unavailable': final(),
  'stub/version-unavailable': usage(),
  'task/file-not-found': usage(),
  'task/monitor-unavailable': usage(),
  'task/step-failed': final(),
  'task/unknown': usage('Run `espflash run --list` for the tasks espflash.config.ts defines.'),
  // `timeout/<command>`: one per opcode (session-errors.ts `timeoutCode`), plus raw READ_FLASH frames
  'timeout/change-baudrate': timeout(),
  'timeout/erase-flash': timeout(),
  'timeout/erase-region': timeout(),
  'timeout/flash-begin': timeout(),
  'timeout/flash-data': timeout(),
  'timeout/flash-defl-begin': timeout(),
  'timeout/flash-defl-data': timeout(),
  'timeout/flash-defl-end': timeout(),
  'timeout/flash-end': timeout(),
  'timeout/get-security-info': timeout(),
  'timeout/mem-begin': timeout(),
  'timeout/mem-data': timeout(),
  'timeout/mem-end': timeout(),
  'timeout/read-flash': timeout(),
  'timeout/read-flash-slow': timeout(),
  'timeout/read-frame': timeout(),
  'timeout/read-reg': timeout(),
  'timeout/run-user-code': timeout(),
  'timeout/spi-attach': timeout(),
  'timeout/spi-flash-md5': timeout(),
  'timeout/spi-set-params': timeout(),
  'timeout/sync': timeout(),
  'timeout/unknown-command': timeout(),
  'timeout/write-reg': timeout(),
  // Transports
  'transport/closed': linkLost(PORT_GONE_HINT),
  // Command-line usage
  'usage/bad-dir': usage(),
  'usage/bad-number': usage(),
  'usage/cannot-write': usage(),
  'usage/elf-not-build': usage(
    'espflash flashes the ESP-IDF build; pass --build-dir <dir> (the folder with flasher_args.json)',
  ),
  'usage/empty-file': usage(),
  'usage/file-not-found': usage(),
  'usage/invalid-args': usage('Run `espflash --help` or `espflash <command> --help`.'),
  'usage/invalid-value': usage(),
  'usage/regions-overlap': usage(),
  'usage/unknown-chip': usage(),
  'usage/unpaired-args': usage(),
  'usage/unknown-command': usage('Run `espflash --help` for the list of commands.'),
  // Watch mode
  'watch/busy': usage(),
  'watch/no-build': usage(),
  'watch/no-monitor': usage(),
  'watch/no-reset': usage(),
  'watch/no-reset-lines': final(),
  'watch/unexpected': final(),
} as const satisfies Record<string, ErrorCodeSpec>;

/** Every error code espflash throws. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes under one namespace without it: `CodeIn<'partition'>` is `'overlap' | 'bad-name' | …`. */
export type CodeIn<NS extends string> = ErrorCode extends infer C
  ? C extends `${NS}/${infer Rest}`
    ? Rest
    : never
  : never;

/** Whether `code` is in the table (for codes built at run time). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** The table row for `code`. */
export function errorCodeSpec(code: ErrorCode): ErrorCodeSpec {
  return ERROR_CODES[code];
}

/** Duck-typed view of an `EspflashError` (this module cannot import errors.ts: it imports us). */
interface Coded {
  code: ErrorCode;
  cause?: unknown;
}

function coded(err: unknown): Coded | null {
  if (typeof err !== 'object' || err === null) return null;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && isErrorCode(code) && err instanceof Error
    ? (err as unknown as Coded)
    : null;
}

/**
 * What a retry site should do with `err` (see {@link ErrorKind}). The code's row decides, with one
 * refinement: a `timeout/*` whose cause is another timeout (the resync SYNC after it was not answered
 * either) means the loader stopped talking, so it is `link-lost`. Anything that is not an espflash
 * error (a bug, an abort reason of another kind) is `final`.
 */
export function errorKind(err: unknown): ErrorKind {
  const e = coded(err);
  if (!e) return 'final';
  const kind = ERROR_CODES[e.code].kind;
  if (kind === 'transient' && e.code.startsWith('timeout/')) {
    const cause = coded(e.cause);
    if (cause?.code.startsWith('timeout/')) return 'link-lost';
  }
  return kind;
}

/**
 * The port or transport itself failed (closed, unplugged): a `link-lost` that needs the port reopened,
 * as opposed to a silent loader that a reset and sync over the same port can bring back.
 */
export function isPortGone(err: unknown): boolean {
  const e = coded(err);
  return e !== null && ERROR_CODES[e.code].kind === 'link-lost';
}
