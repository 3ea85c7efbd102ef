/**
 * Runs a KubectlPlan with execa and follows an Argo Rollout to its end by polling
 * `kubectl get rollout.argoproj.io NAME -o json`. It runs the plan's commands and no others, so
 * what `--dry-run` shows is what happens. A failed analysis, an inconclusive one, a degraded
 * rollout, a timeout or an interruption ends in `abort` (traffic back on the stable version).
 */
import { execa } from 'execa';
import { ExternalError, UserError } from '../../../errors.js';
import type { KubectlCommand, KubectlPlan } from './kubectl.js';
import type { Slot } from './manifests.js';
import { SLOT_LABEL } from './manifests.js';
import { formatCommand } from './kubectl.js';

export interface KubectlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `kubectl ...args`; never throws for a non-zero exit (the caller decides). */
export type KubectlRunner = (args: readonly string[], options?: { signal?: AbortSignal }) => Promise<KubectlResult>;

/** The runner on execa: `kubectl` from PATH (or `binary`), in `cwd`, with `env` added to the environment. */
export function execaKubectl(options: { cwd: string; binary?: string; env?: NodeJS.ProcessEnv }): KubectlRunner {
  return async (args, { signal } = {}) => {
    try {
      const result = await execa(options.binary ?? 'kubectl', [...args], {
        cwd: options.cwd,
        ...(options.env ? { env: options.env } : {}),
        reject: false,
        stdin: 'ignore',
        ...(signal ? { cancelSignal: signal } : {}),
      });
      if (result.isCanceled) return { stdout: '', stderr: 'interrupted', exitCode: 130 };
      if (result.failed && result.exitCode === undefined) {
        const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
        if (code === 'ENOENT') {
          throw new UserError('kubectl is not installed (not found on PATH)', {
            hint: 'Install kubectl and the Argo Rollouts plugin, or use deploy --driver kubernetes --dry-run.',
          });
        }
        return { stdout: result.stdout, stderr: result.stderr || String(result.message), exitCode: 1 };
      }
      return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? 1 };
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new ExternalError(`kubectl ${args.join(' ')}`, String(error), { cause: error });
    }
  };
}

export type AnalysisRunPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive' | string;

