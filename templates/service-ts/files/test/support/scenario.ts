// Runs a failure scenario of the spec (scenarios[]) against the real service, in process: a fake
// OpenAI-compatible upstream per http tier that fails the way the scenario says (a local tier is
// made to fail in process), real HTTP load at the scenario's rate, and the figures its
// expectations name, judged by the expectations shipshape validate judges with (./expectations.ts). Only what holds on
// a loaded machine is judged here: latency percentiles and "within N seconds" are for `shipshape validate`, and so is
// shedding on a lagging event loop.
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

/** The scenario's load runs at its rate for its duration, cut to this many seconds to keep tests fast (longer when a breaker must open in more). */
export const SCENARIO_SECONDS = Number(process.env['SCENARIO_SECONDS'] ?? 3);
/**
 * The highest rate run here: in process, the load and the service share one event loop, and a rate above this measures
 * the test on a busy machine more than the service (`shipshape validate` runs every scenario at its own rate).
 */
export const SCENARIO_MAX_RPS = Number(process.env['SCENARIO_MAX_RPS'] ?? 30);
/**
 * A scenario that expects recovery runs compressed here: its fault lasts at most SCENARIO_FAULT_SECONDS (long enough
 * for requests that arrive late on a busy machine to see it) and the breaker half-opens after at most
 * SCENARIO_HALF_OPEN_SECONDS (the spec's halfOpenAfterSeconds is real time, which validate waits for).
 */
export const SCENARIO_FAULT_SECONDS = Number(process.env['SCENARIO_FAULT_SECONDS'] ?? 4);
export const SCENARIO_HALF_OPEN_SECONDS = Number(process.env['SCENARIO_HALF_OPEN_SECONDS'] ?? 2);

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
  let app: App | undefined;
  try {
    const env: NodeJS.ProcessEnv = {};
    const recovery = scenario.expect.recoversWithinSeconds;
    const compressed = recovery !== undefined && scenario.fault?.for !== undefined;
    const fault =
      compressed && scenario.fault?.for !== undefined
        ? { ...scenario.fault, for: Math.min(scenario.fault.for, SCENARIO_FAULT_SECONDS) }
        : scenario.fault;
    // The fault's window (fault.after, fault.for), in ms from the start of the load.
    const faultFrom = (fault?.after ?? 0) * 1000;
    const faultTo = fault?.for === undefined ? Number.POSITIVE_INFINITY : faultFrom + fault.for * 1000;
    let started = Number.POSITIVE_INFINITY;
    const inWindow = () => {
      const at = performance.now() - started;
      return at >= faultFrom && at < faultTo;
    };
    let target: FakeLlm | undefined;
    for (const tier of spec.models.tiers) {
      if (tier.kind !== 'http') continue;
      const faulty = fault?.target === tier.name;
      const fake = await startFakeLlm({ fault: faulty && faultFrom === 0 ? fakeFault(fault) : null, seed: 7 });
      fakes.push(fake);
      if (faulty) target = fake;
      const endpoint = envVariable(tier.endpoint);
      const key = envVariable(tier.apiKey);
      if (endpoint) env[endpoint] = fake.url;
      if (key) env[key] = 'scenario-test-key';
    }
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
    const config = { ...loaded, admission, resilience, port: 0, host: '127.0.0.1', logLevel: 'silent' };
    const tiers = tiersOf(config).map((tier) =>
      fault && fault.target === tier.name && tier.kind === 'local' ? faultyTier(tier, fault, 1, inWindow) : tier,
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
    // Long enough for the breaker to open, and for it to close again after the fault when recovery is expected.
    const closesWithin = compressed ? Math.min(recovery, 2 * SCENARIO_HALF_OPEN_SECONDS + 1) : recovery;
    const seconds = Math.min(
      scenario.load.durationSeconds,
      Math.max(
        SCENARIO_SECONDS,
        faultFrom / 1000 + (scenario.expect.breakerOpensWithinSeconds ?? 0),
        closesWithin === undefined || !Number.isFinite(faultTo) ? 0 : faultTo / 1000 + closesWithin,
      ),
    );
    const rps = Math.min(scenario.load.rps, SCENARIO_MAX_RPS);
    const total = Math.max(1, Math.round(rps * seconds));
    const interval = 1000 / rps;

    started = performance.now();
    const timers: NodeJS.Timeout[] = [];
    if (target && fault) {
      const faulty = target;
      if (faultFrom > 0) timers.push(setTimeout(() => faulty.setFault(fakeFault(fault)), faultFrom));
      if (Number.isFinite(faultTo)) timers.push(setTimeout(() => faulty.setFault(null), faultTo));
    }
    // The breaker as validate reads it from /metrics: opened after the fault began, closed again after it ended.
    let breakerOpenedAt: number | undefined;
    let breakerClosedAt: number | undefined;
    const running = app;
    // Read from the breaker's transition counters as well as its state: on a starved machine this timer can fire
    // too late to see a state that lasted a second.
    const transitions = async (state: string) =>
      (await metrics.breakerTransitions.get()).values.find((v) => v.labels['tier'] === fault?.target && v.labels['state'] === state)
        ?.value ?? 0;
    const seen = { open: 0, closed: 0 };
    let reading = false;
    const watch = setInterval(() => {
      if (!fault || reading) return;
      reading = true;
      void (async () => {
        const [open, closed] = [await transitions('open'), await transitions('closed')];
        const state = running.router.breakerStates()[fault.target];
        const at = performance.now() - started;
        if (breakerOpenedAt === undefined && (state === 'open' || open > seen.open) && at >= faultFrom) breakerOpenedAt = at;
        if (breakerClosedAt === undefined && (state === 'closed' || closed > seen.closed) && at >= Math.max(faultTo, breakerOpenedAt ?? 0))
          breakerClosedAt = at;
        seen.open = open;
        seen.closed = closed;
      })().finally(() => (reading = false));
    }, 20);
    const results: { status: number; ms: number; fallback: boolean; shed: boolean }[] = [];
    const calls: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      calls.push(
        (async () => {
          const sent = performance.now();
          try {
            const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
            await response.arrayBuffer();
            const fallback = (response.headers.get('x-fallback') ?? 'none') !== 'none';
            // Shed, as validate counts it: refused at once with a time to come back.
            const shed = response.status === 503 && response.headers.has('retry-after');
            results.push({ status: response.status, ms: performance.now() - sent, fallback, shed });
          } catch {
            results.push({ status: 0, ms: performance.now() - sent, fallback: false, shed: false });
          }
        })(),
      );
    }
    await Promise.all(calls);
    clearInterval(watch);
    for (const timer of timers) clearTimeout(timer);

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
      breakerOpenedAfterSeconds: breakerOpenedAt === undefined ? undefined : (breakerOpenedAt - faultFrom) / 1000,
      recoveredAfterSeconds: breakerClosedAt === undefined ? undefined : (breakerClosedAt - faultTo) / 1000,
      upstream: target ? { requests: target.requests, faulted: target.faulted } : undefined,
    };
  } finally {
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
