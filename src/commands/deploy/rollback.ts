import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_HELP } from '../../cli/base-command.js';
import { ExitCode } from '../../errors.js';
import type { Deployment } from '../../state/deployments.js';
import { clusterFlags, clusterOptions, targetFlags } from './index.js';

export default class DeployRollback extends BaseCommand {
  static override summary = 'Return traffic to the release that served before the current one.';
  static override description = `Starts the previous promoted release from .shipshape/releases/<version>, checks it is ready, and records the rollback in .shipshape/deployments.json (deploy status then shows it serving). --serve keeps it serving until Ctrl-C.

On the kubernetes driver: a rollout in progress is aborted (kubectl argo rollouts abort: traffic back on the stable version); a promoted one is undone (kubectl argo rollouts undo: the previous revision rolls out again, followed to its end, --timeout); with rollouts: service-switch the Service goes back to the other slot once its pods are ready.

${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> deploy rollback',
    '<%= config.bin %> deploy rollback --serve --port 8080',
    '<%= config.bin %> deploy rollback --context prod',
  ];
  static override flags = {
    ...targetFlags,
    ...clusterFlags,
    serve: Flags.boolean({ description: 'Keep the previous release serving until Ctrl-C.' }),
    port: Flags.integer({
      description: 'The port clients reach the service on (default: any free port).',
      min: 0,
      max: 65_535,
      env: 'SHIPSHAPE_DEPLOY_PORT',
    }),
  };

  async run(): Promise<{ record: Deployment }> {
    const { flags } = await this.parse(DeployRollback);
    const { deployRollback } = await import('../../deploy/run.js');
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    const { record, interrupted } = await deployRollback({
      cwd: process.cwd(),
      ...(flags.dir ? { dir: flags.dir } : {}),
      ...(flags.spec ? { spec: flags.spec } : {}),
      serve: flags.serve,
      kubernetes: clusterOptions(flags),
      ...(flags.port === undefined ? {} : { port: flags.port }),
      signal: controller.signal,
      log: (line) => this.note(line),
    }).finally(() => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    });
    process.exitCode = interrupted ? ExitCode.interrupted : record.status === 'rolled-back' ? ExitCode.ok : ExitCode.failures;
    if (!this.jsonEnabled()) this.out(`${record.status === 'rolled-back' ? 'rolled back' : 'rollback failed'}: ${record.reason ?? ''}\n`);
    return { record };
  }
}
