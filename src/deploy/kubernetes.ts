/**
 * `deploy --driver kubernetes --dry-run`: the spec located and checked as for any deploy, then the
 * Kubernetes driver writes deploy/k8s/ and returns the kubectl commands a release runs. A real
 * run (apply, follow, abort) is drivers/kubernetes/release.ts, behind the same command.
 */
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { displayPath } from '../fs/paths.js';
import { loadValidSpec } from '../spec/load.js';
import { locateSpec } from '../spec/locate.js';
import { kubernetesDryRun, type KubernetesDryRunResult } from './drivers/kubernetes/index.js';

export interface KubernetesPlanOptions {
  cwd: string;
  dir?: string;
  spec?: string;
  image?: string;
  context?: string;
  namespace?: string;
  force?: boolean;
  /** --driver kubernetes was given; otherwise the spec's deploy.driver must say kubernetes. */
  driverChosen?: boolean;
}

export async function planKubernetesRelease(options: KubernetesPlanOptions): Promise<KubernetesDryRunResult> {
  const specFile = await locateSpec(options);
  const { spec } = await loadValidSpec(specFile, displayPath(specFile, options.cwd), 'deploy');
  if (!options.driverChosen && spec.deploy?.driver !== 'kubernetes') {
    throw new UserError(
      `--dry-run is for the kubernetes driver, and ${displayPath(specFile, options.cwd)} deploys with ${spec.deploy?.driver ?? 'no driver'}`,
      {
        hint: 'Add --driver kubernetes to write the Kubernetes manifests and see the kubectl commands.',
      },
    );
  }
  if (!spec.deploy?.kubernetes) {
    throw new UserError('the spec has no deploy.kubernetes section: the Kubernetes driver needs its namespace, image and replicas', {
      hint: 'Add deploy.kubernetes { namespace, image, replicas, rollouts } (see examples/support-triage.yaml), or deploy with --driver local.',
    });
  }
  const minRequests = spec.deploy.analysis?.minRequests;
  return kubernetesDryRun({
    root: dirname(specFile),
    spec,
    ...(options.image ? { image: options.image } : {}),
    ...(options.context ? { context: options.context } : {}),
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.force ? { force: true } : {}),
    ...(minRequests === undefined ? {} : { minRequests }),
  });
}
