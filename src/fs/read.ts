/**
 * The one way shipshape reads a file. Every file the CLI reads (specs, policies, answers,
 * `.shipshape/*.json`, pack files, the runbook, snapshots) comes through here, so that no input
 * can make a command hang or fill the memory:
 *
 * - only regular files are read: a named pipe, a device, a socket or a folder is refused with one
 *   line naming the path and what it is. A symbolic link is followed and what it points at is
 *   checked the same way (a link to /dev/zero is a device, refused);
 * - the file is opened non-blocking, so opening a named pipe returns at once instead of waiting
 *   for a writer; the kind is then taken from the open descriptor (fstat), so the file checked is
 *   the file read;
 * - the byte cap is enforced while reading, never taken from the size fstat reports (which is 0
 *   for /proc files and may grow while we read): at most cap + 1 bytes are ever read.
 *
 * A regular file's read never blocks indefinitely, so no timeout is needed once the kind is
 * checked. eslint forbids node:fs reads elsewhere in src/ (see eslint.config.js).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, readSync, realpathSync, type Stats } from 'node:fs';
import { IO_REASONS, UserError } from '../errors.js';

export const MIB = 1024 * 1024;
/** The cap when none is given: specs, policies, answers and state files are a few KB. */
const DEFAULT_MAX_BYTES = MIB;
/** The cap for files a pack or a project holds (templates, data, tarballs): large, but finite. */
export const LARGE_FILE_MAX_BYTES = 64 * MIB;

export interface ReadOptions {
  /** The most bytes the file may hold; default 1 MiB. */
  maxBytes?: number;
  /** What the file is, for messages: "spec", "policy file", "answers file"... Default "file". */
  what?: string;
  /** How the file is named in messages; default the path as given. */
  display?: string;
  /**
   * `refuse`: the file itself may not be a symbolic link (a link in a parent folder is fine). For
   * the state files under `.shipshape/`, which only shipshape writes: a link there points shipshape
   * at a file it never wrote (/dev/zero, a file outside the project). Default `follow`.
   */
  links?: 'follow' | 'refuse';
}

/** Why a read was refused, for callers that report it their own way (check turns it into a finding). */
export type ReadRefusal = 'missing' | 'not-regular' | 'too-large' | 'io';

/** A file that could not be read: exit 2, one line naming the file and why. */
export class ReadError extends UserError {
  readonly reason: ReadRefusal;
  /** The file as named in the message. */
  readonly display: string;
  /** For `too-large`: the size as far as it is known (at least cap + 1). */
  readonly bytes: number | undefined;
  /** The errno code, for `missing` and `io`. */
  readonly code: string | undefined;
  /** The bare reason, without "cannot read <file>: ". */
  readonly detail: string;

