import { join } from 'node:path';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { ExitCode, InterruptedError, UserError } from '../errors.js';
import type { StageOutcome } from '../ui/demo-view.js';

export default class Demo extends BaseCommand {
  static override summary = 'Run the eight stages on the bundled example, in a fresh folder, without a question.';
  static override description = `Makes a project from the bundled support-triage example in a temp folder (or DIR, which must be new or empty) and runs every stage there as you would: init, check, design, generate (with npm install), build and smoke test, validate, deploy (v1 promoted, then a deliberately broken v2 rolled back on its own), runbook (with promtool when installed), review from the deployment history, and status. The rollout is shortened to seconds; --quick shortens the failure scenarios too. No account, and no network beyond the npm registry.

The demo stops at the first stage that fails, names it and the reason, and keeps the folder; demo.log there holds every command and its output. Ctrl-C stops the running command and the local service. At the end it prints where everything is, what to open first, and how to remove it.

${EXIT_CODES_HELP.replace('(check errors, a failed scenario, a rollback)', '(a stage of the demo failed)')}`;
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --quick', '<%= config.bin %> demo ./triage-demo'];
  static override args = {
    dir: Args.string({ description: 'A new or empty folder to make the project in (default: a new temp folder).' }),
  };
  static override flags = {
    quick: Flags.boolean({ description: 'Failure scenarios of a few seconds each, and a faster rollout.' }),
    verbose: Flags.boolean({ description: 'Plain progress lines, even on a terminal.' }),
  };

  async run(): Promise<{ dir: string; temporary: boolean; quick: boolean; stages: StageOutcome[]; log: string }> {
    const { args, flags } = await this.parse(Demo);
    const [{ demoFolder }, { demoStages, demoEpilogue, DemoInterrupted, DemoStepError, DEMO_LOG }, { runDemoStages }] = await Promise.all([
      import('../demo/folder.js'),
      import('../demo/stages.js'),
      import('../ui/demo-view.js'),
    ]);
    const { dir, temporary } = await demoFolder({ ...(args.dir === undefined ? {} : { dir: args.dir }), cwd: process.cwd() });
    const json = this.jsonEnabled();
    this.note(`shipshape demo in ${dir}${flags.quick ? ' (--quick)' : ''}`);
    const controller = new AbortController();
    const onSignal = () => {
      if (!controller.signal.aborted) return controller.abort();
      // A second Ctrl-C: stop waiting for the command to stop.
      this.note(`Interrupted again: the folder is kept: ${dir}`);
      process.exit(ExitCode.interrupted);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const view: { current?: (line: string) => void } = {};
    const demo = demoStages({
      dir,
      bin: join(this.config.root, 'bin', 'run.js'),
      quick: flags.quick,
      signal: controller.signal,
      onCommand: (line) => view.current?.(line),
    });
    try {
      const outcome = await runDemoStages(demo.stages, { json, verbose: flags.verbose }, view);
      const log = join(dir, DEMO_LOG);
      if (outcome.failed) {
        const left = await demo.cleanUp();
        const { id, title, error } = outcome.failed;
        const stage = id === 'end' ? 'the final status' : `${id.includes('-') ? 'stages' : 'stage'} ${id} (${title})`;
        const kept = `The folder is kept: ${dir}; ${DEMO_LOG} there has every command's output.${left.map((line) => ` Note: ${line}.`).join('')} Remove it with: rm -rf ${dir}`;
        if (error instanceof DemoInterrupted || controller.signal.aborted) {
          throw new InterruptedError(
            `the demo stopped during ${stage}, at \`${error instanceof DemoInterrupted ? error.command : title}\``,
            kept,
          );
        }
        if (error instanceof DemoStepError)
          throw new UserError(`${stage} failed: \`${error.command}\` ${error.reason}`, { exitCode: 1, hint: kept });
        this.note(`The demo failed in ${stage}. ${kept}`);
        throw error;
      }
      await demo.cleanUp();
      if (!json) for (const line of demoEpilogue(dir, temporary)) this.out(`${line}\n`);
      return { dir, temporary, quick: flags.quick, stages: outcome.stages, log };
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
