// Runs a failure scenario of the spec (scenarios[]) against the real service, in process: a fake OpenAI-compatible
// upstream per http tier that fails the way the scenario says (a local tier is made to fail in process), real HTTP
// load at the scenario's rate, and the figures its expectations name, judged by the expectations shipshape validate
// judges with (./expectations.ts). Only what holds on a loaded machine is judged here: latency percentiles and "within
// N seconds" are for `shipshape validate`, and so is shedding on a lagging event loop.
//
// The scenario's story is kept, its clock is not. Its load runs in phases that end on what the service did, counted,
// rather than on seconds: before the fault (fault.after, cut to a moment), during it (long enough for the requests the
// expectations need and, when they ask for the breaker, until it has opened and some requests met it open), and after
// it (fault.for: until the breaker has closed again and some requests met it closed). On a busy machine the same
// story takes longer; on a quiet one it takes a second or two. Each phase is bounded by the scenario's own seconds
// (load.durationSeconds, fault.for), so a service that never does what is expected fails in that time.
import type { AddressInfo } from 'node:net';
import { createApp, type App } from '../../src/app.js';
import { envVariable, loadConfig, type Config } from '../../src/config/index.js';
import { spec as generatedSpec } from '../../src/config/spec.js';
import type { ScenarioSpec, ServiceSpec } from '../../src/config/types.js';
import { mulberry32, startFakeLlm, type Fault, type FakeLlm } from '../../src/dev/fake-llm.js';
import { OutputChecks } from '../../src/monitoring/checks.js';
import { createMetrics } from '../../src/monitoring/metrics.js';
import { TierError, type ModelTier } from '../../src/serving/tier.js';
import { createTaskTiers } from '../../src/task/index.js';
import { taskText } from './inputs.js';
import { judge, percentile, type Measured } from './expectations.js';
import { breakerTransitions, loadClient, pace, type Answer } from './load.js';

/**
 * The fewest requests a scenario's fault meets: its rate for SCENARIO_SECONDS, and at least SCENARIO_MIN_REQUESTS (or
 * what its rate sends in SCENARIO_MAX_SECONDS, when that is fewer). More when its breaker must open first.
 */
export const SCENARIO_SECONDS = Number(process.env['SCENARIO_SECONDS'] ?? 1);
export const SCENARIO_MIN_REQUESTS = Number(process.env['SCENARIO_MIN_REQUESTS'] ?? 20);
export const SCENARIO_MAX_SECONDS = Number(process.env['SCENARIO_MAX_SECONDS'] ?? 3);
/**
 * The highest rate run here: in process, the load and the service share one event loop, and a rate above this measures
 * the test on a busy machine more than the service (`shipshape validate` runs every scenario at its own rate).
 */
export const SCENARIO_MAX_RPS = Number(process.env['SCENARIO_MAX_RPS'] ?? 30);
/** Requests sent once the breaker has opened, and again once it has closed: the service answering in that state. */
export const SCENARIO_REQUESTS_AFTER = Number(process.env['SCENARIO_REQUESTS_AFTER'] ?? 5);
/** A fault that starts late (fault.after) starts after at most this many seconds, and SCENARIO_REQUESTS_AFTER requests. */
export const SCENARIO_BEFORE_SECONDS = Number(process.env['SCENARIO_BEFORE_SECONDS'] ?? 0.3);
/**
 * A scenario that expects recovery has its breaker half-open after at most this (the spec's halfOpenAfterSeconds is
 * real time, which validate waits for).
 */
export const SCENARIO_HALF_OPEN_SECONDS = Number(process.env['SCENARIO_HALF_OPEN_SECONDS'] ?? 0.5);

export interface ScenarioResult extends Measured {
  requests: number;
  /** Requests that reached the faulty tier, and those the fault hit. */
  upstream: { requests: number; faulted: number } | undefined;
}

type ScenarioFault = NonNullable<ScenarioSpec['fault']>;

