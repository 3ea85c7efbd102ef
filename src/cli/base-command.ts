/**
 * The base of every command: the shared flags, and the one place where errors become output
 * and exit codes (0 ok, 1 failures found, 2 bad usage or input, 130 interrupted).
 */
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import type { Interfaces } from '@oclif/core';
import { usageLine } from './usage-error.js';
import { writeErr, writeOut } from './output.js';
import { jsonSafe } from '../text/printable.js';
import { maskSecrets } from '../text/secrets.js';
import { BugError, ExitCode, ExternalError, InterruptedError, ioUserError, UserError } from '../errors.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;

export const EXIT_CODES_HELP = `EXIT CODES
  0    success
  1    the work ran and found failures (check errors, a failed scenario, a rollback)
  2    bad usage or bad input (unreadable spec, unknown flag, missing answers, a file that cannot be read or written)
  70   a bug in shipshape (a rule or step that threw): please report it
  130  interrupted`;

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    debug: Flags.boolean({
      description: 'Print stack traces of errors.',
      helpGroup: 'GLOBAL',
      env: 'SHIPSHAPE_DEBUG',
    }),
  };

  protected get debugMode(): boolean {
    return this.argv.includes('--debug') || process.env['SHIPSHAPE_DEBUG'] === '1' || process.env['SHIPSHAPE_DEBUG'] === 'true';
  }

  /** Writes human output to standard output, control characters escaped (src/cli/output.ts). */
  protected out(text: string): void {
    writeOut(text);
  }

  /** Writes text as it comes (a task's output) to standard error, control characters escaped. */
  protected noteRaw(text: string): void {
    writeErr(text);
  }

  /** Writes a line to standard error: progress, hints and colour never go to standard output. */
  protected note(message: string): void {
    writeErr(`${message}\n`);
  }

  /** oclif's JSON (shipshape sets no JSON theme, so plain), with the controls JSON.stringify leaves raw escaped. */
  override logJson(json: unknown): void {
    process.stdout.write(`${jsonSafe(JSON.stringify(json, null, 2))}\n`);
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own exits (this.exit) and parse errors keep their codes.
    if (error.oclif?.exit !== undefined && !(error instanceof UserError)) {
      if (error.name === 'ExitError' || error.oclif.exit === 0) throw error;
      // Flag and argument errors are bad usage: exit 2, in one line.
      const command = [this.config.bin, ...(this.id ?? '').split(':').filter(Boolean)].join(' ');
      this.printError(usageLine(error.message), `\`${command} --help\` lists the flags this command takes.`);
      this.exit(ExitCode.usage);
    }
    if (error instanceof UserError) {
      this.printError(error.located, error.hint);
      this.exit(error.exitCode);
    }
    if (error instanceof InterruptedError) {
      this.printError(`Interrupted: ${error.outcome}.`, error.hint);
      this.exit(ExitCode.interrupted);
    }
    if (error.name === 'ExitPromptError' || error.name === 'AbortPromptError') {
      this.printError('Interrupted: nothing was written.');
      this.exit(ExitCode.interrupted);
    }
    const io = ioUserError(error);
    if (io) {
      this.printError(io.located, io.hint);
      this.exit(io.exitCode);
    }
    if (error instanceof ExternalError) {
      this.printError(`${error.message}\n${error.output}`);
      this.exit(error.exitCode);
    }
    const bug = error instanceof BugError ? error : new BugError(error.message, { cause: error });
    this.printError(`shipshape hit a bug: ${bug.message}`, 'Run again with --debug for the stack trace, and report it.');
    if (this.debugMode) process.stderr.write(`${maskSecrets(error.stack ?? '')}\n`);
    this.exit(ExitCode.bug);
  }

  /** Every command's errors come through here: a secret quoted from a file (any the detectors know) is masked. */
  private printError(unmasked: string, unmaskedHint?: string): void {
    const message = maskSecrets(unmasked);
    const hint = unmaskedHint === undefined ? undefined : maskSecrets(unmaskedHint);
    if (this.jsonEnabled()) {
      process.stdout.write(`${jsonSafe(JSON.stringify({ error: { message, ...(hint ? { hint } : {}) } }, null, 2))}\n`);
    }
    writeErr(`Error: ${message}\n`);
    if (hint) writeErr(`Try this: ${hint}\n`);
  }
}
