/**
 * The Kubernetes driver behind `deploy`, `deploy status` and `deploy rollback`. The cluster runs
 * the rollout (Argo Rollouts; or, for service-switch, shipshape's own analysis then a switch of
 * the Service), so there is no step-by-step controller here: this module checks kubectl, takes
 * the deploy lock, writes deploy/k8s/ exactly as the dry run does, runs the plan's commands,
 * follows the rollout, reports it as the controller's events (the command shows them in the same
 * view as a local rollout), and records it in the history like any other deployment.
 */
import { randomBytes } from 'node:crypto';
import { ExternalError, UserError } from '../../../errors.js';
import type { Spec } from '../../../spec/schema.js';
import { readHistory, saveDeployment, servingVersion, writeHistory, type Deployment, type StepRecord } from '../../../state/deployments.js';
import type { RolloutEvent } from '../../controller.js';
import { acquireLock, alive, clearStaleLock, readLock, type Lock, type LockContent } from '../../lock.js';
import {
  MANIFEST_DIR,
  analysisLimits,
  execaKubectl,
  followArgoRollout,
  kubectlPlan,
  kubernetesDryRun,
  liveSlotCommand,
  readLiveSlot,
  readRollout,
  renderManifests,
  formatCommand,
  runAnalysis,
  runArgoRelease,
  runServiceSwitchRelease,
  type KubectlPlan,
  type KubectlRunner,
  type ReleaseOutcome,
  type KubectlCommand,
  type RolloutState,
  type Slot,
} from './index.js';

/** The flags of the Kubernetes driver: where, and how long. */
export interface KubernetesTarget {
  /** --context: the kubeconfig context (kubectl's current one when absent). */
  context?: string;
  /** --namespace: overrides deploy.kubernetes.namespace. */
  namespace?: string;
}

export interface KubernetesRunOptions extends KubernetesTarget {
  /** --image: a tag of deploy.kubernetes.image or a full reference (default: the git commit). */
  image?: string;
  /** Overwrite manifests in deploy/k8s/ changed by hand. */
  force?: boolean;
  /** Abort a rollout that has not ended after this many seconds (1800 unless given). */
  timeoutSeconds?: number;
  /** service-switch: the Prometheus URL shipshape's own analysis queries (reachable from here). */
  prometheus?: string;
  /** How often the rollout's status is read (the plan's 5 s unless given). */
  pollIntervalMs?: number;
}

/** What `deploy` hands the driver: the loaded project and the run's options. */
export interface KubernetesDeployContext extends KubernetesRunOptions {
  root: string;
  spec: Spec;
  specHash: string;
  skipValidation?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: RolloutEvent) => void;
  log?: (message: string) => void;
}

/** The oldest kubectl the driver runs: the manifests use policy/v1 (PodDisruptionBudget), served from 1.21. */
export const MIN_KUBECTL = { major: 1, minor: 21 } as const;

const firstLine = (text: string): string => text.trim().split('\n')[0]?.trim() ?? '';

/** Known kubectl failures, by what kubectl says, and what the user can do about each. */
const KUBECTL_PROBLEMS: { pattern: RegExp; hint: string }[] = [
  {
    pattern: /\(Forbidden\)|is forbidden|cannot (get|list|watch|create|update|patch|delete)/i,
    hint: 'Your kubectl user lacks a permission (RBAC) in that namespace: ask for a Role that may get, create, patch and update these resources (rollouts.argoproj.io too), or use another --context.',
  },
  {
    pattern: /Unauthorized|must be logged in|credentials/i,
    hint: 'kubectl is not logged in to that cluster: renew the credentials of the context (kubectl config view), then retry.',
  },
  {
    pattern: /context ".*" does not exist|no context exists|current-context is not set/i,
    hint: '`kubectl config get-contexts` lists the contexts; pass one with --context.',
  },
  {
    pattern: /Unable to connect to the server|connection refused|i\/o timeout|no such host|dial tcp/i,
    hint: 'The cluster cannot be reached from here: check the VPN or the context (kubectl cluster-info).',
  },
  {
    pattern: /namespaces? ".*" not found/i,
    hint: 'Create the namespace first (kubectl create namespace NAME), or pass --namespace.',
  },
  {
    pattern: /doesn't have a resource type "rollout|no matches for kind "(Rollout|AnalysisTemplate)"/i,
    hint: 'Argo Rollouts is not installed in this cluster: install its controller, or set deploy.kubernetes.rollouts: service-switch.',
  },
];

