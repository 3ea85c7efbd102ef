import { BaseCommand, EXIT_CODES_HELP } from '../../cli/base-command.js';
import type { DeployStatus as Status } from '../../deploy/run.js';
import { targetFlags } from './index.js';

export default class DeployStatus extends BaseCommand {
  static override summary = 'Show what serves, the last deployment, and what happened to a rollout whose process died.';
  static override description = `Reads .shipshape/deployments.json and .shipshape/deploy.lock. A rollout left in progress by a process that is gone (a crash, a kill -9) is recorded as failed, its stale lock cleared and the version processes it left stopped.

${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> deploy status', '<%= config.bin %> deploy status --json'];
  static override flags = { ...targetFlags };

  async run(): Promise<Status> {
    const { flags } = await this.parse(DeployStatus);
    const [{ deployStatus }, { formatStatus }] = await Promise.all([import('../../deploy/run.js'), import('../../ui/deploy.js')]);
    const status = await deployStatus({
      cwd: process.cwd(),
      ...(flags.dir ? { dir: flags.dir } : {}),
      ...(flags.spec ? { spec: flags.spec } : {}),
    });
    if (!this.jsonEnabled()) process.stdout.write(formatStatus(status));
    return status;
  }
}
