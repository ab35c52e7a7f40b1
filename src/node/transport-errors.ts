// Turns raw OS / serialport / socket errors into coded espflash errors with hints: port not found
// (listing the ports that exist), permission denied, busy (naming the holder on Linux), disconnected.

import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { EspflashError, UsageError } from '../errors.js';

/** A process that has a device open (from /proc, Linux only). */
export interface PortHolder {
  pid: number;
  /** Process name from /proc/<pid>/comm, when readable. */
  command: string | null;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when a modem-line ioctl failed because the device has no such lines (pty, some bridges). */
export function isNoModemLinesError(err: unknown): boolean {
  const code = codeOf(err);
  if (code === 'ENOTTY' || code === 'EINVAL') return true;
  return /inappropriate ioctl|invalid argument|ENOTTY|EINVAL/i.test(messageOf(err));
}

/**
 * Best effort, Linux only: the processes holding `path` open, found by scanning `/proc/<pid>/fd`
 * symlinks. Returns an empty list elsewhere or when /proc is not readable.
 */
export async function findPortHolders(
  path: string,
  options: { procRoot?: string } = {},
): Promise<PortHolder[]> {
  const proc = options.procRoot ?? '/proc';
  let target: string;
  try {
    target = await realpath(path);
  } catch {
    return [];
  }
  let pids: string[];
  try {
    pids = (await readdir(proc)).filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const holders: PortHolder[] = [];
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`${proc}/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const link = await readlink(`${proc}/${pid}/fd/${fd}`).catch(() => null);
      if (link !== target) continue;
      const comm = await readFile(`${proc}/${pid}/comm`, 'utf8').catch(() => null);
      holders.push({ pid: Number(pid), command: comm === null ? null : comm.trim() });
      break;
    }
  }
  return holders;
}

/** Options for {@link mapOpenError}. */
export interface MapOpenErrorOptions {
  /** The path the user asked for. */
  path: string;
  /** What serialport's open reported. */
  error: unknown;
  /** Paths of the ports that exist, for the not-found message (best effort). */
  listPaths?: () => Promise<string[]>;
  /** Finds who holds a busy port (default: {@link findPortHolders} on Linux). */
  findHolders?: (path: string) => Promise<PortHolder[]>;
  /** Platform, for wording (default `process.platform`). */
  platform?: NodeJS.Platform;
}

/** Map a failed serial-port open to `port/not-found`, `port/permission-denied`, `port/busy` or `port/open-failed`. */
export async function mapOpenError(options: MapOpenErrorOptions): Promise<EspflashError> {
  const { path, error } = options;
  const platform = options.platform ?? process.platform;
  const message = messageOf(error);
  const code = codeOf(error);

  if (code === 'ENOENT' || /no such file|file not found|cannot find the file|does not exist/i.test(message)) {
    const paths = await (options.listPaths?.() ?? Promise.resolve([])).catch(() => [] as string[]);
    const existing = paths.length ? `Ports that exist: ${paths.join(', ')}.` : 'No serial ports were found.';
    return new UsageError('port/not-found', `Serial port ${path} does not exist. ${existing}`, {
      hint: 'Pass an existing port with --port (or the `port` config key / ESPFLASH_PORT); `espflash list-ports` shows them. Is the board plugged in?',
      details: { port: path, available: paths },
      cause: error,
    });
  }
  if (code === 'EACCES' || /permission denied/i.test(message)) {
    return new EspflashError('port/permission-denied', `No permission to open ${path}.`, {
      hint:
        platform === 'darwin'
          ? 'Check the permissions of the device file, or run from an account that may use serial ports.'
          : 'Add yourself to the group that owns serial ports (dialout on Debian/Ubuntu, uucp on Arch): `sudo usermod -aG dialout $USER`, then log out and back in.',
      details: { port: path },
      cause: error,
    });
  }
  if (
    code === 'EBUSY' ||
    code === 'EAGAIN' ||
    /cannot lock port|resource busy|resource temporarily unavailable|access denied|access is denied/i.test(
      message,
    )
  ) {
    const finder = options.findHolders ?? (platform === 'linux' ? findPortHolders : async () => []);
    const holders = await finder(path).catch(() => [] as PortHolder[]);
    const named = holders.map((h) => `${h.command ?? 'process'} (pid ${h.pid})`).join(', ');
    return new EspflashError(
      'port/busy',
      `Serial port ${path} is in use${named ? ` by ${named}` : ' by another program'}.`,
      {
        hint: 'Close the other program using the port (a serial monitor, another espflash, screen, minicom, an IDE), or pick another --port.',
        details: { port: path, holders },
        cause: error,
      },
    );
  }
  return new EspflashError('port/open-failed', `Could not open serial port ${path}: ${message}`, {
    hint: 'Check the --port value and the cable; `espflash list-ports` shows the ports that exist.',
    details: { port: path },
    cause: error,
  });
}

/** The error reads and writes reject with after the device vanished (USB unplug, reset of a USB-JTAG chip). */
export function disconnectedError(path: string, cause?: unknown): EspflashError {
  return new EspflashError(
    'port/disconnected',
    `Serial port ${path} disappeared (device unplugged or re-enumerated).`,
    {
      hint: 'Reconnect the board and retry; if it keeps happening, try another cable or USB port, or a lower --baud.',
      details: { port: path },
      cause,
    },
  );
}