/** kubectl's failure as one line, exit 2: the command (up to its first flag), kubectl's own words, and what to do. */
export function kubectlError(error: ExternalError): UserError {
  const words = error.command.split(' ');
  const flag = words.findIndex((word, i) => i > 0 && word.startsWith('-'));
  const command = words.slice(0, flag === -1 ? 5 : Math.min(flag, 5)).join(' ');
  const output = error.output.trim();
  const known = KUBECTL_PROBLEMS.find((problem) => problem.pattern.test(output));
  return new UserError(`${command} failed: ${firstLine(output) || 'no output'}`, {
    hint: known?.hint ?? 'kubectl’s own words are above; `deploy --driver kubernetes --dry-run` prints every command the driver runs.',
    cause: error,
  });
}

/** Runs `work`, turning kubectl's failures into one-line user errors (exit 2). */
async function asUserError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof ExternalError ? kubectlError(error) : error;
  }
}

/**
 * Checks kubectl before anything touches the cluster: present on PATH, at least MIN_KUBECTL, and
 * (argo) with the Argo Rollouts plugin, without which a failing rollout could not be aborted.
 * Returns kubectl's version. Every failure is a UserError (exit 2).
 */
export async function checkKubectl(run: KubectlRunner, mode: KubectlPlan['mode']): Promise<string> {
  const result = await run(['version', '--client', '-o', 'json']);
  if (result.exitCode !== 0)
    throw new UserError(`kubectl version --client failed: ${firstLine(result.stderr || result.stdout) || `exit ${result.exitCode}`}`, {
      hint: 'Is kubectl on PATH the real kubectl? Install it from https://kubernetes.io/docs/tasks/tools/.',
    });
  let client: { major?: unknown; minor?: unknown; gitVersion?: unknown } | undefined;
  try {
    client = (JSON.parse(result.stdout) as { clientVersion?: typeof client }).clientVersion;
  } catch {
    client = undefined;
  }
  const major = Number.parseInt(String(client?.major ?? ''), 10);
  const minor = Number.parseInt(String(client?.minor ?? ''), 10);
  const version = typeof client?.gitVersion === 'string' ? client.gitVersion : `v${major}.${minor}`;
  if (!Number.isFinite(major) || !Number.isFinite(minor))
    throw new UserError(`kubectl did not say its version: ${firstLine(result.stdout) || 'no output'}`, {
      hint: `The Kubernetes driver needs kubectl ${MIN_KUBECTL.major}.${MIN_KUBECTL.minor} or later (kubectl version --client -o json).`,
    });
  if (major < MIN_KUBECTL.major || (major === MIN_KUBECTL.major && minor < MIN_KUBECTL.minor))
    throw new UserError(`kubectl ${version} is too old: the Kubernetes driver needs ${MIN_KUBECTL.major}.${MIN_KUBECTL.minor} or later`, {
      hint: 'Install a current kubectl (https://kubernetes.io/docs/tasks/tools/), within one minor version of the cluster.',
    });
  if (mode === 'argo') {
    const plugin = await run(['argo', 'rollouts', 'version']);
    if (plugin.exitCode !== 0)
      throw new UserError(
        `the Argo Rollouts kubectl plugin is missing: kubectl argo rollouts version failed: ${firstLine(plugin.stderr || plugin.stdout)}`,
        {
          hint: 'Install kubectl-argo-rollouts (https://argo-rollouts.readthedocs.io/en/stable/installation/#kubectl-plugin-installation): shipshape aborts and undoes rollouts with it.',
        },
      );
  }
  return version;
}

/** Runs one command of the plan; kubectl's failure becomes a one-line UserError. */
async function runOne(run: KubectlRunner, command: KubectlCommand, signal?: AbortSignal): Promise<void> {
  const result = await run(command.args, signal ? { signal } : {});
  if (result.exitCode !== 0 && !signal?.aborted)
    throw kubectlError(new ExternalError(formatCommand(command), result.stderr || result.stdout || `exit ${result.exitCode}`));
}

