import { BaseCommand, EXIT_CODES_HELP } from '../../cli/base-command.js';
import { targetFlags } from './index.js';

export default class DeployStop extends BaseCommand {
  static override summary = 'Stop the local service: the proxy and every release the local driver runs.';
  static override description = `The local driver's proxy and releases run in a supervisor process that outlives \`deploy\`, so the service keeps serving and the previous release stays warm for a rollback. This stops them all (refused while a deploy runs). The history is not changed.

${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> deploy stop'];
  static override flags = { ...targetFlags };

  async run(): Promise<{ stopped: boolean; message: string }> {
    const { flags } = await this.parse(DeployStop);
    const { deployStop } = await import('../../deploy/run.js');
    const result = await deployStop({
      cwd: process.cwd(),
      ...(flags.dir ? { dir: flags.dir } : {}),
      ...(flags.spec ? { spec: flags.spec } : {}),
    });
    if (!this.jsonEnabled()) this.out(`${result.message}\n`);
    return result;
  }
}
