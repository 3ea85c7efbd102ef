/**
 * `shipshape validate`: each scenario of the spec against the running service, with its fault injected by a proxy in
 * front of the faulted tier, load at the scenario's rate, and its expectations judged. Every process, port and timer
 * started here is stopped in a `finally`, whether the run passes, fails, is interrupted or the service crashes.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { judge, type Measured } from '../../templates/service-ts/files/test/support/expectations.js';
import { displayPath } from '../fs/paths.js';
import { jsonSyntaxProblem } from '../text/json.js';
import { locateSpec } from '../spec/locate.js';
import { InterruptedError, UserError } from '../errors.js';
import { writeFilesAtomic } from '../fs/atomic.js';
import { packCommands } from '../scaffold/pack-commands.js';
import { loadValidSpec } from '../spec/load.js';
import type { Spec } from '../spec/schema.js';
import { specHash } from '../stages/hash.js';
import { VALIDATION_REPORT_FILE } from '../stages/records.js';
import type { ScenarioMeasured, ScenarioReport, ValidationReport } from '../state/validation-report.js';
import { reportSchemas, VALIDATION_REPORT_VERSION } from '../state/validation-report.js';
import { runLoad } from '../load/traffic.js';
import { measure, MEASURED_HEADERS } from './measure.js';
import { firstSeen, pollMetrics } from './metrics.js';
import { startMockModel, type MockModel } from './mock-model.js';
import { planValidation, type ScenarioPlan, type ValidationPlan } from './plan.js';
import { startFaultProxy, type FaultProxy } from './proxy.js';
import { runToEnd, startService, type RunningService } from './service.js';
import { LARGE_FILE_MAX_BYTES, readFileBoundedSync, readTextBoundedSync } from '../fs/read.js';

export interface ValidateOptions {
  cwd: string;
  dir?: string;
  spec?: string;
  /** A service already running: its base URL. */
  url?: string;
  /** Overrides the pack's start command (run by the shell). */
  start?: string;
  upstreams?: Record<string, string>;
  scenario?: string;
  durationScale?: number;
  baseline?: boolean;
  /** The mock model's latency per answer (ms). */
  mockLatencyMs?: number;
  /** The path load is sent to (POST); /v1/predict by default. */
  path?: string;
  startTimeoutMs?: number;
  /** Write the report (true by default). */
  write?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: ValidateEvent) => void;
  now?: () => Date;
}

export type ValidateEvent =
  | { type: 'plan'; plan: ValidationPlan }
  | { type: 'phase'; id: string; phase: 'starting' | 'baseline' | 'load' }
  | { type: 'scenario'; id: string; result: ScenarioReport };

export interface ValidateResult {
  report: ValidationReport;
  /** Project-relative paths written. */
  written: string[];
  plan: ValidationPlan;
}

const DEFAULT_PATH = '/v1/predict';
const FALLBACK_BODY = JSON.stringify({ text: 'Hello, I need help with my account and my last invoice.' });
const METRICS_INTERVAL_MS = 200;
/** A request without an answer after this long counts as failed. */
const LOAD_TIMEOUT_MS = 10_000;

/** Request bodies from the project's labelled examples (`data/examples.jsonl`): `{ text }` of each line. */
export function exampleBodies(root: string): string[] {
  const file = join(root, 'data/examples.jsonl');
  if (!existsSync(file)) return [FALLBACK_BODY];
  const bodies = readTextBoundedSync(file, { maxBytes: LARGE_FILE_MAX_BYTES })
    .split('\n')
    .flatMap((line) => {
      try {
        const text = (JSON.parse(line) as { text?: unknown }).text;
        return typeof text === 'string' ? [JSON.stringify({ text })] : [];
      } catch {
        return [];
      }
    });
  return bodies.length > 0 ? bodies : [FALLBACK_BODY];
}

/**
 * The bodies that reach `target`: in a cascade, a tier after the first sees only what escalates, so each example is
 * repeated past `routing.escalateWhen.inputCharsAbove` (as the project's own scenario tests do). Otherwise as they are.
 */
