import * as Flags from '@oclif/core/flags';
import { specFlags } from '../../cli/flags.js';
import { BaseCommand, EXIT_CODES_HELP } from '../../cli/base-command.js';
import { ExitCode } from '../../errors.js';
import type { KubernetesDryRunResult } from '../../deploy/drivers/kubernetes/index.js';
import type { DeployResult } from '../../deploy/run.js';

export const targetFlags = specFlags('to deploy');

/** Where the Kubernetes driver works: every kubectl command gets them. */
export const clusterFlags = {
  context: Flags.string({ description: 'With the kubernetes driver: the kubectl context (default: kubectl’s current one).' }),
  namespace: Flags.string({ description: 'With the kubernetes driver: the namespace (default: deploy.kubernetes.namespace).' }),
  timeout: Flags.integer({
    description: 'With the kubernetes driver: abort and roll back a rollout that has not ended after this many seconds.',
    min: 1,
    default: 1800,
  }),
  'poll-ms': Flags.integer({ hidden: true, min: 10, env: 'SHIPSHAPE_KUBECTL_POLL_MS' }),
};

/** The Kubernetes options of the core, from the flags. */
export function clusterOptions(flags: { context?: string; namespace?: string; timeout?: number; 'poll-ms'?: number }) {
  return {
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
    ...(flags.timeout === undefined ? {} : { timeoutSeconds: flags.timeout }),
    ...(flags['poll-ms'] === undefined ? {} : { pollIntervalMs: flags['poll-ms'] }),
  };
}

export default class Deploy extends BaseCommand {
  static override summary = 'Stage 6: roll out a new release step by step, analyse it, and promote or roll back on its own.';
  static override description = `Builds the project into .shipshape/releases/<version>, starts it (green) beside the release that serves (blue), and walks deploy.steps: each step sends its weight of traffic to green, and every deploy.analysis.intervalSeconds an analysis checks green's metrics against the spec. Failed analyses past failureLimit, too little traffic for a conclusive analysis (deploy.analysis.minRequests), green crashing or failing /readyz, or Ctrl-C roll back. Every step is written to .shipshape/deployments.json.

Refuses to start without a passing validation report for the current spec, unless --skip-validation (the history records it). --drill deploys a green made to fail on purpose and passes only if the rollback fires.

With --driver kubernetes (or deploy.driver: kubernetes) the cluster runs the rollout: the manifests are written to deploy/k8s/ and applied with kubectl (--context, --namespace), and the Argo Rollout is followed to its end; a failed or inconclusive analysis, a degraded rollout, --timeout or Ctrl-C aborts it (traffic back on the stable version). --dry-run writes the manifests and prints the kubectl commands without touching the cluster.

With the local driver the service keeps serving after the command ends (a supervisor process runs the proxy and the releases; \`deploy stop\` stops it), the previous release stays warm for rollback.scaleDownDelaySeconds, and a kill -9 of the deploy mid-rollout sends all traffic back to blue. With deploy.rollback.automatic: false a failed analysis pauses the rollout (traffic on blue, or at the step with rollback.holdAt: step) and waits for \`deploy promote\` or \`deploy rollback\`, at a terminal or with --wait; without either it rolls back and exits 3.

${EXIT_CODES_HELP}
  3    (deploy) a rollout paused on a failed analysis that no one could decide (no terminal, no --wait): rolled back`;
  static override examples = [
    '<%= config.bin %> deploy --load 50',
    '<%= config.bin %> deploy --drill --drill-error-rate 0.3',
    '<%= config.bin %> deploy --skip-validation --serve --port 8080',
    '<%= config.bin %> deploy --driver kubernetes --dry-run --image ghcr.io/example/support-triage:1.4.0',
    '<%= config.bin %> deploy --driver kubernetes --image 1.4.0 --context prod',
  ];
  static override flags = {
    ...targetFlags,
    driver: Flags.string({
      description: 'Where to deploy (default: deploy.driver of the spec).',
      options: ['local', 'kubernetes'],
      env: 'SHIPSHAPE_DEPLOY_DRIVER',
    }),
    version: Flags.string({ description: 'The release name (default: the git commit, else the spec hash and a counter).' }),
    'skip-validation': Flags.boolean({ description: 'Deploy without a passing validation report (recorded in the history).' }),
    drill: Flags.boolean({
      description: 'A rollback drill: green fails on purpose under load; passes only if the automatic rollback fires.',
    }),
    'drill-error-rate': Flags.string({
      description: 'The share of green requests a drill makes fail, above 0 and at most 1 (default 0.5).',
      dependsOn: ['drill'],
    }),
    load: Flags.integer({
      description: 'Send this many requests per second of synthetic traffic during the rollout (a drill sends 50).',
      min: 0,
    }),
    serve: Flags.boolean({ description: 'Stay in the foreground after the rollout; Ctrl-C then stops the service.' }),
    wait: Flags.boolean({
      description:
        'With deploy.rollback.automatic: false, wait for `deploy promote` or `deploy rollback` when an analysis fails, even without a terminal.',
    }),
    'dry-run': Flags.boolean({
      description:
        'With --driver kubernetes: write the manifests to deploy/k8s/ and print the kubectl commands a release runs; touch no cluster.',
    }),
    image: Flags.string({
      description: 'With --driver kubernetes: the image tag (or full reference) to deploy (default: the git commit).',
    }),
    ...clusterFlags,
    prometheus: Flags.string({
      description: 'With the kubernetes driver and rollouts: service-switch: the Prometheus URL shipshape’s analysis queries.',
      env: 'SHIPSHAPE_PROMETHEUS_URL',
    }),
    force: Flags.boolean({ description: 'With the kubernetes driver: overwrite manifests in deploy/k8s/ changed by hand.' }),
    port: Flags.integer({
      description: 'The port clients reach the service on (the local proxy; default: any free port).',
      min: 0,
      max: 65_535,
      env: 'SHIPSHAPE_DEPLOY_PORT',
    }),
  };