const newId = () => `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Takes the lock after clearing a stale one. A Kubernetes rollout whose deploy process died goes
 * on in the cluster: its record is settled from the cluster by `deploy status`, not here.
 */
async function lock(root: string, id: string): Promise<Lock> {
  await clearStaleLock(root);
  return acquireLock(root, id);
}

/**
 * Turns the Rollout's states into the controller's events and the record's steps: a `step` event
 * when a canary reaches the next of the spec's steps, a line when the phase or an analysis run
 * changes.
 */
function rolloutFollower(spec: Spec, record: Deployment, emit: (event: RolloutEvent) => void, log: (line: string) => void) {
  const specSteps = spec.deploy?.steps ?? [];
  // The Rollout's steps are the spec's, flattened: setWeight, then a pause when the step has one.
  const specStepOf = specSteps.flatMap((step, i) => (step.pauseSeconds ? [i, i] : [i]));
  const canary = spec.deploy?.strategy === 'canary';
  const steps: StepRecord[] = [];
  let lastLine = '';
  const runs = new Map<string, string>();
  const closeStep = (verdict: StepRecord['verdict']) => {
    const current = steps.at(-1);
    if (current && !current.finishedAt) Object.assign(current, { finishedAt: iso(Date.now()), verdict });
  };
  return {
    steps,
    closeStep,
    onUpdate(state: RolloutState) {
      if (canary && state.observed && state.currentStepIndex !== undefined) {
        const index = specStepOf[Math.min(state.currentStepIndex, specStepOf.length - 1)];
        if (index !== undefined && steps.at(-1)?.index !== index && state.currentStepIndex < specStepOf.length) {
          closeStep('pass');
          if (steps.length > 0) emit({ type: 'step-done', index: steps.at(-1)!.index, verdict: 'pass' });
          const weight = specSteps[index]!.weight;
          steps.push({ index, weight, startedAt: iso(Date.now()), analyses: [] });
          record.steps = steps;
          emit({ type: 'step', index, count: specSteps.length, weight });
        }
      }
      const line = `rollout ${state.phase}${state.currentStepIndex === undefined || !canary ? '' : ` at step ${state.currentStepIndex}/${state.steps ?? '?'}`}${state.message ? `: ${state.message}` : ''}`;
      if (line !== lastLine) log(line);
      lastLine = line;
      for (const run of state.analysisRuns) {
        const seen = `${run.status}${run.message ?? ''}`;
        if (runs.get(run.name) === seen) continue;
        runs.set(run.name, seen);
        log(`analysis run ${run.name} (${run.role}): ${run.status}${run.message ? `: ${run.message}` : ''}`);
      }
    },
  };
}

/**
 * `deploy --driver kubernetes`: checks kubectl, writes deploy/k8s/, applies it and follows the
 * rollout to promoted or rolled back (abort on a failed or inconclusive analysis, a degraded
 * rollout, the timeout, Ctrl-C). kubectl failures are UserErrors (exit 2), recorded as failed.
 */
export async function deployKubernetes(context: KubernetesDeployContext): Promise<{ record: Deployment; interrupted: boolean }> {
  const { spec, root, signal } = context;
  const deploy = spec.deploy;
  if (!deploy?.kubernetes)
    throw new UserError('the spec has no deploy.kubernetes section: the Kubernetes driver needs its namespace, image and replicas', {
      hint: 'Add deploy.kubernetes { namespace, image, replicas, rollouts } (see examples/support-triage.yaml), or deploy with --driver local.',
    });
  const mode = deploy.kubernetes.rollouts;
  if (mode === 'service-switch' && !context.prometheus)
    throw new UserError('rollouts: service-switch runs shipshape’s own analysis, which needs a Prometheus it can query', {
      hint: 'Pass --prometheus URL (e.g. after kubectl port-forward -n monitoring svc/prometheus-operated 9090), or use rollouts: argo.',
    });
  const emit = context.onEvent ?? (() => {});
  const log = context.log ?? (() => {});
  const run = execaKubectl({ cwd: root });
  const target = {
    ...(context.context ? { context: context.context } : {}),
    ...(context.namespace ? { namespace: context.namespace } : {}),
  };

  const kubectlVersion = await checkKubectl(run, mode);
  log(`kubectl ${kubectlVersion}${context.context ? `, context ${context.context}` : ''}`);
  const id = newId();
  const held = await lock(root, id);
  let record: Deployment | undefined;
  const save = (r: Deployment) => saveDeployment(root, r);
  try {
    const read = await readHistory(root);
    if ('error' in read) throw new UserError(`.shipshape/deployments.json ${read.error}`, { hint: 'Fix or move the file aside.' });
    const serving = servingVersion(read.records);
    let liveSlot: Slot | undefined;
    if (mode === 'service-switch') {
      const names = renderManifests(spec, { image: deploy.kubernetes.image, version: 'live', ...target }).names;
      liveSlot = await asUserError(() =>
        readLiveSlot(liveSlotCommand(names.service, context.namespace ?? deploy.kubernetes!.namespace, target), run),
      );
    }
    // The same writer as --dry-run: what is applied is what deploy/k8s/ holds, and hand edits are refused without --force.
    const written = await kubernetesDryRun({
      root,
      spec,
      ...(context.image ? { image: context.image } : {}),
      ...target,
      ...(context.force ? { force: true } : {}),
      ...(liveSlot ? { liveSlot } : {}),
      ...(context.prometheus ? { prometheusAddress: context.prometheus } : {}),
      ...(deploy.analysis?.minRequests === undefined ? {} : { minRequests: deploy.analysis.minRequests }),
    });
    for (const file of written.files) if (file.action !== 'unchanged') log(`${file.action} ${file.path}`);
    const plan: KubectlPlan = { ...written.plan, ...(context.pollIntervalMs ? { pollIntervalMs: context.pollIntervalMs } : {}) };
    const started = Date.now();
    record = {
      id,
      kind: 'rollout',
      specHash: context.specHash,
      status: 'in-progress',
      startedAt: iso(started),
      strategy: deploy.strategy,
      driver: 'kubernetes',
      pid: process.pid,
      version: written.version,
      location: written.image,
      ...(serving?.version ? { previousVersion: serving.version } : {}),
      ...(context.skipValidation ? { skippedValidation: true } : {}),
    };
    await save(record);
    log(`deploying ${written.image} to namespace ${written.namespace} (${mode}, ${written.strategy})`);

    if (signal?.aborted) {
      // Ctrl-C before apply: the cluster was not touched, so there is nothing to abort.
      record = {
        ...record,
        status: 'rolled-back',
        finishedAt: iso(Date.now()),
        reason: 'interrupted (Ctrl-C) before anything was applied',
      };
      await save(record);
      return { record, interrupted: true };
    }
    let outcome: ReleaseOutcome;
    const follower = rolloutFollower(spec, record, emit, log);
    if (mode === 'argo') {
      outcome = await asUserError(() =>
        runArgoRelease(plan, run, {
          ...(signal ? { signal } : {}),
          timeoutMs: (context.timeoutSeconds ?? 1800) * 1000,
          onUpdate: follower.onUpdate,
          onPollFailure: (problem, inARow) => log(`reading the rollout failed (${inARow} in a row): ${firstLine(problem)}`),
        }),
      );
    } else {
      const limits = analysisLimits(deploy);
      emit({ type: 'step', index: 0, count: 1, weight: 100 });
      outcome = await asUserError(() =>
        runServiceSwitchRelease(
          plan,
          run,
          async (abort) => {
            log(`analysis against ${context.prometheus}: ${limits.count} measurements, ${limits.intervalSeconds} s apart`);
            try {
              const result = await runAnalysis(written.queries, {
                address: context.prometheus!,
                ...limits,
                ...(abort ? { signal: abort } : {}),
                onMeasurement: (query, values, measurement) => log(`${query.name}: ${values.join(', ') || 'no data'} (${measurement})`),
              });
              return { verdict: result.verdict, ...(result.reason ? { reason: result.reason } : {}) };
            } catch (error) {
              // Prometheus unreachable: no data, never a pass.
              const why = error instanceof ExternalError ? `${error.message}: ${firstLine(error.output)}` : (error as Error).message;
              return { verdict: 'inconclusive', reason: `the analysis could not query Prometheus (${why})` };
            }
          },
          signal ? { signal } : {},
        ),
      );
    }
    const status = outcome.status;
    follower.closeStep(status === 'promoted' ? 'pass' : 'fail');
    const reason = outcome.interrupted
      ? `interrupted (Ctrl-C): ${status === 'rolled-back' ? 'aborted, traffic back on the stable version' : `the abort failed: ${outcome.reason ?? ''}`}`
      : outcome.reason;
    // Argo promoted or aborted already; the view hears why it rolled back.
    if (status !== 'promoted') emit({ type: 'rolling-back', reason: reason ?? status });
    record = {
      ...record,
      status,
      finishedAt: iso(Date.now()),
      ...(reason ? { reason } : {}),
      ...(follower.steps.length ? { steps: follower.steps } : {}),
      timings: { rolloutSeconds: (Date.now() - started) / 1000 },
    };
    await save(record);
    emit({ type: 'done', status, ...(reason ? { reason } : {}) });
    return { record, interrupted: outcome.interrupted === true };
  } catch (error) {
    if (record && record.status === 'in-progress') {
      record = { ...record, status: 'failed', finishedAt: iso(Date.now()), reason: (error as Error).message };
      await save(record);
    }
    throw error;
  } finally {
    await held.release();
  }
}

/** What the cluster says, for `deploy status`. */
export interface ClusterStatus {
  mode: KubectlPlan['mode'];
  namespace: string;
  /** argo: the Rollout's state as a deployment status; undefined when there is no Rollout yet. */
  rollout?: { name: string; phase: string; message: string; status: string; reason?: string; step?: string };
  /** service-switch: the slot the Service selects; undefined before the first release. */
  liveSlot?: Slot;
}

export interface KubernetesStatus {
  running?: LockContent;
  serving?: Deployment;
  last?: Deployment;
  /** In-progress records of dead deploy processes, settled from the cluster. */
  recovered: { message: string; killed: number[] }[];
  cluster: ClusterStatus;
}

/** The plan of the release the history says serves, for reading and rolling back (nothing written). */
function planFor(spec: Spec, target: KubernetesTarget, liveSlot?: Slot): KubectlPlan {
  const manifests = renderManifests(spec, {
    image: spec.deploy!.kubernetes!.image,
    version: 'current',
    ...(target.namespace ? { namespace: target.namespace } : {}),
    ...(liveSlot ? { liveSlot } : {}),
  });
  return kubectlPlan(manifests, { dir: MANIFEST_DIR, ...target });
}

const notFound = (error: unknown) => error instanceof ExternalError && /\(NotFound\)|not found/.test(error.output);

async function readCluster(spec: Spec, target: KubernetesTarget, run: KubectlRunner): Promise<ClusterStatus> {
  const kubernetes = spec.deploy!.kubernetes!;
  const mode = kubernetes.rollouts;
  const namespace = target.namespace ?? kubernetes.namespace;
  if (mode === 'service-switch') {
    const names = renderManifests(spec, { image: kubernetes.image, version: 'current', ...target }).names;
    const liveSlot = await asUserError(() => readLiveSlot(liveSlotCommand(names.service, namespace, target), run));
    return { mode, namespace, ...(liveSlot ? { liveSlot } : {}) };
  }
  try {
    const read = await readRollout(planFor(spec, target), run);
    const { state } = read;
    return {
      mode,
      namespace,
      rollout: {
        name: state.name,
        phase: state.phase,
        message: state.message,
        status: read.status,
        ...(read.reason ? { reason: read.reason } : {}),
        ...(state.currentStepIndex === undefined || state.steps === undefined ? {} : { step: `${state.currentStepIndex}/${state.steps}` }),
      },
    };
  } catch (error) {
    if (notFound(error)) return { mode, namespace };
    throw error instanceof ExternalError ? kubectlError(error) : error;
  }
}

/**
 * `deploy status` on the Kubernetes driver: the history, and the cluster read live. A rollout
 * whose deploy process died (kill -9, a closed laptop) went on in the cluster: its record takes
 * the cluster's verdict once the rollout has ended.
 */
export async function kubernetesStatus(root: string, spec: Spec, target: KubernetesTarget): Promise<KubernetesStatus> {
  const run = execaKubectl({ cwd: root });
  await checkKubectl(run, spec.deploy?.kubernetes?.rollouts ?? 'argo');
  const cluster = await readCluster(spec, target, run);
  const held = await readLock(root);
  const running = held && held.pid > 0 && alive(held.pid) ? held : undefined;
  const read = await readHistory(root);
  if ('error' in read) throw new UserError(`.shipshape/deployments.json ${read.error}`, { hint: 'Fix or move the file aside.' });
  const recovered: KubernetesStatus['recovered'] = [];
  if (!running) {
    const orphan = read.records.findLast((r) => r.status === 'in-progress' && r.driver === 'kubernetes' && !(r.pid && alive(r.pid)));
    if (orphan && cluster.rollout && cluster.rollout.status !== 'in-progress') {
      orphan.status = cluster.rollout.status as Deployment['status'];
      orphan.finishedAt = iso(Date.now());
      orphan.reason = `the deploy process died while following the rollout; the cluster carried on: ${cluster.rollout.status}${cluster.rollout.reason ? ` (${cluster.rollout.reason})` : ''}`;
      recovered.push({ message: `deployment ${orphan.id ?? '?'} of ${orphan.version ?? '?'}: ${orphan.reason}`, killed: [] });
      await writeHistory(root, read.records);
    } else if (orphan) {
      recovered.push({
        message: `deployment ${orphan.id ?? '?'} of ${orphan.version ?? '?'}: its deploy process is gone; the rollout is still ${cluster.rollout?.phase ?? 'unknown'} in the cluster (deploy rollback aborts it)`,
        killed: [],
      });
    }
  }
  const serving = servingVersion(read.records);
  const last = read.records.at(-1);
  return { ...(running ? { running } : {}), ...(serving ? { serving } : {}), ...(last ? { last } : {}), recovered, cluster };
}

export interface KubernetesRollbackContext extends KubernetesTarget {
  root: string;
  spec: Spec;
  timeoutSeconds?: number;
  pollIntervalMs?: number;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/**
 * `deploy rollback` on the Kubernetes driver. argo: a rollout in progress is aborted (traffic back
 * on the stable version); a promoted one is undone (`kubectl argo rollouts undo`: the previous
 * revision rolls out again, followed to its end). service-switch: the Service goes back to the
 * other slot once its pods are ready. Recorded as a rollback in the history.
 */
export async function kubernetesRollback(context: KubernetesRollbackContext): Promise<{ record: Deployment; interrupted: boolean }> {
  const { root, spec, signal } = context;
  const kubernetes = spec.deploy?.kubernetes;
  if (!kubernetes)
    throw new UserError('the spec has no deploy.kubernetes section, so there is no rollout to roll back', {
      hint: 'Add deploy.kubernetes, or roll back with the driver that deployed.',
    });
  const log = context.log ?? (() => {});
  const target = {
    ...(context.context ? { context: context.context } : {}),
    ...(context.namespace ? { namespace: context.namespace } : {}),
  };
  const run = execaKubectl({ cwd: root });
  await checkKubectl(run, kubernetes.rollouts);
  const id = newId();
  const held = await lock(root, id);
  let record: Deployment | undefined;
  try {
    const read = await readHistory(root);
    if ('error' in read) throw new UserError(`.shipshape/deployments.json ${read.error}`, { hint: 'Fix or move the file aside.' });
    const serving = servingVersion(read.records);
    const previous = serving
      ? read.records
          .slice(0, read.records.indexOf(serving))
          .reverse()
          .find((r) => servingVersion([r]) === r && r.version !== serving.version)
      : undefined;
    const cluster = await readCluster(spec, target, run);
    const started = Date.now();
    const base = {
      id,
      kind: 'rollback' as const,
      status: 'in-progress' as const,
      startedAt: iso(started),
      driver: 'kubernetes',
      pid: process.pid,
    };
    let outcome: ReleaseOutcome;
    if (cluster.mode === 'argo') {
      const plan: KubectlPlan = { ...planFor(spec, target), ...(context.pollIntervalMs ? { pollIntervalMs: context.pollIntervalMs } : {}) };
      if (!cluster.rollout)
        throw new UserError(`there is no Rollout ${plan.undo.args[3] ?? ''} in namespace ${cluster.namespace}: nothing to roll back`, {
          hint: 'Check --context and --namespace; deploy status shows what the cluster runs.',
        });
      if (cluster.rollout.status === 'rolled-back')
        throw new UserError(
          `the last rollout was already aborted, so the stable version${serving?.version ? ` (${serving.version})` : ''} still serves: undo would only restore it`,
          {
            hint: previous?.location
              ? `To go back further, deploy the older image: shipshape deploy --driver kubernetes --image ${previous.location}`
              : 'To go back further, deploy an older image with deploy --driver kubernetes --image.',
          },
        );
      if (cluster.rollout.status !== 'promoted') {
        // A rollout in progress (or stuck): abort it, traffic back on stable.
        record = {
          ...base,
          specHash: serving?.specHash ?? '',
          ...(serving?.version ? { version: serving.version } : {}),
          ...(serving?.location ? { location: serving.location } : {}),
        };
        await saveDeployment(root, record);
        log(`the rollout is ${cluster.rollout.phase}: aborting it`);
        await runOne(run, plan.abort);
        outcome = { status: 'rolled-back', reason: 'aborted the rollout in progress: traffic back on the stable version', commands: [] };
      } else {
        if (!serving || !previous?.version)
          throw new UserError(`no release served before ${serving?.version ?? 'the current one'} in .shipshape/deployments.json`, {
            hint: 'A rollback needs an earlier promoted release; kubectl argo rollouts undo goes back by the cluster’s own revisions.',
          });
        record = {
          ...base,
          specHash: previous.specHash,
          version: previous.version,
          ...(previous.location ? { location: previous.location } : {}),
          previousVersion: serving.version!,
        };
        await saveDeployment(root, record);
        log(`undoing ${serving.version} back to ${previous.version}`);
        await runOne(run, plan.undo);
        const follower = rolloutFollower(spec, record, () => {}, log);
        outcome = await asUserError(() =>
          followArgoRollout(plan, run, {
            ...(signal ? { signal } : {}),
            timeoutMs: (context.timeoutSeconds ?? 1800) * 1000,
            onUpdate: follower.onUpdate,
          }),
        );
        if (outcome.status === 'promoted')
          outcome = { ...outcome, status: 'rolled-back', reason: `rolled back by hand from ${serving.version} to ${previous.version}` };
        else
          outcome = {
            ...outcome,
            status: 'failed',
            reason: `the rollback to ${previous.version} did not complete: ${outcome.reason ?? ''}`,
          };
      }
    } else {
      if (!cluster.liveSlot)
        throw new UserError(
          `the Service of ${spec.metadata.name} in namespace ${cluster.namespace} selects no slot: nothing to roll back`,
          {
            hint: 'Check --context and --namespace; deploy status shows what the cluster runs.',
          },
        );
      // Rendered with the live slot as live: its plan waits for the other slot, then switches the Service to it.
      const plan = planFor(spec, target, cluster.liveSlot);
      record = {
        ...base,
        specHash: previous?.specHash ?? '',
        ...(previous?.version ? { version: previous.version } : {}),
        ...(previous?.location ? { location: previous.location } : {}),
        ...(serving?.version ? { previousVersion: serving.version } : {}),
      };
      await saveDeployment(root, record);
      log(`switching the Service from ${cluster.liveSlot} back to the other slot`);
      await runOne(run, plan.wait, signal);
      if (signal?.aborted) throw new UserError('interrupted (Ctrl-C) before the Service was switched: nothing changed', { exitCode: 130 });
      await runOne(run, plan.promote);
      outcome = { status: 'rolled-back', reason: `the Service switched back from ${cluster.liveSlot}`, commands: [] };
    }
    record = {
      ...record,
      status: outcome.status,
      finishedAt: iso(Date.now()),
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      timings: { rollbackSeconds: (Date.now() - started) / 1000 },
    };
    await saveDeployment(root, record);
    return { record, interrupted: outcome.interrupted === true };
  } catch (error) {
    if (record && record.status === 'in-progress') {
      record = { ...record, status: 'failed', finishedAt: iso(Date.now()), reason: (error as Error).message };
      await saveDeployment(root, record);
    }
    throw error;
  } finally {
    await held.release();
  }
}