/** What shipshape reads from a Rollout's JSON. */
export interface RolloutState {
  name: string;
  /** Healthy | Progressing | Paused | Degraded (Argo Rollouts' status.phase). */
  phase: string;
  message: string;
  aborted: boolean;
  /** The step in progress (canary), and how many there are. */
  currentStepIndex?: number;
  steps?: number;
  /** True once the spec the rollout was given has been seen by the controller. */
  observed: boolean;
  /** The update is complete: the new pods are the stable ones. */
  promoted: boolean;
  pauseReasons: string[];
  analysisRuns: { role: string; name: string; status: AnalysisRunPhase; message?: string }[];
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Parses `kubectl get rollout.argoproj.io NAME -o json`. Throws ExternalError on output that is not a Rollout. */
export function parseRollout(stdout: string): RolloutState {
  let data: Json;
  try {
    data = obj(JSON.parse(stdout));
  } catch (error) {
    throw new ExternalError('kubectl get rollout', `not JSON: ${stdout.slice(0, 200)}`, { cause: error });
  }
  if (data['kind'] !== 'Rollout') throw new ExternalError('kubectl get rollout', `not a Rollout: ${stdout.slice(0, 200)}`);
  const metadata = obj(data['metadata']);
  const spec = obj(data['spec']);
  const status = obj(data['status']);
  const generation = metadata['generation'];
  const observedGeneration = status['observedGeneration'];
  const observed = generation !== undefined && observedGeneration !== undefined && String(generation) === String(observedGeneration);
  const phase = str(status['phase']) ?? 'Progressing';
  const steps = obj(obj(spec['strategy'])['canary'])['steps'];
  const runs: RolloutState['analysisRuns'] = [];
  const addRun = (role: string, value: unknown) => {
    const run = obj(value);
    const name = str(run['name']);
    if (name)
      runs.push({ role, name, status: str(run['status']) ?? 'Pending', ...(str(run['message']) ? { message: str(run['message'])! } : {}) });
  };
  const canary = obj(status['canary']);
  const blueGreen = obj(status['blueGreen']);
  addRun('step', canary['currentStepAnalysisRunStatus']);
  addRun('background', canary['currentBackgroundAnalysisRunStatus']);
  addRun('pre-promotion', blueGreen['prePromotionAnalysisRunStatus']);
  addRun('post-promotion', blueGreen['postPromotionAnalysisRunStatus']);
  const currentPodHash = str(status['currentPodHash']);
  const stableRS = str(status['stableRS']);
  const aborted = status['abort'] === true;
  return {
    name: str(metadata['name']) ?? '',
    phase,
    message: str(status['message']) ?? '',
    aborted,
    ...(typeof status['currentStepIndex'] === 'number' ? { currentStepIndex: status['currentStepIndex'] } : {}),
    ...(Array.isArray(steps) ? { steps: steps.length } : {}),
    observed,
    promoted: observed && !aborted && phase === 'Healthy' && currentPodHash !== undefined && currentPodHash === stableRS,
    pauseReasons: (Array.isArray(status['pauseConditions']) ? status['pauseConditions'] : []).map((c) => str(obj(c)['reason']) ?? ''),
    analysisRuns: runs,
  };
}

export type ReleaseStatus = 'promoted' | 'rolled-back' | 'failed' | 'in-progress';

/** How a Rollout's state reads as a deployment status (what `deploy status` shows). */
export function rolloutVerdict(state: RolloutState): { status: ReleaseStatus; reason?: string } {
  if (!state.observed) return { status: 'in-progress' };
  if (state.aborted) return { status: 'rolled-back', reason: state.message || 'the rollout was aborted' };
  if (state.promoted) return { status: 'promoted' };
  const failedRun = state.analysisRuns.find((run) => run.status === 'Failed' || run.status === 'Error');
  if (state.phase === 'Degraded') return { status: 'failed', reason: state.message || failedRun?.message || 'the rollout is degraded' };
  if (failedRun)
    return {
      status: 'failed',
      reason: `analysis ${failedRun.name} ${failedRun.status}${failedRun.message ? `: ${failedRun.message}` : ''}`,
    };
  const inconclusive =
    state.pauseReasons.includes('InconclusiveAnalysisRun') || state.analysisRuns.some((run) => run.status === 'Inconclusive');
  if (inconclusive) return { status: 'failed', reason: 'analysis inconclusive: too little traffic or no data for the new version' };
  return { status: 'in-progress' };
}

export interface FollowOptions {
  signal?: AbortSignal;
  /** Gives up (and aborts) after this long: 30 minutes unless given. */
  timeoutMs?: number;
  /** Called with every state read. */
  onUpdate?: (state: RolloutState) => void;
  /** Waits between polls (tests pass a fake). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock (tests pass a fake). */
  now?: () => number;
  /** Status reads that may fail in a row (a network blip) before the rollout is aborted: 3 unless given. */
  maxPollFailures?: number;
  /** Called when a status read fails, with how many failed in a row. */
  onPollFailure?: (problem: string, inARow: number) => void;
}

export interface ReleaseOutcome {
  status: Exclude<ReleaseStatus, 'in-progress'>;
  reason?: string;
  /** The user interrupted the release (rolled back, then the command exits 130). */
  interrupted?: boolean;
  /** Every command run, in order, as `kubectl ...` lines. */
  commands: string[];
  last?: RolloutState;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Runs one command of the plan, recording it; throws ExternalError when it fails. */
async function step(run: KubectlRunner, command: KubectlCommand, log: string[], signal?: AbortSignal): Promise<KubectlResult> {
  log.push(formatCommand(command));
  const result = await run(command.args, signal ? { signal } : {});
  if (result.exitCode !== 0 && !signal?.aborted) {
    throw new ExternalError(formatCommand(command), (result.stderr || result.stdout).trim());
  }
  return result;
}

/** Aborts, reporting (never throwing) a failure of the abort itself. */
async function abortRelease(run: KubectlRunner, plan: KubectlPlan, log: string[]): Promise<string | undefined> {
  log.push(formatCommand(plan.abort));
  const result = await run(plan.abort.args);
  return result.exitCode === 0 ? undefined : (result.stderr || result.stdout).trim() || `exit ${result.exitCode}`;
}

/**
 * Applies the manifests and follows the Argo Rollout to its end: promoted, or rolled back
 * (aborted by Argo on a failed analysis, or by shipshape on an inconclusive analysis, a degraded
 * rollout, a timeout or an interruption). A failed `apply` throws ExternalError (nothing changed).
 */
export async function runArgoRelease(plan: KubectlPlan, run: KubectlRunner, options: FollowOptions = {}): Promise<ReleaseOutcome> {
  if (plan.mode !== 'argo') throw new Error('runArgoRelease needs an argo plan');
  const log: string[] = [];
  await step(run, plan.apply, log, options.signal);
  return followArgoRollout(plan, run, options, log);
}

/**
 * Follows an Argo Rollout already set in motion (by `apply`, or by `undo` for `deploy rollback`)
 * to its end, aborting it on an inconclusive analysis, a degraded rollout, a timeout, an
 * interruption, or when its status cannot be read `maxPollFailures` times in a row.
 */
export async function followArgoRollout(
  plan: KubectlPlan,
  run: KubectlRunner,
  options: FollowOptions = {},
  log: string[] = [],
): Promise<ReleaseOutcome> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? 30 * 60_000);
  const maxPollFailures = options.maxPollFailures ?? 3;
  let last: RolloutState | undefined;
  let pollFailures = 0;
  const rollBack = async (reason: string, extra: Partial<ReleaseOutcome> = {}): Promise<ReleaseOutcome> => {
    const abortError = await abortRelease(run, plan, log);
    if (abortError)
      return {
        status: 'failed',
        reason: `${reason}; the abort failed too: ${abortError}`,
        commands: log,
        ...extra,
        ...(last ? { last } : {}),
      };
    return { status: 'rolled-back', reason, commands: log, ...extra, ...(last ? { last } : {}) };
  };
  for (;;) {
    if (options.signal?.aborted) return rollBack('interrupted', { interrupted: true });
    if (now() > deadline)
      return rollBack(`timed out: the rollout had not ended after ${Math.round((options.timeoutMs ?? 1_800_000) / 1000)} s`);
    log.push(formatCommand(plan.wait));
    const result = await run(plan.wait.args, options.signal ? { signal: options.signal } : {});
    if (options.signal?.aborted) return rollBack('interrupted', { interrupted: true });
    let state: RolloutState | undefined;
    let problem: string | undefined;
    if (result.exitCode !== 0) problem = (result.stderr || result.stdout).trim() || `exit ${result.exitCode}`;
    else {
      try {
        state = parseRollout(result.stdout);
      } catch (error) {
        problem = error instanceof ExternalError ? error.output : String(error);
      }
    }
    if (!state) {
      pollFailures++;
      options.onPollFailure?.(problem ?? 'no answer', pollFailures);
      if (pollFailures >= maxPollFailures)
        return rollBack(`lost track of the rollout: ${formatCommand(plan.wait)} failed ${pollFailures} times in a row: ${problem ?? ''}`);
      await sleep(plan.pollIntervalMs, options.signal);
      continue;
    }
    pollFailures = 0;
    last = state;
    options.onUpdate?.(last);
    const verdict = rolloutVerdict(last);
    if (verdict.status === 'promoted') return { status: 'promoted', commands: log, last };
    // Argo aborted on its own (a failed analysis): traffic is already back on stable.
    if (verdict.status === 'rolled-back') return { status: 'rolled-back', reason: verdict.reason!, commands: log, last };
    if (verdict.status === 'failed') return rollBack(verdict.reason!);
    await sleep(plan.pollIntervalMs, options.signal);
  }
}

