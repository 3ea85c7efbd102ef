/**
 * Defaults for the sections a spec does not have yet, derived from the ones it has: the SLO
 * sets the timeouts and the alert thresholds, the expected load sizes the breaker and the
 * bulkhead, the failure modes decide the scenarios and the drift check. A value the user set is
 * never replaced: every edit is `onlyIfAbsent`, made at the highest level that is absent, so a
 * partly filled section gets only its missing keys.
 */
import type { FailureMode, FailureModeKind, PatternId, Resilience, Scenario, Spec, Tier } from '../spec/schema.js';
import { ONCALL_PLACEHOLDER } from '../spec/placeholder.js';
import { latencyBudget } from './budget.js';
import { DEFAULT_STATIC_ANSWER, defaultStaticAnswer, fallbackGap } from './fallback.js';

/** The shape of `src/spec/edit.ts`'s SpecEdit: a value set at a path, unless one is there. */
export interface DesignEdit {
  path: (string | number)[];
  value: unknown;
  onlyIfAbsent?: boolean;
}

type Models = NonNullable<Spec['models']>;
type Deploy = NonNullable<Spec['deploy']>;
type Monitoring = NonNullable<Spec['monitoring']>;
type AnalysisMetric = NonNullable<Deploy['analysis']>['metrics'][number];

/** The request deadline is a round number: a multiple of this, in milliseconds. */
export const TIMEOUT_STEP_MS = 50;
/** A scenario runs on the developer's machine: its load is capped. */
export const LOCAL_MAX_RPS = 50;
export const SCENARIO_SECONDS = 15;
/** Used to size the breaker, the bulkhead and the scenarios when business.expectedLoad is absent. */
export const ASSUMED_PEAK_RPS = 10;
const ANALYSIS_ERROR_RATE = { min: 0.1, max: 5 };

/**
 * The models of a spec that has none (`init --models none`, "decide later"): one in-process tier,
 * which needs no endpoint, key or money, so the generated service runs and passes its tests
 * until the user picks real models.
 */
export const DEFAULT_MODELS: Models = {
  tiers: [{ name: 'local', kind: 'local', model: 'keyword-router-v1', timeoutMs: 50, costPerRequestUsd: 0 }],
  routing: { strategy: 'single' },
};

export const DEFAULT_RETRY = { maxAttempts: 2, backoff: 'exponential', initialDelayMs: 100, maxDelayMs: 400 } as const;

/** Kinds of failure a scenario can prove (bad-deploy, data-drift and cost-overrun are proven elsewhere). */
export const SCENARIO_KINDS: readonly FailureModeKind[] = ['upstream-failure', 'latency-spike', 'bad-output', 'traffic-surge'];

