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
  constructor() {
    super('Interrupted');
    this.name = 'InterruptedError';
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
