import { BaseCommand, EXIT_CODES_HELP } from '../../cli/base-command.js';
import { ExitCode } from '../../errors.js';
import type { Deployment } from '../../state/deployments.js';
import { targetFlags } from './index.js';

export default class DeployPromote extends BaseCommand {
  static override summary = 'Promote a rollout paused on a failed analysis (deploy.rollback.automatic: false).';
  static override description = `With deploy.rollback.automatic: false, a failed analysis pauses the rollout instead of rolling it back, and the deploy waits (at a terminal, or with --wait). This tells the waiting deploy to send all traffic to the new version and promote it; \`deploy rollback\` tells it to roll back. Waits for the deploy to act and prints the outcome.

${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> deploy promote'];
  static override flags = { ...targetFlags };

  async run(): Promise<{ record: Deployment }> {
    const { flags } = await this.parse(DeployPromote);
    const { deployPromote } = await import('../../deploy/run.js');
    const record = await deployPromote({
      cwd: process.cwd(),
      ...(flags.dir ? { dir: flags.dir } : {}),
      ...(flags.spec ? { spec: flags.spec } : {}),
      log: (line) => this.note(line),
    });
    process.exitCode = record.status === 'promoted' ? ExitCode.ok : ExitCode.failures;
    if (!this.jsonEnabled()) this.out(`${record.status} ${record.version ?? '?'}: ${record.reason ?? ''}\n`);
    return { record };
  }
}