export function bodiesReaching(spec: Spec, target: string | undefined, bodies: readonly string[]): string[] {
  const tiers = spec.models?.tiers ?? [];
  const index = tiers.findIndex((tier) => tier.name === target);
  const strategy = spec.models?.routing?.strategy ?? (tiers.length > 1 ? 'cascade' : 'single');
  const longerThan = spec.models?.routing?.escalateWhen?.inputCharsAbove;
  if (index <= 0 || strategy !== 'cascade' || longerThan === undefined) return [...bodies];
  return bodies.map((body) => {
    const text = (JSON.parse(body) as { text?: unknown }).text;
    if (typeof text !== 'string' || text.length === 0) return body;
    return JSON.stringify({ text: `${text} `.repeat(Math.ceil((longerThan + 1) / (text.length + 1))) });
  });
}

/**
 * The request bodies the pack's build wrote for each tier (template.yaml `requests`: `{ "<tier>": [body, ...] }`), as
 * JSON texts; a tier the file does not list gets none (the examples serve instead). A file the pack names but the
 * build did not write, or wrote wrong, is the pack's error (exit 2): requests of the wrong shape would only be refused
 * by the service, and the scenarios fail for a reason that is not theirs.
 */
export function packBodies(root: string, file: string | undefined, cwd = root): Record<string, string[]> {
  if (file === undefined) return {};
  const shown = displayPath(join(root, file), cwd);
  const hint = `The pack's build writes it (template.yaml \`requests\`): { "<tier>": [{ "text": "..." }, ...] }. Run the build and read what it printed.`;
  if (!existsSync(join(root, file))) throw new UserError(`the pack's build wrote no ${shown}`, { hint });
  const text = readTextBoundedSync(join(root, file), { maxBytes: LARGE_FILE_MAX_BYTES, what: 'request bodies' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const { message, position } = jsonSyntaxProblem(text, error);
    throw new UserError(`is not valid JSON: ${message}`, { file: shown, hint, cause: error, ...(position ? { position } : {}) });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new UserError('must map each tier to a list of request bodies', { file: shown, hint });
  const bodies: Record<string, string[]> = {};
  for (const [tier, list] of Object.entries(parsed)) {
    if (!Array.isArray(list) || list.some((body) => body === null || typeof body !== 'object' || Array.isArray(body)))
      throw new UserError(`${JSON.stringify(tier)} must be a list of request bodies (JSON objects)`, { file: shown, hint });
    if (list.length > 0) bodies[tier] = list.map((body) => JSON.stringify(body));
  }
  return bodies;
}

const stamp = (date: Date) => date.toISOString().replace(/[:.]/g, '-');

export async function runValidate(options: ValidateOptions): Promise<ValidateResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const specFile = await locateSpec(options);
  const root = resolve(specFile, '..');
  const { spec } = await loadValidSpec(specFile, displayPath(specFile, options.cwd), 'validate');
  const plan = planValidation(spec, {
    ...(options.scenario === undefined ? {} : { scenario: options.scenario }),
    ...(options.durationScale === undefined ? {} : { durationScale: options.durationScale }),
    ...(options.upstreams ? { upstreams: options.upstreams } : {}),
    external: options.url !== undefined,
  });
  options.onEvent?.({ type: 'plan', plan });

  let command: string[] | string | undefined = options.start;
  let build: string[] | undefined;
  let requests: string | undefined;
  let packEnv: Record<string, string> = {};
  if (options.url === undefined && command === undefined) {
    const pack = await packCommands(root);
    command = pack.start;
    build = pack.build;
    requests = pack.requests;
    packEnv = pack.env ?? {};
    if (command === undefined)
      throw new UserError('no start command for this service: its pack declares none', {
        hint: 'Pass --start "CMD" (it gets PORT, HOST and each tier endpoint variable), or --url of a running service.',
      });
  }

  const bodies = exampleBodies(root);
  const path = options.path ?? DEFAULT_PATH;
  const signal = options.signal;
  const interrupted = () => {
    if (signal?.aborted) throw new InterruptedError();
  };
  const cleanup: (() => Promise<void>)[] = [];
  const results: ScenarioReport[] = [];
  try {
    if (build) {
      options.onEvent?.({ type: 'phase', id: plan.scenarios[0]!.id, phase: 'starting' });
      await runToEnd(build, root, signal);
      interrupted();
    }
    // Written by the build: the task's own requests for each tier (a rag question, an extract document).
    const byTier = packBodies(root, requests, options.cwd);
    const firstTier = spec.models?.tiers?.[0]?.name;
    let mock: MockModel | undefined;
    if (plan.tiers.some((tier) => tier.upstream === undefined)) {
      const started = await startMockModel({ latencyMs: options.mockLatencyMs ?? 20 });
      mock = started;
      cleanup.push(() => started.close());
    }
    const proxies = new Map<string, FaultProxy>();
    // The pack's own variables first (service-ts: no SIGTERM linger, as the load is over when validate stops it), then
    // the tier endpoints, which no pack overrides.
    const env: Record<string, string> = { ...packEnv };
    for (const tier of plan.tiers) {
      const proxy = await startFaultProxy({ upstream: tier.upstream ?? mock!.url });
      cleanup.push(() => proxy.close());
      proxies.set(tier.name, proxy);
      env[tier.endpointVariable] = proxy.url;
      if (tier.apiKeyVariable && tier.upstream === undefined) env[tier.apiKeyVariable] = 'shipshape-validate';
    }

    /** One pass of a scenario's load on a fresh service, with or without its fault. */
    const pass = async (
      scenario: ScenarioPlan,
      withFault: boolean,
    ): Promise<{ measured: ScenarioMeasured & Measured; crash?: string; seconds: number }> => {
      let service: RunningService | undefined;
      try {
        let base = options.url?.replace(/\/+$/, '');
        if (base === undefined) {
          service = await startService({
            command: command!,
            cwd: root,
            env,
            ...(options.startTimeoutMs ? { startTimeoutMs: options.startTimeoutMs } : {}),
            ...(signal ? { signal } : {}),
          });
          base = service.url;
        }
        const target = withFault ? scenario.fault?.target : undefined;
        for (const proxy of proxies.values()) proxy.setFault(null);
        const proxy = target ? proxies.get(target) : undefined;
        const before = proxy ? { ...proxy.stats } : undefined;
        const loadStart = performance.now();
        if (proxy && scenario.fault) proxy.setFault(scenario.fault, { startedAt: loadStart });
        const poll = pollMetrics(`${base}/metrics`, { startedAt: loadStart, intervalMs: METRICS_INTERVAL_MS });
        const controller = new AbortController();
        const onCrash = service?.exited.then(() => controller.abort());
        void onCrash;
        const fault = withFault ? scenario.fault : undefined;
        const faultFrom = (fault?.after ?? 0) * 1000;
        const faultTo = fault?.for === undefined ? Number.POSITIVE_INFINITY : faultFrom + fault.for * 1000;
        // A shortened run whose recovery is judged goes on past its end until the breaker has closed again (or
        // recoversWithinSeconds has passed): the breaker's half-open wait is real time, which no scale shortens.
        const until = withFault ? scenario.untilRecoveredSeconds : undefined;
        const recovered = new AbortController();
        const watch =
          until === undefined || target === undefined
            ? undefined
            : setInterval(() => {
                const at = performance.now() - loadStart;
                if (at >= scenario.durationSeconds * 1000 && firstSeen(poll.readings(), target, 'closed', faultTo) !== undefined)
                  recovered.abort();
              }, METRICS_INTERVAL_MS);
        const load = await runLoad({
          url: base,
          // --url may carry a path prefix.
          path: `${new URL(base).pathname.replace(/\/+$/, '')}${path}`,
          rps: scenario.rps,
          durationMs: (until ?? scenario.durationSeconds) * 1000,
          bodies: byTier[scenario.fault?.target ?? firstTier ?? ''] ?? bodiesReaching(spec, scenario.fault?.target, bodies),
          keepHeaders: MEASURED_HEADERS,
          // Enough connections to keep the rate with every request at the timeout for 5 s.
          maxInFlight: Math.min(1000, Math.max(10, Math.ceil(scenario.rps * 5))),
          timeoutMs: LOAD_TIMEOUT_MS,
          // --url: the user named the service to load, wherever it runs.
          remote: options.url !== undefined,
          signal: AbortSignal.any([controller.signal, recovered.signal, ...(signal ? [signal] : [])]),
        }).finally(() => clearInterval(watch));
        const { readings, available } = await poll.stop();
        interrupted();
        const measured = measure({
          load,
          readings,
          metricsAvailable: available,
          ...(target ? { target } : {}),
          faultFrom,
          faultTo,
          ...(proxy && before
            ? { proxy: { requests: proxy.stats.requests - before.requests, faulted: proxy.stats.faulted - before.faulted } }
            : {}),
        });
        const seconds = Math.round(load.durationMs / 100) / 10;
        if (service?.crashed)
          return { measured, seconds, crash: `the service exited (${await service.exited}) under load:\n${service.output()}` };
        return { measured, seconds };
      } finally {
        await service?.stop();
      }
    };

    for (const scenario of plan.scenarios) {
      interrupted();
      let baseline: ScenarioMeasured | undefined;
      if (options.baseline) {
        options.onEvent?.({ type: 'phase', id: scenario.id, phase: 'baseline' });
        baseline = (await pass(scenario, false)).measured;
      }
      options.onEvent?.({ type: 'phase', id: scenario.id, phase: 'load' });
      const { measured, crash, seconds } = await pass(scenario, true);
      const verdicts = judge(scenario.id, scenario.expect, measured, scenario.fault ? { target: scenario.fault.target } : {});
      if (
        (scenario.expect.breakerOpensWithinSeconds !== undefined || scenario.expect.recoversWithinSeconds !== undefined) &&
        !measured.metricsAvailable
      )
        for (const verdict of verdicts)
          if (verdict.name === 'breakerOpensWithinSeconds' || verdict.name === 'recoversWithinSeconds')
            verdict.message =
              `${verdict.message ?? ''} (the service has no /metrics with ai_breaker_state: the breaker cannot be watched)`.trim();
      if (crash)
        verdicts.push({
          name: 'availability',
          expected: 'the service keeps running',
          measured: 'it exited',
          passed: false,
          wallClock: false,
          message: crash,
        });
      const result: ScenarioReport = {
        id: scenario.id,
        passed: verdicts.every((verdict) => verdict.passed),
        durationSeconds: seconds,
        rps: scenario.rps,
        ...(scenario.fault ? { fault: { ...scenario.fault } } : {}),
        measured,
        ...(baseline ? { baseline } : {}),
        verdicts,
      };
      results.push(result);
      options.onEvent?.({ type: 'scenario', id: scenario.id, result });
      // A crashed service is not started again for the scenarios left: they are reported as not run.
      if (crash) break;
    }
  } finally {
    for (const close of cleanup.reverse()) await close().catch(() => undefined);
  }

  const ran = new Set(results.map((result) => result.id));
  const notRun = plan.scenarios.filter((scenario) => !ran.has(scenario.id));
  const report: ValidationReport = reportSchemas().validationReportSchema.parse({
    version: VALIDATION_REPORT_VERSION,
    specHash: specHash(readFileBoundedSync(specFile, { what: 'spec' })),
    passed: notRun.length === 0 && results.every((result) => result.passed),
    complete: plan.complete && notRun.length === 0,
    durationScale: plan.durationScale,
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    service: options.url ?? (typeof command === 'string' ? command : command?.join(' ')),
    scenarios: [...results, ...notRun.map((scenario) => ({ id: scenario.id, passed: false }))],
  });
  const written: string[] = [];
  if (options.write !== false) {
    const text = `${JSON.stringify(report, null, 2)}\n`;
    const dated = VALIDATION_REPORT_FILE.replace(/validation\.json$/, `validation-${stamp(startedAt)}.json`);
    await mkdir(join(root, dirname(VALIDATION_REPORT_FILE)), { recursive: true });
    await writeFilesAtomic([VALIDATION_REPORT_FILE, dated].map((file) => ({ path: join(root, file), content: text, display: file })));
    written.push(VALIDATION_REPORT_FILE, dated);
  }
  return { report, written, plan };
}
