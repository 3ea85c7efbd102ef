/**
 * The rollout controller, the same for every driver: walks `deploy.steps`, checks green's health
 * every second and runs the analysis every `analysis.intervalSeconds`, counts failed analyses
 * against `failureLimit`, and promotes or rolls back on its own. It knows time only through the
 * injected `sleep` and `now`, so its tests run on fake timers with a fake driver.
 */
import type { AnalysisCheck, AnalysisRecord, Deployment, StepRecord, Verdict } from '../state/deployments.js';
import { analyze, DEFAULT_ANALYSIS, type AnalysisSpec } from './analysis.js';
import type { DeploySpec, Driver, MetricsWindow } from './driver.js';

/** What the controller tells the user about, as it happens. */
export type RolloutEvent =
  | { type: 'step'; index: number; count: number; weight: number }
  | { type: 'analysis'; step: number; analysis: AnalysisRecord; failures: number; failureLimit: number }
  | { type: 'step-done'; index: number; verdict: Verdict }
  | { type: 'rolling-back'; reason: string }
  | { type: 'paused'; pause: Pause }
  | { type: 'promoting' }
  | { type: 'done'; status: Deployment['status']; reason?: string };

/** A rollout paused on a failed analysis (rollback.automatic: false), waiting for a decision. */
export interface Pause {
  reason: string;
  /** Where traffic waits: all on blue, or at the current step's weight (rollback.holdAt). */
  holdAt: 'blue' | 'step';
  /** The weight on green while paused. */
  weight: number;
  /** The evidence: the last analysis's checks. */
  checks: AnalysisCheck[];
}

/** How a pause ends: promote now, roll back, or no one can decide (non-interactive): roll back. */
export type Decision = 'promote' | 'rollback' | 'abort';

export interface RolloutOptions {
  deploy: DeploySpec;
  driver: Driver;
  /** The record of this deployment, status in-progress; the controller fills in its steps. */
  record: Deployment;
  /** A drill never promotes: all steps passing means the rollback did not fire, and the drill failed. */
  drill?: boolean;
  /** Ctrl-C: roll back, then report `interrupted`. */
  signal?: AbortSignal;
  /** Persists the record (after every step and at the end). */
  save?: (record: Deployment) => Promise<void>;
  onEvent?: (event: RolloutEvent) => void;
  /**
   * With rollback.automatic: false, a failed analysis pauses the rollout and waits for this; it may
   * reject when the signal aborts (Ctrl-C: rolled back). Without it, a pause is decided `abort`.
   */
  decide?: (pause: Pause) => Promise<Decision>;
  /** Milliseconds since the epoch; Date.now by default. */
  now?: () => number;
  /** Waits `ms`; rejects when the signal aborts. setTimeout by default (fake timers replace it). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** How often green's health is checked between analyses; 1000 ms by default. */
  healthEveryMs?: number;
}

export interface RolloutResult {
  record: Deployment;
  /** Ctrl-C stopped the rollout (it was rolled back). */
  interrupted: boolean;
  /** When the controller decided to roll back (ms since the epoch). */
  detectedAt?: number;
  /** When all traffic was back on blue. */
  blueAt?: number;
  /** The rollout paused on a failed analysis (rollback.automatic: false), and how the pause ended. */
  paused?: Decision;
}

class Aborted extends Error {}

