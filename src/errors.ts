/**
 * The few error classes shipshape throws. Code throws; only the CLI entry point turns an error
 * into output and an exit code (see docs in README, "Exit codes").
 */

export const ExitCode = {
  ok: 0,
  /** The work ran and found failures: check errors, a failed scenario, a rollback. */
  failures: 1,
  /** Bad usage or bad input: unreadable spec, unknown flag, missing answers. */
  usage: 2,
  /** deploy: a rollout paused on a failed analysis (rollback.automatic: false) that no one could decide: rolled back. */
  undecided: 3,
  /** A bug in shipshape itself (a rule or step that threw): never confused with findings. */
  bug: 70,
  interrupted: 130,
} as const;

export interface Position {
  line: number;
  column: number;
}

/** A mistake the user can fix: a message, a hint, and exit code 2 unless said otherwise. */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  readonly file: string | undefined;
  readonly position: Position | undefined;

  constructor(message: string, options: { hint?: string; exitCode?: number; file?: string; position?: Position; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.usage;
    this.file = options.file;
    this.position = options.position;
  }

  /** `file:line:col message`, the one line the entry point prints. */
  get located(): string {
    if (!this.file) return this.message;
    const at = this.position ? `:${this.position.line}:${this.position.column}` : '';
    return `${this.file}${at} ${this.message}`;
  }
}

/** The user stopped us (Ctrl-C at a prompt). */
export class InterruptedError extends Error {
  readonly exitCode = ExitCode.interrupted;
  /** What the interrupt left on disk, when something was written ("nothing was written" otherwise). */
  readonly outcome: string;
  readonly hint: string | undefined;
  constructor(outcome = 'nothing was written', hint?: string) {
    super('Interrupted');
    this.name = 'InterruptedError';
    this.outcome = outcome;
    this.hint = hint;
  }
}

/** A child process failed; carries its output so the user sees why. */
export class ExternalError extends Error {
  readonly exitCode: number = ExitCode.failures;
  readonly command: string;
  readonly output: string;
  constructor(command: string, output: string, options: { cause?: unknown } = {}) {
    super(`${command} failed`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExternalError';
    this.command = command;
    this.output = output;
  }
}

/** Something that should never happen: a bug in shipshape, not a user mistake. */
export class BugError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BugError';
  }
}

/** Why a file operation failed, for the errno codes a user can fix; undefined for the others. */
export const IO_REASONS: Record<string, string> = {
  ENOENT: 'it does not exist',
  ENOTDIR: 'a parent of it is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a folder',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ENAMETOOLONG: 'its name is too long',
  ELOOP: 'it is a loop of symbolic links',
  EMFILE: 'too many files are open',
  EBUSY: 'it is busy',
  ETXTBSY: 'it is busy',
};

/**
 * An I/O failure the user can fix (a permission, a read-only disk, a folder where a file should
 * be) as a UserError naming the file: exit 2 and one line, not "a bug". Anything else: undefined.
 */
export function ioUserError(error: unknown): UserError | undefined {
  const e = error as (NodeJS.ErrnoException & { dest?: string }) | undefined;
  const reason = e?.code ? IO_REASONS[e.code] : undefined;
  if (!reason) return undefined;
  const what = e!.syscall === 'open' || e!.syscall === 'read' ? 'read or write' : e!.syscall ? e!.syscall : 'use';
  const where = e!.path ? ` ${e!.path}${e!.dest ? ` -> ${e!.dest}` : ''}` : '';
  return new UserError(`cannot ${what}${where}: ${reason} (${e!.code})`, {
    hint: 'Check the path, its permissions and the free space, then run the command again.',
    cause: error,
  });
}
