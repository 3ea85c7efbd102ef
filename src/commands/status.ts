import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import type { ProjectStatus } from '../stages/status.js';

export default class Status extends BaseCommand {
  static override summary = 'Show where the project stands on the eight stages, from the evidence on disk.';
  static override description = `Finds shipshape.yaml from the working directory (or --dir) upward; its folder is the project. Each stage's state is worked out from files every time, never stored: a spec that passes the check, an ADR, a manifest whose hashes match, a passing validation report for the current spec, a promoted deployment, a runbook newer than the spec, a review. Ends with the command to run next.

--require-stage N exits 1 unless stages 1 to N are all done: a gate for CI.

${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --dir services/triage --json',
    '<%= config.bin %> status --require-stage 5',
  ];
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'Look for shipshape.yaml from this folder upward (default: the working directory).' }),
    'require-stage': Flags.integer({
      description: 'Exit 1 unless stages 1 to N are all done.',
      min: 1,
      max: 8,
      env: 'SHIPSHAPE_REQUIRE_STAGE',
    }),
  };

  async run(): Promise<ProjectStatus> {
    const { flags } = await this.parse(Status);
    // Loaded together: each import awaited in turn costs its own round of file reads.
    const [{ computeStatus, unmetStage }, { formatStatus }, { paintFor }] = await Promise.all([
      import('../stages/status.js'),
      import('../stages/format.js'),
      import('../ui/paint.js'),
    ]);
    const status = await computeStatus({ cwd: process.cwd(), ...(flags.dir ? { dir: flags.dir } : {}), commands: this.config.commandIDs });
    if (!this.jsonEnabled()) this.out(formatStatus(status, paintFor(process.stdout)));
    const required = flags['require-stage'];
    const unmet = required === undefined ? undefined : unmetStage(status, required);
    if (unmet) {
      this.note(`Stage ${required} required, but ${unmet}.`);
      process.exitCode = 1;
    }
    return status;
  }
}
