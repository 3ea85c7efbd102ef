import { BaseCommand, EXIT_CODES_HELP } from '../../cli/base-command.js';
import type { DeployStatus as Status } from '../../deploy/run.js';
import { clusterFlags, clusterOptions, targetFlags } from './index.js';

export default class DeployStatus extends BaseCommand {
  static override summary = 'Show what serves, the last deployment, and what happened to a rollout whose process died.';
  static override description = `Reads .shipshape/deployments.json and .shipshape/deploy.lock. A rollout left in progress by a process that is gone (a crash, a kill -9) is recorded as failed, its stale lock cleared and the version processes it left stopped.

On the kubernetes driver it also reads the Rollout (or, for service-switch, the Service's slot) with kubectl (--context, --namespace); a rollout whose deploy process died takes the cluster's verdict once it has ended.

${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> deploy status', '<%= config.bin %> deploy status --json'];
  static override flags = { ...targetFlags, context: clusterFlags.context, namespace: clusterFlags.namespace };

  async run(): Promise<Status> {
    const { flags } = await this.parse(DeployStatus);
    const [{ deployStatus }, { formatStatus, formatClusterStatus }] = await Promise.all([
      import('../../deploy/run.js'),
      import('../../ui/deploy.js'),
    ]);
    const status = await deployStatus({
      cwd: process.cwd(),
      ...(flags.dir ? { dir: flags.dir } : {}),
      ...(flags.spec ? { spec: flags.spec } : {}),
      kubernetes: clusterOptions(flags),
    });
    if (!this.jsonEnabled()) this.out(`${formatStatus(status)}${status.cluster ? formatClusterStatus(status.cluster) : ''}`);
    return status;
  }
}