  constructor(
    display: string,
    reason: ReadRefusal,
    detail: string,
    options: { hint: string; bytes?: number; code?: string; cause?: unknown },
  ) {
    super(`cannot read ${display}: ${detail}`, { hint: options.hint, ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.name = 'ReadError';
    this.reason = reason;
    this.display = display;
    this.detail = detail;
    this.bytes = options.bytes;
    this.code = options.code;
  }
}

const REGULAR_ONLY_HINT = 'shipshape reads regular files only: point it at the file itself, not at a pipe, device, socket or folder.';

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** ` (a symbolic link to /dev/zero)` when `path` is a link, for naming what was really refused. */
function linkNote(path: string): string {
  try {
    if (!lstatSync(path).isSymbolicLink()) return '';
    return ` (a symbolic link to ${realpathSync(path)})`;
  } catch {
    return ' (a symbolic link)';
  }
}

/** "a spec", "an answers file". */
export const withArticle = (what: string): string => `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`;

/** A size or a cap: "1 MiB", "64 KiB", "300 bytes"; a file's size keeps one decimal ("1.0 MiB", just over a 1 MiB cap). */
export function formatBytes(bytes: number, size = false): string {
  const trim = (text: string) => (size ? text : text.replace(/\.0$/, ''));
  if (bytes >= MIB) return `${trim((bytes / MIB).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${trim((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}

function openError(path: string, display: string, error: unknown): ReadError | unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENXIO') {
    // Opening a socket (or a pipe end with nothing behind it) fails this way.
    let what = 'not a regular file';
    try {
      what = kindOf(lstatSync(path).isSymbolicLink() ? lstatSync(realpathSync(path)) : lstatSync(path));
    } catch {
      // keep the generic words
    }
    return new ReadError(display, 'not-regular', `it is ${what}${linkNote(path)}`, { hint: REGULAR_ONLY_HINT, code, cause: error });
  }
  const reason = code ? IO_REASONS[code] : undefined;
  if (!reason) return error;
  return new ReadError(display, code === 'ENOENT' ? 'missing' : 'io', `${reason} (${code})`, {
    hint: code === 'ENOENT' ? 'Check the path.' : 'Check the path and its permissions, then run the command again.',
    code,
    cause: error,
  });
}

/**
 * Opens `path` for reading if it is a regular file (following links), or throws a ReadError.
 * The caller closes the descriptor. For code that streams a file (hashing) instead of reading it whole.
 */
export function openRegularSync(path: string, options: Pick<ReadOptions, 'display' | 'links' | 'what'> = {}): { fd: number; size: number } {
  const display = options.display ?? path;
  const refuseLinks = options.links === 'refuse';
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (refuseLinks ? (constants.O_NOFOLLOW ?? 0) : 0));
  } catch (error) {
    if (refuseLinks && (error as NodeJS.ErrnoException).code === 'ELOOP') {
      let target = '';
      try {
        target = ` to ${readlinkSync(path)}`;
      } catch {
        // keep it unnamed
      }
      throw new ReadError(
        display,
        'not-regular',
        `it is a symbolic link${target}; ${withArticle(options.what ?? 'file')} must be a regular file`,
        {
          hint: 'shipshape writes this file itself: remove the link (shipshape writes a new file), then run the command again.',
          code: 'ELOOP',
          cause: error,
        },
      );
    }
    throw openError(path, display, error);
  }
  let info: Stats;
  try {
    info = fstatSync(fd);
  } catch (error) {
    closeSync(fd);
    throw openError(path, display, error);
  }
  if (!info.isFile()) {
    closeSync(fd);
    throw new ReadError(display, 'not-regular', `it is ${kindOf(info)}${linkNote(path)}, not a regular file`, { hint: REGULAR_ONLY_HINT });
  }
  return { fd, size: info.size };
}

const CHUNK = 64 * 1024;

/** Reads the whole file, which must be a regular file of at most `maxBytes`; see the module comment. */
export function readFileBoundedSync(path: string, options: ReadOptions = {}): Buffer {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const display = options.display ?? path;
  const { fd, size } = openRegularSync(path, {
    display,
    ...(options.links ? { links: options.links } : {}),
    ...(options.what ? { what: options.what } : {}),
  });
  const tooLarge = (bytes: number, known: boolean) => {
    const what = options.what ?? 'file';
    return new ReadError(
      display,
      'too-large',
      `it is ${known ? formatBytes(bytes, true) : `over ${formatBytes(maxBytes)}`}; ${withArticle(what)} may be at most ${formatBytes(maxBytes)}`,
      {
        hint: `${withArticle(what).replace(/^a/, 'A')} this large is not ${withArticle(what)}: check that this is the right file.`,
        bytes,
      },
    );
  };
  try {
    // A regular file's size is a lower bound (it may grow, and /proc files say 0): refuse early on it.
    if (size > maxBytes) throw tooLarge(size, true);
    // Sized from fstat as a guess only; the cap is what the loop enforces.
    let buffer = Buffer.allocUnsafe(Math.min(Math.max(size, CHUNK), maxBytes + 1));
    let total = 0;
    for (;;) {
      if (total === buffer.length) {
        if (total > maxBytes) break;
        const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
        buffer.copy(bigger, 0, 0, total);
        buffer = bigger;
      }
      let read: number;
      try {
        read = readSync(fd, buffer, total, buffer.length - total, null);
      } catch (error) {
        throw openError(path, display, error);
      }
      if (read === 0) break;
      total += read;
    }
    if (total > maxBytes) throw tooLarge(total, false);
    return buffer.subarray(0, total);
  } finally {
    closeSync(fd);
  }
}

/** The same as readFileBoundedSync, as text (UTF-8). */
export function readTextBoundedSync(path: string, options: ReadOptions = {}): string {
  return readFileBoundedSync(path, options).toString('utf8');
}

/**
 * Async forms, for call sites that await. The read itself is synchronous: for files of a few KB
 * that is cheaper than the thread pool's round trips, and a regular file's read cannot hang.
 */
export async function readFileBounded(path: string, options: ReadOptions = {}): Promise<Buffer> {
  return readFileBoundedSync(path, options);
}

export async function readTextBounded(path: string, options: ReadOptions = {}): Promise<string> {
  return readTextBoundedSync(path, options);
}

/** The first `bytes` bytes of a regular file (or all of it when shorter), for recognising what a file is. */
export function readHeadSync(path: string, bytes: number): Buffer {
  const { fd } = openRegularSync(path);
  try {
    const buffer = Buffer.allocUnsafe(bytes);
    let total = 0;
    while (total < bytes) {
      const read = readSync(fd, buffer, total, bytes - total, null);
      if (read === 0) break;
      total += read;
    }
    return buffer.subarray(0, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * Calls `onChunk` with each chunk of a regular file, at most `maxBytes` in all (a ReadError past
 * that), for hashing a file without holding it whole.
 */
export function forEachChunkSync(path: string, onChunk: (chunk: Buffer) => void, options: ReadOptions = {}): void {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const display = options.display ?? path;
  const { fd } = openRegularSync(path, { display });
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let total = 0;
    for (let read = readSync(fd, buffer, 0, CHUNK, null); read > 0; read = readSync(fd, buffer, 0, CHUNK, null)) {
      total += read;
      if (total > maxBytes) {
        throw new ReadError(
          display,
          'too-large',
          `it is over ${formatBytes(maxBytes)}, the most ${withArticle(options.what ?? 'file')} may be`,
          {
            hint: 'Check that this is the right file.',
            bytes: total,
          },
        );
      }
      onChunk(buffer.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
}