/** Reads the rollout once: `deploy status` for the Kubernetes driver. */
export async function readRollout(
  plan: KubectlPlan,
  run: KubectlRunner,
): Promise<{ state: RolloutState; status: ReleaseStatus; reason?: string }> {
  const result = await step(run, plan.wait, []);
  const state = parseRollout(result.stdout);
  return { state, ...rolloutVerdict(state) };
}

/**
 * `deploy rollback`: `abort` while a rollout is in progress (traffic back on stable), `undo`
 * once one was promoted (the previous revision rolls out again). Returns the commands run.
 */
export async function rollbackRelease(plan: KubectlPlan, run: KubectlRunner, how: 'abort' | 'undo'): Promise<string[]> {
  const log: string[] = [];
  await step(run, how === 'abort' ? plan.abort : plan.undo, log);
  return log;
}

/**
 * A service-switch release: apply, wait for the new slot's pods, run the analysis (the
 * controller's, injected), then point the Service at the new slot, or leave it where it is.
 */
export async function runServiceSwitchRelease(
  plan: KubectlPlan,
  run: KubectlRunner,
  analyze: (signal?: AbortSignal) => Promise<{ verdict: 'pass' | 'fail' | 'inconclusive'; reason?: string }>,
  options: { signal?: AbortSignal } = {},
): Promise<ReleaseOutcome> {
  if (plan.mode !== 'service-switch') throw new Error('runServiceSwitchRelease needs a service-switch plan');
  const log: string[] = [];
  await step(run, plan.apply, log, options.signal);
  const interrupted = async () => {
    const abortError = await abortRelease(run, plan, log);
    return { status: abortError ? 'failed' : 'rolled-back', reason: 'interrupted', interrupted: true, commands: log } as ReleaseOutcome;
  };
  if (options.signal?.aborted) return interrupted();
  log.push(formatCommand(plan.wait));
  const ready = await run(plan.wait.args, options.signal ? { signal: options.signal } : {});
  if (options.signal?.aborted) return interrupted();
  if (ready.exitCode !== 0) {
    const abortError = await abortRelease(run, plan, log);
    const reason = `the new version did not become ready: ${(ready.stderr || ready.stdout).trim()}`;
    return { status: abortError ? 'failed' : 'rolled-back', reason, commands: log };
  }
  const analysis = await analyze(options.signal);
  if (options.signal?.aborted) return interrupted();
  if (analysis.verdict !== 'pass') {
    const abortError = await abortRelease(run, plan, log);
    const reason = analysis.reason ?? `analysis ${analysis.verdict}`;
    return { status: abortError ? 'failed' : 'rolled-back', reason, commands: log };
  }
  await step(run, plan.promote, log);
  return { status: 'promoted', commands: log };
}

/**
 * service-switch: the slot the Service points at now, or undefined when the Service does not
 * exist yet (a first release). Throws ExternalError on any other failure of kubectl.
 */
export async function readLiveSlot(command: KubectlCommand, run: KubectlRunner): Promise<Slot | undefined> {
  const result = await run(command.args);
  if (result.exitCode !== 0) {
    if (/\(NotFound\)|not found/.test(result.stderr)) return undefined;
    throw new ExternalError(formatCommand(command), (result.stderr || result.stdout).trim());
  }
  let slot: unknown;
  try {
    slot = obj(obj(obj(JSON.parse(result.stdout))['spec'])['selector'])[SLOT_LABEL];
  } catch (error) {
    throw new ExternalError(formatCommand(command), `not JSON: ${result.stdout.slice(0, 200)}`, { cause: error });
  }
  return slot === 'blue' || slot === 'green' ? slot : undefined;
}
