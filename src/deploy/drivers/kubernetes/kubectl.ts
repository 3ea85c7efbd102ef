/**
 * The kubectl commands of a Kubernetes release, as data: what `--dry-run` prints is what the
 * executor runs (executor.ts takes these objects and nothing else). Flags go after the verb:
 * kubectl finds a plugin (`kubectl argo rollouts ...`) only when no flag comes before its name.
 */
import type { KubernetesManifests, RolloutMode, Slot } from './manifests.js';
import { NAME_LABEL, SLOT_LABEL } from './manifests.js';

export interface KubectlCommand {
  /** The arguments after `kubectl`. */
  args: string[];
  /** What it does, for people. */
  purpose: string;
}

export interface KubectlTarget {
  /** --context: the kubeconfig context (the current one when absent). */
  context?: string;
  /** --namespace (the manifests' namespace when absent). */
  namespace?: string;
}

export interface KubectlPlan {
  mode: KubernetesManifests['mode'];
  /** Applies every manifest, in dependency order (the AnalysisTemplate and Services before the Rollout). */
  apply: KubectlCommand;
  /** argo: polled until the rollout ends; service-switch: waits for the release's pods to be ready. */
  wait: KubectlCommand;
  /** For a person following along (never run by shipshape): the plugin's live view. */
  watch?: KubectlCommand;
  /** argo: skips the remaining pauses; service-switch: points the Service at the release's slot. */
  promote: KubectlCommand;
  /** argo: aborts the update (traffic back on stable); service-switch: points the Service back at the live slot. */
  abort: KubectlCommand;
  /** argo: rolls a promoted release back to the previous revision; service-switch: as abort. */
  undo: KubectlCommand;
  /** How often the executor polls `wait` (argo), in milliseconds. */
  pollIntervalMs: number;
}

export interface PlanOptions extends KubectlTarget {
  /** The manifests folder as a person would type it (relative to the project root), e.g. deploy/k8s. */
  dir: string;
  /** How long a service-switch release may take to become ready (600 s unless given). */
  readyTimeoutSeconds?: number;
}

function switchTo(manifests: KubernetesManifests, slot: Slot): string[] {
  const selector = { [NAME_LABEL]: manifests.names.app, [SLOT_LABEL]: slot };
  return ['patch', 'service', manifests.names.service, '--type', 'merge', '-p', JSON.stringify({ spec: { selector } })];
}

/**
 * service-switch: reads the Service to learn which slot serves now, before rendering (the release
 * goes to the other slot). Run by readLiveSlot (executor.ts).
 */
export function liveSlotCommand(service: string, namespace: string, target: KubectlTarget = {}): KubectlCommand {
  return {
    args: [
      'get',
      'service',
      service,
      '-o',
      'json',
      ...(target.context ? ['--context', target.context] : []),
      '--namespace',
      target.namespace ?? namespace,
    ],
    purpose: `read which slot ${service} serves`,
  };
}

interface PlanContext {
  manifests: KubernetesManifests;
  options: PlanOptions;
  /** A command with --context and --namespace after its arguments. */
  command: (args: string[], purpose: string) => KubectlCommand;
  apply: KubectlCommand;
}

function planArgo({ manifests, command, apply }: PlanContext): KubectlPlan {
  const rollout = manifests.names.workload;
  return {
    mode: 'argo',
    apply,
    wait: command(['get', 'rollout.argoproj.io', rollout, '-o', 'json'], 'read the rollout status (polled until it ends)'),
    watch: command(['argo', 'rollouts', 'get', 'rollout', rollout, '--watch'], 'watch the rollout live'),
    promote: command(['argo', 'rollouts', 'promote', rollout], 'promote: skip the remaining pauses'),
    abort: command(['argo', 'rollouts', 'abort', rollout], 'abort: traffic back on the stable version'),
    undo: command(['argo', 'rollouts', 'undo', rollout], 'undo: roll back to the previous revision'),
    pollIntervalMs: 5000,
  };
}

function planServiceSwitch({ manifests, options, command, apply }: PlanContext): KubectlPlan {
  const { names } = manifests;
  const live = names.liveSlot!;
  const next = names.targetSlot!;
  const back = command(switchTo(manifests, live), `point ${names.service} back at ${live}`);
  return {
    mode: 'service-switch',
    apply,
    wait: command(
      ['rollout', 'status', `deployment/${names.workload}`, `--timeout=${options.readyTimeoutSeconds ?? 600}s`],
      `wait for ${next} to be ready`,
    ),
    promote: command(switchTo(manifests, next), `point ${names.service} at ${next} (after the analysis passes)`),
    abort: back,
    undo: back,
    pollIntervalMs: 5000,
  };
}

const PLANNERS = { argo: planArgo, 'service-switch': planServiceSwitch } satisfies Record<
  RolloutMode,
  (context: PlanContext) => KubectlPlan
>;

/** The commands that deploy, follow, promote and roll back the rendered manifests. */
export function kubectlPlan(manifests: KubernetesManifests, options: PlanOptions): KubectlPlan {
  const target = [...(options.context ? ['--context', options.context] : []), '--namespace', options.namespace ?? manifests.namespace];
  const command = (args: string[], purpose: string): KubectlCommand => ({ args: [...args, ...target], purpose });
  const dir = options.dir.replace(/\/+$/, '');
  const apply = command(['apply', ...manifests.files.flatMap((file) => ['-f', `${dir}/${file.name}`])], 'apply the manifests');
  return PLANNERS[manifests.mode]({ manifests, options, command, apply });
}

export interface ReleaseCommands {
  /** Run in this order by a release (argo: `wait` is repeated every pollIntervalMs until the rollout ends). */
  run: KubectlCommand[];
  /** Run when the release fails, times out or is interrupted. */
  onFailure: KubectlCommand[];
  /** `deploy rollback` after a promotion. */
  rollback: KubectlCommand[];
  /** Not run by shipshape: the live view for a person. */
  watch?: KubectlCommand;
}

/** The commands of a release, in order: what `--dry-run` prints and the executor runs. */
export function releaseCommands(plan: KubectlPlan): ReleaseCommands {
  return plan.mode === 'argo'
    ? { run: [plan.apply, plan.wait], onFailure: [plan.abort], rollback: [plan.undo], ...(plan.watch ? { watch: plan.watch } : {}) }
    : { run: [plan.apply, plan.wait, plan.promote], onFailure: [plan.abort], rollback: [plan.undo] };
}

/** A command as one shell line, quoted where needed. */
export function formatCommand(command: KubectlCommand): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  return ['kubectl', ...command.args].map(quote).join(' ');
}
