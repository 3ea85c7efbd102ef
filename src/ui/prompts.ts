/**
 * The only wrapper of @inquirer/prompts: the Prompter that `init` (and any later command that
 * asks questions) is given. Streams are injectable so tests drive the real prompts.
 */
import { PassThrough } from 'node:stream';
import { checkbox, confirm, input, select } from '@inquirer/prompts';
import { InterruptedError } from '../errors.js';
import type { Prompter } from '../init/resolve.js';

export interface PromptStreams {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** Ctrl-C at a prompt becomes our InterruptedError, which the entry point turns into exit 130. */
async function interruptible<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw new InterruptedError();
    }
    throw error;
  }
}

export function createPrompter(streams: PromptStreams = {}): Prompter {
  // Questions go to standard error: standard output carries only the result (--json).
  const target = streams.output ?? process.stderr;
  const context = () => {
    const input = streams.input ? { input: streams.input } : {};
    // Each prompt ends the stream it writes to when it is done (standard streams excepted); a
    // fresh pass-through per prompt keeps any other output open for the next question.
    if (!streams.output) return { ...input, output: target };
    // Keep the width of the real output, which inquirer wraps its lines at.
    const output = Object.assign(new PassThrough(), { columns: (target as { columns?: number }).columns });
    output.pipe(target, { end: false });
    return { ...input, output };
  };
  return {
    text: (q) =>
      interruptible(
        input(
          {
            message: q.message,
            ...(q.default === undefined ? {} : { default: q.default }),
            ...(q.validate ? { validate: q.validate } : {}),
          },
          context(),
        ),
      ),
    select: (q) =>
      interruptible(
        select(
          {
            message: q.message,
            choices: q.choices.map((c) => ({ ...c })),
            ...(q.default === undefined ? {} : { default: q.default }),
            loop: false,
          },
          context(),
        ),
      ),
    checkbox: (q) =>
      interruptible(
        checkbox(
          { message: q.message, choices: q.choices.map((c) => ({ ...c })), loop: false, pageSize: Math.max(7, q.choices.length) },
          context(),
        ),
      ),
    confirm: (q) => interruptible(confirm({ message: q.message, ...(q.default === undefined ? {} : { default: q.default }) }, context())),
    show: (text) => {
      target.write(`\n${text}\n\n`);
    },
  };
}