  async run(): Promise<DeployResult | KubernetesDryRunResult> {
    const { flags } = await this.parse(Deploy);
    if (flags['dry-run']) {
      if (flags.driver === 'local') {
        this.error('--dry-run is for the kubernetes driver: a local rollout has nothing to show before it runs', { exit: ExitCode.usage });
      }
      const { planKubernetesRelease } = await import('../../deploy/kubernetes.js');
      const planned = await planKubernetesRelease({
        cwd: process.cwd(),
        ...(flags.dir ? { dir: flags.dir } : {}),
        ...(flags.spec ? { spec: flags.spec } : {}),
        ...(flags.image ? { image: flags.image } : {}),
        ...(flags.context ? { context: flags.context } : {}),
        ...(flags.namespace ? { namespace: flags.namespace } : {}),
        force: flags.force,
        driverChosen: flags.driver === 'kubernetes',
      });
      if (!this.jsonEnabled()) {
        for (const file of planned.files) this.note(`${file.action.padEnd(9)} ${file.path}`);
        this.note(
          `The pods read ${planned.secret.keys.join(', ') || 'no secret'} from the Secret ${planned.secret.name}: create it first.`,
        );
        this.out(`${planned.lines.join('\n')}\n`);
      }
      return planned;
    }
    const [{ deploy }, { withRolloutView, formatDeployment }] = await Promise.all([
      import('../../deploy/run.js'),
      import('../../ui/deploy.js'),
    ]);
    const rate = Number(flags['drill-error-rate'] ?? '0.5');
    if (!(rate > 0 && rate <= 1)) this.error('--drill-error-rate must be a number above 0 and at most 1', { exit: ExitCode.usage });
    const json = this.jsonEnabled();
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    const result = await withRolloutView({ json }, (onEvent, log) =>
      deploy({
        cwd: process.cwd(),
        ...(flags.dir ? { dir: flags.dir } : {}),
        ...(flags.spec ? { spec: flags.spec } : {}),
        ...(flags.driver ? { driver: flags.driver as 'local' | 'kubernetes' } : {}),
        ...(flags.version ? { version: flags.version } : {}),
        skipValidation: flags['skip-validation'],
        ...(flags.drill ? { drill: true } : {}),
        ...(flags.drill ? { drillErrorRate: rate } : {}),
        ...(flags.load === undefined ? {} : { loadRps: flags.load }),
        ...(flags.port === undefined ? {} : { port: flags.port }),
        serve: flags.serve,
        waitOnPause: flags.wait || (process.stdin.isTTY === true && process.env['CI'] !== 'true'),
        kubernetes: {
          ...clusterOptions(flags),
          ...(flags.image ? { image: flags.image } : {}),
          ...(flags.prometheus ? { prometheus: flags.prometheus } : {}),
          ...(flags.force ? { force: true } : {}),
        },
        signal: controller.signal,
        onEvent,
        log,
        onEndpoint: (url) => log(`service on ${url}`),
      }),
    ).finally(() => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    });
    const ok = result.record.drill ? result.record.drill.passed : result.record.status === 'promoted';
    process.exitCode = result.interrupted
      ? ExitCode.interrupted
      : ok
        ? ExitCode.ok
        : result.paused === 'abort'
          ? ExitCode.undecided
          : ExitCode.failures;
    if (!json) this.out(formatDeployment(result));
    return result;
  }
}