/** A setTimeout that an AbortSignal cuts short: what vi.useFakeTimers drives in tests. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Aborted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Runs one rollout to its end: promoted, rolled back, or failed (a driver that threw). */
export async function runRollout(options: RolloutOptions): Promise<RolloutResult> {
  const { deploy, driver, signal } = options;
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const emit = options.onEvent ?? (() => {});
  const save = options.save ?? (async () => {});
  const analysis: AnalysisSpec = deploy.analysis ?? DEFAULT_ANALYSIS;
  const intervalMs = analysis.intervalSeconds * 1000;
  const healthEveryMs = Math.min(options.healthEveryMs ?? 1000, intervalMs);
  const steps: StepRecord[] = [];
  const record: Deployment = { ...options.record, steps };
  const started = now();
  let failures = 0;

  const finish = async (status: Deployment['status'], reason?: string, extra: Partial<RolloutResult> = {}): Promise<RolloutResult> => {
    Object.assign(record, { status, finishedAt: iso(now()), ...(reason ? { reason } : {}) });
    record.timings = { ...record.timings, rolloutSeconds: (now() - started) / 1000 };
    await save(record);
    emit({ type: 'done', status, ...(reason ? { reason } : {}) });
    return { record, interrupted: false, ...extra };
  };

  const rollBack = async (reason: string, interrupted = false): Promise<RolloutResult> => {
    const detectedAt = now();
    emit({ type: 'rolling-back', reason });
    await driver.rollback();
    const blueAt = now();
    record.timings = { ...record.timings, rollbackSeconds: (blueAt - detectedAt) / 1000 };
    const result = await finish('rolled-back', reason, { detectedAt, blueAt });
    return { ...result, interrupted };
  };

  // rollback.automatic: false pauses instead of rolling back on the analysis; a drill proves the automatic rollback, so never pauses.
  const manual = deploy.rollback?.automatic === false && !options.drill;
  const failAnalysis = async (reason: string, checks: AnalysisCheck[], weight: number): Promise<RolloutResult> => {
    if (!manual) return rollBack(reason);
    const holdAt = deploy.rollback?.holdAt ?? 'blue';
    if (holdAt === 'blue') await driver.setWeight(0);
    const pause: Pause = { reason, holdAt, weight: holdAt === 'blue' ? 0 : weight, checks };
    record.paused = { at: iso(now()), ...pause };
    await save(record);
    emit({ type: 'paused', pause });
    const decision = options.decide ? await options.decide(pause) : 'abort';
    record.paused = { ...record.paused, decision, decidedAt: iso(now()) };
    if (decision === 'promote') {
      emit({ type: 'promoting' });
      await driver.setWeight(100);
      await driver.promote();
      return { ...(await finish('promoted', `promoted by hand (deploy promote) after the rollout paused: ${reason}`)), paused: decision };
    }
    const why =
      decision === 'rollback'
        ? `${reason}; rolled back by hand (deploy rollback) after the pause`
        : `${reason}; paused for a decision (rollback.automatic: false), but none can be given without a terminal: rolled back (run with --wait to wait for deploy promote or deploy rollback)`;
    return { ...(await rollBack(why)), paused: decision };
  };

  try {
    for (const [index, step] of deploy.steps.entries()) {
      const current: StepRecord = { index, weight: step.weight, startedAt: iso(now()), analyses: [] };
      steps.push(current);
      emit({ type: 'step', index, count: deploy.steps.length, weight: step.weight });
      await driver.setWeight(step.weight);
      await save(record);

      // At least one analysis per step, however short its pause: a step is never passed unseen.
      const analyses = Math.max(1, Math.floor(((step.pauseSeconds ?? 0) * 1000) / intervalMs));
      let conclusive = false;
      for (let n = 0; n < analyses; n++) {
        for (let waited = 0; waited < intervalMs; waited += healthEveryMs) {
          await wait(Math.min(healthEveryMs, intervalMs - waited), signal);
          const health = await driver.health();
          if (!health.ok) {
            current.verdict = 'fail';
            current.finishedAt = iso(now());
            return await rollBack(health.reason);
          }
        }
        const window: MetricsWindow = await driver.metrics();
        const { verdict, checks } = analyze(window.green, analysis);
        const entry: AnalysisRecord = {
          at: iso(now()),
          verdict,
          green: window.green,
          ...(window.blue ? { blue: window.blue } : {}),
          checks,
        };
        current.analyses.push(entry);
        if (verdict === 'fail') failures++;
        if (verdict === 'pass') conclusive = true;
        emit({ type: 'analysis', step: index, analysis: entry, failures, failureLimit: analysis.failureLimit });
        if (failures > analysis.failureLimit) {
          current.verdict = 'fail';
          current.finishedAt = iso(now());
          const failed = checks.filter((c) => c.verdict === 'fail').map((c) => `${c.metric} ${c.detail ?? ''}`.trim());
          return await failAnalysis(
            `${failures} failed analyses, over the limit of ${analysis.failureLimit} (${failed.join('; ')})`,
            checks,
            step.weight,
          );
        }
      }
      current.finishedAt = iso(now());
      if (!conclusive) {
        current.verdict = 'inconclusive';
        const last = current.analyses[current.analyses.length - 1];
        const why = last?.checks.find((c) => c.verdict !== 'pass')?.detail ?? 'no conclusive analysis';
        return await failAnalysis(
          `step ${index + 1} (weight ${step.weight}%) ended without a conclusive analysis: ${why}`,
          last?.checks ?? [],
          step.weight,
        );
      }
      current.verdict = 'pass';
      emit({ type: 'step-done', index, verdict: 'pass' });
      await save(record);
    }
    if (options.drill) {
      await driver.rollback();
      return await finish('failed', 'drill failed: every analysis passed, so the automatic rollback never fired');
    }
    emit({ type: 'promoting' });
    await driver.promote();
    return await finish('promoted');
  } catch (error) {
    if (error instanceof Aborted) return rollBack('interrupted (Ctrl-C): rolled back', true);
    // A driver that threw mid-rollout: traffic back on blue if it can be, and say why.
    const reason = `the ${driver.kind} driver failed: ${(error as Error).message}`;
    await driver.rollback().catch(() => {});
    return finish('failed', reason);
  }
}
