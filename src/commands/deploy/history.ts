import { BaseCommand, EXIT_CODES_HELP } from '../../cli/base-command.js';
import type { Deployment } from '../../state/deployments.js';
import { targetFlags } from './index.js';

export default class DeployHistory extends BaseCommand {
  static override summary = 'List every deployment, rollback and drill of the project, oldest first.';
  static override description = `Reads .shipshape/deployments.json: each entry's version, kind (rollout, rollback, drill), status and reason. --json gives the whole record: steps, analyses, metrics per version, verdicts and timings.

${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> deploy history', '<%= config.bin %> deploy history --json'];
  static override flags = { ...targetFlags };

  async run(): Promise<{ deployments: Deployment[] }> {
    const { flags } = await this.parse(DeployHistory);
    const [{ deployHistory }, { formatHistory }] = await Promise.all([import('../../deploy/run.js'), import('../../ui/deploy.js')]);
    const deployments = await deployHistory({
      cwd: process.cwd(),
      ...(flags.dir ? { dir: flags.dir } : {}),
      ...(flags.spec ? { spec: flags.spec } : {}),
    });
    if (!this.jsonEnabled()) this.out(formatHistory(deployments));
    return { deployments };
  }
}