export interface Defaults {
  /** The spec with every default filled in where it had nothing. */
  spec: Spec;
  edits: DesignEdit[];
  /** Things the user should know about the defaults (assumptions, budgets that do not fit). */
  notes: string[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `wanted` with the user's values over it, recursively through objects; arrays and scalars are the user's when set. */
export function fillAbsent<T>(current: unknown, wanted: T): T {
  if (current === undefined) return wanted;
  if (isObject(current) && isObject(wanted)) {
    const out: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(wanted)) out[key] = fillAbsent(current[key], value);
    return out as T;
  }
  return current as T;
}

/** The edits that turn `current` into `fillAbsent(current, wanted)`: one per highest absent key. */
export function absentEdits(current: unknown, wanted: unknown, path: (string | number)[]): DesignEdit[] {
  if (current === undefined) return wanted === undefined ? [] : [{ path, value: wanted, onlyIfAbsent: true }];
  if (!isObject(current) || !isObject(wanted)) return [];
  return Object.entries(wanted).flatMap(([key, value]) => absentEdits(current[key], value, [...path, key]));
}

const roundTo = (value: number, digits: number) => Number(value.toFixed(digits));
const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

function peakRps(spec: Spec): number {
  return spec.business.expectedLoad?.peakRps ?? ASSUMED_PEAK_RPS;
}

/** The deadline: the largest multiple of 50 ms within p99. */
export function requestDeadline(p99Ms: number): number {
  return p99Ms >= TIMEOUT_STEP_MS ? Math.floor(p99Ms / TIMEOUT_STEP_MS) * TIMEOUT_STEP_MS : p99Ms;
}

/**
 * The fallback: lower-tier when there is a tier to fall to, else static; and a static answer
 * whenever the chain would otherwise have nothing to give (a fallback that cannot answer is no
 * fallback: see fallback.ts).
 */
function fallbackDefaults(spec: Spec, timeoutMs: number, notes: string[]): NonNullable<Resilience['fallback']> {
  const tiers = spec.models?.tiers ?? [];
  const wanted: NonNullable<Resilience['fallback']> = { strategy: tiers.length >= 2 ? 'lower-tier' : 'static' };
  const fallback = fillAbsent(spec.resilience?.fallback, wanted);
  if (fallbackGap({ ...spec, resilience: { timeoutMs, fallback } }) === undefined || fallback.static !== undefined) return fallback;
  const answer = defaultStaticAnswer(spec);
  if (answer === undefined) {
    notes.push(
      `resilience.fallback.static is yours to write: an object valid against ${spec.task?.extract?.schema ?? 'the task schema'}, which the service returns when no tier can (every field unknown, for a person to fill in).`,
    );
    return fallback;
  }
  notes.push(
    spec.task?.kind === 'rag'
      ? 'resilience.fallback.static answers with no citations when no tier can (the service marks it degraded): make its answer say where a person can help.'
      : `resilience.fallback.static answers "${DEFAULT_STATIC_ANSWER.label}" when no tier can: make it the safe answer of your service (a queue a person watches, a reply that says so).`,
  );
  return { ...fallback, static: answer };
}

/** The resilience section; a part whose pattern the user declined is left out (and the user's own never touched). */
function resilienceDefaults(spec: Spec, declined: ReadonlySet<PatternId>, notes: string[]): Resilience {
  const user = spec.resilience;
  const chosen = new Set((spec.architecture?.patterns ?? []).map((entry) => entry.pattern));
  // Declined, and no chosen pattern configures the same part.
  const without = (...patterns: PatternId[]) => patterns.some((p) => declined.has(p)) && !patterns.some((p) => chosen.has(p));
  const rps = peakRps(spec);
  const p99Ms = spec.slo.latency.p99Ms;
  const timeoutMs = user?.timeoutMs ?? requestDeadline(p99Ms);
  const fallback = without('graceful-degradation') ? user?.fallback : fallbackDefaults(spec, timeoutMs, notes);

  let retry: NonNullable<Resilience['retry']> | undefined = without('retry-with-backoff')
    ? user?.retry
    : fillAbsent(user?.retry, { ...DEFAULT_RETRY });
  const budgetWith = (candidate: Resilience['retry']) =>
    latencyBudget({ ...spec, resilience: { timeoutMs, ...(candidate ? { retry: candidate } : {}), ...(fallback ? { fallback } : {}) } })
      .worstCaseMs;
  const fits = (candidate: NonNullable<Resilience['retry']>) => budgetWith(candidate) <= timeoutMs;
  if (retry && user?.retry?.maxAttempts === undefined && !fits(retry)) {
    retry = { ...retry, maxAttempts: 1 };
    notes.push(
      `resilience.retry.maxAttempts is 1: with ${DEFAULT_RETRY.maxAttempts} attempts the worst case would not fit the ${timeoutMs} ms deadline.`,
    );
  }
  const worst = budgetWith(retry);
  if (worst > timeoutMs) {
    notes.push(`The worst case (${worst} ms) does not fit the ${timeoutMs} ms deadline even so: lower a tier's timeoutMs.`);
  }

  const windowSeconds = user?.circuitBreaker?.windowSeconds ?? 30;
  const circuitBreaker: Resilience['circuitBreaker'] = without('circuit-breaker')
    ? user?.circuitBreaker
    : {
        failureRateThreshold: 0.5,
        // Enough calls in the window that one unlucky second does not open it, few enough to open fast.
        minimumRequests: clamp(Math.round((rps * windowSeconds) / 20), 10, 100),
        windowSeconds,
        halfOpenAfterSeconds: 15,
      };
  // Little's law with headroom: requests in flight at peak when each takes up to p99.
  const maxConcurrent = user?.bulkhead?.maxConcurrent ?? Math.ceil(rps * (p99Ms / 1000) * 2);
  const bulkhead = without('bulkhead', 'load-shedding') ? user?.bulkhead : { maxConcurrent, maxQueue: maxConcurrent * 2 };
  return {
    timeoutMs,
    ...(retry ? { retry } : {}),
    ...(circuitBreaker ? { circuitBreaker } : {}),
    ...(bulkhead ? { bulkhead } : {}),
    ...(fallback ? { fallback } : {}),
  };
}

/** The tier a fault is injected into: the first remote one (faults go through the proxy in front of it). */
export function faultTarget(spec: Spec): Tier | undefined {
  const tiers = spec.models?.tiers ?? [];
  return tiers.find((tier) => tier.kind === 'http') ?? tiers[tiers.length - 1];
}

/** The share of requests that reach a tier: every one for the first, the escalated share for later cascade tiers. */
function reach(spec: Spec, tier: Tier): number {
  const tiers = spec.models?.tiers ?? [];
  const index = tiers.indexOf(tier);
  const strategy = spec.models?.routing?.strategy ?? (tiers.length > 1 ? 'cascade' : 'single');
  if (index <= 0) return 1;
  if (strategy === 'cascade') return (spec.models?.routing?.expectedEscalationRate ?? 1) ** index;
  return 0;
}

function scenarioFor(spec: Spec, mode: FailureMode, id: string): Scenario | undefined {
  const { availability, latency } = spec.slo;
  const rps = Math.min(peakRps(spec), LOCAL_MAX_RPS);
  const load = { rps, durationSeconds: SCENARIO_SECONDS };
  const target = faultTarget(spec);
  if (mode.kind === 'traffic-surge') {
    return {
      id,
      failureMode: mode.id,
      load: { rps: Math.min(peakRps(spec) * 2, LOCAL_MAX_RPS), durationSeconds: SCENARIO_SECONDS },
      expect: { availability: { min: availability }, p99Ms: { max: latency.p99Ms } },
    };
  }
  if (!target) return undefined;
  if (mode.kind === 'upstream-failure') {
    const expect: Scenario['expect'] = { availability: { min: availability }, p95Ms: { max: latency.p95Ms } };
    const breaker = spec.resilience?.circuitBreaker;
    if (breaker) {
      // The breaker opens once it has seen minimumRequests failed calls: the time to get them, plus a second.
      const attempts = target.kind === 'http' ? (spec.resilience?.retry?.maxAttempts ?? 1) : 1;
      const callsPerSecond = rps * reach(spec, target) * attempts;
      const seconds = callsPerSecond > 0 ? Math.max(5, Math.ceil(breaker.minimumRequests / callsPerSecond) + 1) : SCENARIO_SECONDS;
      expect.breakerOpensWithinSeconds = seconds;
      // Leave the breaker time to open and the fallback time to show.
      load.durationSeconds = Math.max(SCENARIO_SECONDS, seconds + 10);
    }
    return { id, failureMode: mode.id, fault: { target: target.name, type: 'error', status: 503, rate: 1 }, load, expect };
  }
  if (mode.kind === 'latency-spike') {
    return {
      id,
      failureMode: mode.id,
      fault: { target: target.name, type: 'latency', delayMs: target.timeoutMs * 2, rate: 0.5 },
      load,
      expect: { availability: { min: availability }, p99Ms: { max: latency.p99Ms } },
    };
  }
  if (mode.kind === 'bad-output') {
    return {
      id,
      failureMode: mode.id,
      fault: { target: target.name, type: 'malformed', rate: 0.3 },
      load,
      expect: { availability: { min: availability }, p95Ms: { max: latency.p95Ms } },
    };
  }
  return undefined;
}

/** One scenario per failure mode that needs one and has none, with an id not taken yet. */
function newScenarios(spec: Spec, notes: string[]): Scenario[] {
  const existing = spec.scenarios ?? [];
  const taken = new Set(existing.map((scenario) => scenario.id));
  const out: Scenario[] = [];
  for (const mode of spec.failureModes ?? []) {
    if (!SCENARIO_KINDS.includes(mode.kind) || existing.some((scenario) => scenario.failureMode === mode.id)) continue;
    let id = mode.id;
    for (let n = 2; taken.has(id); n++) id = `${mode.id}-${n}`;
    const scenario = scenarioFor(spec, mode, id);
    if (!scenario) {
      notes.push(`No scenario for ${mode.id}: there is no model tier to inject a ${mode.kind} fault into.`);
      continue;
    }
    taken.add(id);
    out.push(scenario);
  }
  return out;
}

/** The analysis error-rate limit: ten times the SLO's error budget, clamped. */
export function errorRateLimit(availability: number): number {
  return roundTo(clamp((100 - availability) * 10, ANALYSIS_ERROR_RATE.min, ANALYSIS_ERROR_RATE.max), 2);
}

function businessAnalysisMetric(spec: Spec): AnalysisMetric {
  const criterion = (spec.business.successCriteria ?? []).find((c) => c.min !== undefined || c.max !== undefined);
  if (criterion) {
    return {
      name: 'business',
      metric: criterion.metric,
      ...(criterion.min === undefined ? {} : { min: criterion.min }),
      ...(criterion.max === undefined ? {} : { max: criterion.max }),
    };
  }
  // No criterion with a threshold: at least never fall behind the baseline.
  const { metric } = spec.business;
  return {
    name: 'business',
    metric: metric.name,
    ...(metric.direction === 'increase' ? { min: metric.baseline } : { max: metric.baseline }),
  };
}

function deployDefaults(spec: Spec, declined: ReadonlySet<PatternId>): Deploy {
  const patterns = new Set((spec.architecture?.patterns ?? []).map((entry) => entry.pattern));
  return {
    strategy: patterns.has('canary') && !patterns.has('blue-green') ? 'canary' : 'blue-green',
    driver: 'local',
    steps: [{ weight: 10, pauseSeconds: 60 }, { weight: 50, pauseSeconds: 120 }, { weight: 100 }],
    analysis: {
      intervalSeconds: 10,
      failureLimit: 2,
      metrics: [
        { name: 'error-rate-percent', max: errorRateLimit(spec.slo.availability) },
        { name: 'p95-latency-ms', max: spec.slo.latency.p95Ms },
        businessAnalysisMetric(spec),
      ],
    },
    // Declining automated-rollback leaves the rollback to a person.
    rollback: { automatic: !declined.has('automated-rollback'), scaleDownDelaySeconds: 30 },
  };
}

function monitoringDefaults(spec: Spec, declined: ReadonlySet<PatternId>): Monitoring {
  const drifts = (spec.failureModes ?? []).some((mode) => mode.kind === 'data-drift') && !declined.has('drift-monitoring');
  return {
    alerts: { burnRate: true, errorRatePercent: errorRateLimit(spec.slo.availability), p95LatencyMs: spec.slo.latency.p95Ms },
    ...(drifts ? { drift: { features: ['input_chars'], method: 'psi' as const, threshold: 0.2 } } : {}),
    ...(declined.has('prediction-logging') ? {} : { predictionLogging: { sampleRate: 0.1 } }),
  };
}

/**
 * The defaults for every later section, as the filled-in spec and the edits that make it. Each
 * section is derived from the spec as filled so far, so the scenarios see the breaker they test.
 * A pattern the user `declined` (recommended, not taken) writes nothing: no breaker, no breaker
 * scenario, no retry, and so on; the parts every service needs (the request deadline, a deploy
 * strategy) stay, and the ADR lists them as configured.
 */
export function planDefaults(spec: Spec, declined: readonly PatternId[] = []): Defaults {
  const notes: string[] = [];
  const edits: DesignEdit[] = [];
  const refused = new Set(declined);
  if (!spec.business.expectedLoad) {
    notes.push(
      `business.expectedLoad is not set: the breaker, bulkhead and scenarios assume a peak of ${ASSUMED_PEAK_RPS} requests per second.`,
    );
  }
  let filled: Spec = spec;
  const fill = <K extends 'models' | 'resilience' | 'deploy' | 'monitoring' | 'handoff' | 'review'>(
    key: K,
    wanted: NonNullable<Spec[K]>,
  ) => {
    edits.push(...absentEdits(filled[key], wanted, [key]));
    filled = { ...filled, [key]: fillAbsent(filled[key], wanted) };
  };

  if (!spec.models) {
    notes.push(
      'models was not set (init --models none): design starts with one in-process tier, `local`, which needs no endpoint, key or budget, so the generated service runs as it is. Replace models.tiers when you choose your models.',
    );
    fill('models', DEFAULT_MODELS);
  }
  fill('resilience', resilienceDefaults(filled, refused, notes));
  const scenarios = newScenarios(filled, notes);
  if (scenarios.length > 0) {
    if (filled.scenarios === undefined) edits.push({ path: ['scenarios'], value: scenarios, onlyIfAbsent: true });
    else
      scenarios.forEach((scenario, k) =>
        edits.push({ path: ['scenarios', filled.scenarios!.length + k], value: scenario, onlyIfAbsent: true }),
      );
    filled = { ...filled, scenarios: [...(filled.scenarios ?? []), ...scenarios] };
  }
  fill('deploy', deployDefaults(filled, refused));
  fill('monitoring', monitoringDefaults(filled, refused));
  const { metadata } = filled;
  // Nobody chose an on-call rotation yet: a placeholder that `check` flags (invented-contacts) until someone does.
  fill('handoff', { oncall: ONCALL_PLACEHOLDER, escalation: [metadata.owner] });
  fill('review', { afterDays: 30, owner: metadata.owner });
  return { spec: filled, edits, notes };
}