/** The fake upstream's fault for a scenario's: a slow body is, to the service, a late answer. */
export function fakeFault(fault: ScenarioFault): Fault {
  const { type, rate, status, delayMs } = fault;
  if (type === 'slow-body') return { type: 'latency', rate, delayMs: delayMs ?? 5000 };
  return { type, rate, ...(status === undefined ? {} : { status }), ...(delayMs === undefined ? {} : { delayMs }) };
}

/** A local tier failing in process as `fault` says, while `active()` (the fault's after/for window). */
export function faultyTier(tier: ModelTier, fault: ScenarioFault, seed = 1, active: () => boolean = () => true): ModelTier {
  // Seeded, so a scenario hits the same requests on every run.
  const hit = mulberry32(seed);
  const wait = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new TierError(tier.name, 'aborted', 'aborted'));
      });
    });
  return {
    name: tier.name,
    kind: tier.kind,
    model: tier.model,
    costPerRequestUsd: tier.costPerRequestUsd,
    async predict(text, signal) {
      // Drawn for every call, in the window or not, so which calls are hit depends on the seed alone.
      if (hit() >= fault.rate || !active()) return tier.predict(text, signal);
      switch (fault.type) {
        case 'error':
          throw new TierError(tier.name, 'status', `injected ${fault.status ?? 503}`, { status: fault.status ?? 503 });
        case 'malformed':
          throw new TierError(tier.name, 'invalid-output', 'injected malformed output');
        case 'reset':
          throw new TierError(tier.name, 'network', 'injected connection reset');
        case 'latency':
        case 'slow-body':
          await wait(fault.delayMs ?? 5000, signal);
          return tier.predict(text, signal);
        case 'timeout':
          await wait(2 ** 31 - 1, signal);
          throw new TierError(tier.name, 'aborted', 'aborted');
      }
    },
  };
}

/** Text that reaches tier `index` of a cascade: long enough to escalate, or unlike every example. */
export function textReaching(spec: ServiceSpec, index: number): string {
  // rag and extract: a question or a document of the task (test/support/inputs.ts).
  const task = spec.task?.kind === undefined || spec.task.kind === 'classify' ? undefined : taskText(index);
  if (task !== undefined) return task;
  const ticket = 'Hello team, I need some help with my account and my last invoice. ';
  const strategy = spec.models.routing?.strategy ?? (spec.models.tiers.length > 1 ? 'cascade' : 'single');
  const longerThan = spec.models.routing?.escalateWhen?.inputCharsAbove;
  if (strategy !== 'cascade' || index === 0) return ticket;
  if (longerThan !== undefined) return ticket.repeat(Math.ceil((longerThan + 1) / ticket.length));
  return 'zxq vlorp quandle mirth blenk snood fimble';
}

/** The tiers a scenario runs against: the project's own task's, for the project's spec. */
export type TiersOf = (config: Config) => ModelTier[];

