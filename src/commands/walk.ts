import { join } from 'node:path';
import * as Flags from '@oclif/core/flags';
import { promptBlocker } from '../cli/terminal.js';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { InterruptedError, UserError } from '../errors.js';
import type { WalkResult } from '../stages/walk.js';

export default class Walk extends BaseCommand {
  static override summary = 'Walk the project through the next stages, one command at a time.';
  static override description = `Shows the status, asks whether to run the next stage's command, runs it (it may ask its own questions), and shows the status again, until you say no, every stage is done, or the next command is yet to come. Where a stage needs an edit by hand, it shows what to fix and stops.

Walk only asks: without a terminal, or with CI=true, it exits 2. Use \`shipshape status\` and the command it names instead.

${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> walk', '<%= config.bin %> walk --dir services/triage'];
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'Look for shipshape.yaml from this folder upward (default: the working directory).' }),
  };

  async run(): Promise<WalkResult> {
    const { flags } = await this.parse(Walk);
    const blocker = promptBlocker();
    if (blocker) {
      throw new UserError(`walk asks before each step and needs a terminal to ask on (${blocker})`, {
        hint: 'Run `shipshape status` to see where the project stands, then the command it names (each takes flags for CI).',
      });
    }
    const [{ computeStatus }, { formatStatus }, { walk }, { paintFor }, { createWalkConfirm }, { writeErr, writeOut }, { execa }] =
      await Promise.all([
        import('../stages/status.js'),
        import('../stages/format.js'),
        import('../stages/walk.js'),
        import('../ui/paint.js'),
        import('../ui/walk-prompts.js'),
        import('../cli/output.js'),
        import('execa'),
      ]);
    // Under --json standard output carries only the result; the walk itself goes to standard error.
    const stream = this.jsonEnabled() ? process.stderr : process.stdout;
    const paint = paintFor(stream);
    const out = { write: stream === process.stderr ? writeErr : writeOut };
    const bin = join(this.config.root, 'bin', 'run.js');
    const result = await walk({
      status: () => computeStatus({ cwd: process.cwd(), ...(flags.dir ? { dir: flags.dir } : {}), commands: this.config.commandIDs }),
      show: (status) => out.write(`\n${formatStatus(status, paint)}\n`),
      say: (text) => out.write(`${text}\n`),
      confirm: createWalkConfirm(),
      run: async (command, args, cwd) => {
        out.write(paint.dim(`\n$ shipshape ${[command, ...args].join(' ')}\n`));
        // Ctrl-C reaches the child, which handles it; walk waits for it and then stops.
        const ignore = () => {};
        process.on('SIGINT', ignore);
        try {
          const child = await execa(process.execPath, [bin, command, ...args], { cwd, stdio: 'inherit', reject: false });
          return child.exitCode ?? (child.signal === 'SIGINT' ? 130 : 1);
        } finally {
          process.off('SIGINT', ignore);
        }
      },
    });
    if (result.ran.at(-1)?.exitCode === 130) throw new InterruptedError();
    if (result.stopped === 'failed') process.exitCode = 1;
    return result;
  }
}