export async function runScenario(
  scenario: ScenarioSpec,
  spec: ServiceSpec = generatedSpec,
  tiersOf: TiersOf = (config) => createTaskTiers(config, new OutputChecks()),
): Promise<ScenarioResult> {
  const fakes: FakeLlm[] = [];
  const client = loadClient();
  let app: App | undefined;
  try {
    const env: NodeJS.ProcessEnv = {};
    const fault = scenario.fault;
    const recovery = scenario.expect.recoversWithinSeconds;
    // A fault with an end (fault.for) lets the breaker close again after it; without one, it lasts to the end.
    const windowed = fault?.for !== undefined;
    const compressed = recovery !== undefined && windowed;
    // Whether the fault is on: the fake's fault for an http tier, this flag for a local one.
    let faulting = false;
    let target: FakeLlm | undefined;
    for (const tier of spec.models.tiers) {
      if (tier.kind !== 'http') continue;
      const faulty = fault?.target === tier.name;
      const fake = await startFakeLlm({ fault: null, seed: 7 });
      fakes.push(fake);
      if (faulty) target = fake;
      const endpoint = envVariable(tier.endpoint);
      const key = envVariable(tier.apiKey);
      if (endpoint) env[endpoint] = fake.url;
      if (key) env[key] = 'scenario-test-key';
    }
    const setFault = (on: boolean) => {
      faulting = on;
      if (fault) target?.setFault(on ? fakeFault(fault) : null);
    };
    const loaded = loadConfig(env, spec);
    // Shedding on event-loop lag is left out: in process, the loop is shared with this load and the fakes, and on a
    // busy machine it lags for reasons that are not the service's (serving.test.ts tests the shedding itself).
    const admission = { ...loaded.admission, maxEventLoopLagMs: Number.POSITIVE_INFINITY };
    const breaker = loaded.resilience.circuitBreaker;
    const resilience =
      compressed && breaker
        ? {
            ...loaded.resilience,
            circuitBreaker: { ...breaker, halfOpenAfterSeconds: Math.min(breaker.halfOpenAfterSeconds, SCENARIO_HALF_OPEN_SECONDS) },
          }
        : loaded.resilience;
    const config = { ...loaded, admission, resilience, port: 0, host: '127.0.0.1', logLevel: 'silent', predictionLogSampleRate: 0 };
    const tiers = tiersOf(config).map((tier) =>
      fault && fault.target === tier.name && tier.kind === 'local' ? faultyTier(tier, fault, 1, () => faulting) : tier,
    );
    const metrics = createMetrics(config, { defaultMetrics: false });
    app = createApp({ config, tiers, metrics });
    const { port } = (await app.listen(0, '127.0.0.1')) as AddressInfo;
    const url = `http://127.0.0.1:${port}/v1/predict`;

    const index = Math.max(
      0,
      spec.models.tiers.findIndex((tier) => tier.name === fault?.target),
    );
    const body = JSON.stringify({ text: textReaching(spec, index) });
    const rps = Math.min(scenario.load.rps, SCENARIO_MAX_RPS);
    const least = Math.round(Math.max(rps * SCENARIO_SECONDS, Math.min(SCENARIO_MIN_REQUESTS, rps * SCENARIO_MAX_SECONDS)));
    // What the expectations wait for: the breaker open (and closed again, after a fault that ends).
    const waitsForOpen = fault !== undefined && (scenario.expect.breakerOpensWithinSeconds !== undefined || compressed);
    const waitsForClose = fault !== undefined && compressed;
    const transitions = breakerTransitions(metrics, fault?.target ?? '');

    // The phases of the load, each ended by `more` below.
    type Phase = 'before' | 'fault' | 'after';
    let phase: Phase = fault?.after ? 'before' : 'fault';
    let phaseStarted = performance.now();
    let sentInPhase = 0;
    let faultFrom: number | undefined;
    let faultTo: number | undefined;
    let breakerOpenedAt: number | undefined;
    let breakerClosedAt: number | undefined;
    let sentSinceOpened = 0;
    let sentSinceClosed = 0;
    // The breaker's transitions counted when the fault began and ended: a later count is a transition since.
    let openBefore = 0;
    let closedBefore = 0;
    const enter = async (next: Phase) => {
      const counts = await transitions();
      if (next === 'fault') {
        setFault(true);
        faultFrom = performance.now();
        openBefore = counts.open;
      } else if (next === 'after') {
        setFault(false);
        faultTo = performance.now();
        closedBefore = counts.closed;
      }
      phase = next;
      phaseStarted = performance.now();
      sentInPhase = 0;
    };
    if (phase === 'fault') await enter('fault');
    const elapsed = () => (performance.now() - phaseStarted) / 1000;
    // The scenario's own seconds bound each phase: what it expects should have happened by then.
    const faultSeconds = fault?.for ?? scenario.load.durationSeconds;
    const afterSeconds = Math.max(1, recovery ?? 0, scenario.load.durationSeconds - (fault?.after ?? 0) - (fault?.for ?? 0));
    const more = async (): Promise<boolean> => {
      const counts = await transitions();
      const now = performance.now();
      if (faultFrom !== undefined && breakerOpenedAt === undefined && counts.open > openBefore) breakerOpenedAt = now;
      // Closed again after the fault, having opened: a close before the fault ended does not count.
      if (faultTo !== undefined && breakerOpenedAt !== undefined && breakerClosedAt === undefined && counts.closed > closedBefore)
        breakerClosedAt = now;
      switch (phase) {
        case 'before':
          if (sentInPhase >= SCENARIO_REQUESTS_AFTER && elapsed() >= Math.min(fault!.after!, SCENARIO_BEFORE_SECONDS)) await enter('fault');
          return true;
        case 'fault': {
          const done =
            sentInPhase >= least && (!waitsForOpen || (breakerOpenedAt !== undefined && sentSinceOpened >= SCENARIO_REQUESTS_AFTER));
          if (!done && elapsed() < faultSeconds) return true;
          if (!windowed) return false;
          await enter('after');
          return true;
        }
        case 'after': {
          const done =
            sentInPhase >= SCENARIO_REQUESTS_AFTER &&
            (!waitsForClose ||
              breakerOpenedAt === undefined ||
              (breakerClosedAt !== undefined && sentSinceClosed >= SCENARIO_REQUESTS_AFTER));
          return !done && elapsed() < afterSeconds;
        }
      }
    };
    const answers: Promise<Answer>[] = [];
    await pace(rps, more, () => {
      sentInPhase++;
      if (breakerOpenedAt !== undefined) sentSinceOpened++;
      if (breakerClosedAt !== undefined) sentSinceClosed++;
      answers.push(client.post(url, body));
    });
    const results = (await Promise.all(answers)).map((answer) => ({
      status: answer.status,
      ms: answer.ms,
      fallback: answer.status !== 0 && (answer.headers['x-fallback'] ?? 'none') !== 'none',
      // Shed, as validate counts it: refused at once with a time to come back.
      shed: answer.status === 503 && answer.headers['retry-after'] !== undefined,
    }));
    // A transition while the last answers came in.
    if (faultFrom !== undefined && breakerOpenedAt === undefined && (await transitions()).open > openBefore)
      breakerOpenedAt = performance.now();

    const ok = results.filter((r) => r.status === 200);
    const shed = results.filter((r) => r.shed).length;
    const latencies = results.map((r) => r.ms);
    return {
      requests: results.length,
      availability: (ok.length / results.length) * 100,
      shedPercent: (shed / results.length) * 100,
      admittedAvailability: shed === results.length ? 0 : (ok.length / (results.length - shed)) * 100,
      errorRatePercent: ((results.length - ok.length) / results.length) * 100,
      fallbackRate: (results.filter((r) => r.fallback).length / results.length) * 100,
      p50Ms: percentile(latencies, 0.5),
      p95Ms: percentile(latencies, 0.95),
      p99Ms: percentile(latencies, 0.99),
      breakerOpenedAfterSeconds:
        breakerOpenedAt === undefined || faultFrom === undefined ? undefined : (breakerOpenedAt - faultFrom) / 1000,
      recoveredAfterSeconds: breakerClosedAt === undefined || faultTo === undefined ? undefined : (breakerClosedAt - faultTo) / 1000,
      upstream: target ? { requests: target.requests, faulted: target.faulted } : undefined,
    };
  } finally {
    client.close();
    await app?.close(0);
    await Promise.all(fakes.map((fake) => fake.close()));
  }
}

/** Each behavioural expectation of the scenario that the result misses, in words; empty when it meets them all. */
export function missed(scenario: ScenarioSpec, result: ScenarioResult): string[] {
  return judge(scenario.id, scenario.expect, result, {
    wallClock: false,
    ...(scenario.fault ? { target: scenario.fault.target } : {}),
  }).flatMap((verdict) => (verdict.message ? [verdict.message] : []));
}
