/**
 * `shipshape demo`: the eight stages on a bundled example, each a list of real commands run as child processes in one
 * folder, exactly as a user would type them. The stages are plain data with a run function; the command shows them
 * (src/ui/demo-view.ts) and turns a failure into its one line. Every command's output goes to demo.log in the folder.
 */
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { writeFileAtomic } from '../fs/atomic.js';
import { readTextBounded } from '../fs/read.js';
import { applyEdits, type SpecEdit } from '../spec/edit.js';
import { loadSpecText } from '../spec/load.js';
import { SPEC_FILE } from '../spec/locate.js';
import type { Scenario, Spec } from '../spec/schema.js';

export const DEMO_LOG = 'demo.log';
export const DEMO_EXAMPLE = 'support-triage';

export interface DemoOptions {
  /** The folder the project is made in: empty (src/demo/folder.ts). */
  dir: string;
  /** shipshape's own bin/run.js: every stage runs the CLI as a user would. */
  bin: string;
  /** Scenarios and rollout steps of seconds rather than tens of seconds. */
  quick: boolean;
  /** Ctrl-C: the running command is stopped, and no other starts. */
  signal: AbortSignal;
  /** Variables for every command on top of the process's own (CI=true and NO_COLOR=1 are always set). */
  env?: Record<string, string | undefined>;
  /** The command line about to run, for the progress view. */
  onCommand?: (line: string) => void;
}

/** What a stage ran into: which command, what it exited with, and the line that says why. */
export class DemoStepError extends Error {
  readonly command: string;
  readonly reason: string;
  constructor(command: string, reason: string) {
    super(`${command}: ${reason}`);
    this.name = 'DemoStepError';
    this.command = command;
    this.reason = reason;
  }
}

/** The demo was stopped (Ctrl-C) while `command` ran. */
export class DemoInterrupted extends Error {
  constructor(readonly command: string) {
    super(`interrupted during ${command}`);
    this.name = 'DemoInterrupted';
  }
}

export interface DemoStage {
  /** `1`, `2`, `3-4`, ... or `end`. */
  id: string;
  title: string;
  /** Runs the stage's commands; returns a line on what it showed. */
  run(): Promise<string>;
}

interface Run {
  exitCode: number;
  /** Standard output and error, interleaved. */
  output: string;
  stdout: string;
}

/** The stages of the demo, sharing one folder and one log; run them in order, stop at the first that throws. */
export function demoStages(options: DemoOptions) {
  const { dir, quick, signal } = options;
  const log: string[] = [];
  let fake: ResultPromise | undefined;
  let deployed = false;
  let stopped = false;
  let skipValidation = false;

  const saveLog = () => writeFileAtomic(join(dir, DEMO_LOG), `${log.join('\n')}\n`);
  const note = async (text: string) => {
    log.push(`\n# ${text}`);
    await saveLog();
  };

  /** Runs one command in the folder; throws unless it exits with one of `expect`. */
  async function run(
    command: 'shipshape' | 'npm' | 'promtool',
    args: readonly string[],
    extra: { expect?: readonly number[]; env?: Record<string, string> } = {},
  ): Promise<Run> {
    const line = `${command} ${args.join(' ')}`;
    if (signal.aborted) throw new DemoInterrupted(line);
    options.onCommand?.(line);
    const [file, ...rest] = command === 'shipshape' ? [process.execPath, options.bin] : [command];
    const started = performance.now();
    const child = execa(file!, [...rest, ...args], {
      cwd: dir,
      env: { ...options.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: undefined, ...extra.env },
      extendEnv: true,
      reject: false,
      all: true,
      stdin: 'ignore',
      cancelSignal: signal,
      // Every shipshape command stops cleanly on SIGINT (Ctrl-C), and npm passes it on.
      killSignal: 'SIGINT',
      forceKillAfterDelay: 10_000,
    });
    const result = await child;
    const output = String(result.all ?? '');
    log.push(`\n$ ${line}`, output.trimEnd(), ending(result.exitCode ?? result.signal, started));
    await saveLog();
    if (result.isCanceled || signal.aborted) throw new DemoInterrupted(line);
    const expected = extra.expect ?? [0];
    if (result.exitCode === undefined || !expected.includes(result.exitCode)) {
      const why =
        result.exitCode === undefined
          ? `${result.failed && 'code' in result && result.code === 'ENOENT' ? 'not found' : `stopped by ${result.signal ?? 'an error'}`}`
          : `exited ${result.exitCode}, expected ${expected.join(' or ')}`;
      throw new DemoStepError(line, `${why}${lastWords(output) ? `: ${lastWords(output)}` : ''}`);
    }
    return { exitCode: result.exitCode, output, stdout: String(result.stdout) };
  }

  const specFile = join(dir, SPEC_FILE);
  const specNow = async (): Promise<Spec> => {
    const loaded = loadSpecText(SPEC_FILE, await readTextBounded(specFile));
    if (!loaded.spec) throw new DemoStepError('reading shipshape.yaml', loaded.diagnostics[0]?.message ?? 'not a valid spec');
    return loaded.spec;
  };
  const editSpec = async (edits: readonly SpecEdit[]) => {
    const { text } = applyEdits(await readTextBounded(specFile), edits);
    await writeFileAtomic(specFile, text);
  };

  /** The generated fake of the hosted model, standing in for ${TRIAGE_LLM_URL} as in the service's smoke test. */
  async function startFake(): Promise<string> {
    fake = execa(process.execPath, ['dist/dev/fake-llm.js', '--port', '0'], { cwd: dir, reject: false, cancelSignal: signal });
    const started = fake;
    return new Promise<string>((resolve, reject) => {
      started.stdout?.on('data', (chunk: Buffer) => {
        const match = /"url":\s*"([^"]+)"/.exec(chunk.toString());
        if (match) resolve(match[1]!);
      });
      void started.then((result) =>
        reject(new DemoStepError('node dist/dev/fake-llm.js', `the fake model exited: ${lastWords(String(result.stderr))}`)),
      );
    });
  }

  const stages: DemoStage[] = [
    {
      id: '1',
      title: 'Requirements: the bundled example as shipshape.yaml, checked',
      run: async () => {
        await run('shipshape', ['init', '--from', DEMO_EXAMPLE]);
        await run('shipshape', ['check']);
        await run('shipshape', ['check', '--stage', '8', '--format', 'sarif', '--output', 'shipshape.sarif']);
        return `${SPEC_FILE} from ${DEMO_EXAMPLE}, checked (and as SARIF in shipshape.sarif)`;
      },
    },
    {
      id: '2',
      title: 'Architecture: patterns for the failure modes, budgets, ADR',
      run: async () => {
        await run('shipshape', ['design', '--yes']);
        // Made before generate, so the code, the validation report and the deployments all hold the same spec.
        await note(demoEditsWhy(quick));
        await editSpec(demoEdits(await specNow(), quick));
        await run('shipshape', ['status']);
        return `docs/adr/0001-architecture.md; the rollout${quick ? ' and the scenarios' : ''} shortened to seconds for the demo`;
      },
    },
    {
      id: '3-4',
      title: quick
        ? 'Components and orchestration: generate, with npm install'
        : 'Components and orchestration: generate (npm install), build, smoke test',
      run: async () => {
        await run('shipshape', ['generate']);
        // --quick leaves the build to validate, which runs the pack's build command before the first scenario.
        if (quick) return 'the service generated, its dependencies installed';
        await run('npm', ['run', 'build']);
        // The service starts, answers, and stops on SIGTERM, a fake OpenAI-compatible upstream standing in for the model.
        await run('npm', ['run', 'smoke']);
        return 'the service generated, built, and answering';
      },
    },
    {
      id: '5',
      title: `Validation: the failure scenarios against the running service, faults injected`,
      run: async () => {
        // Exit 1 is a finding, not a broken demo: on a busy machine a latency expectation can miss. deploy then goes on
        // with --skip-validation, which its history and the summary record.
        const validated = await run('shipshape', ['validate'], { expect: [0, 1] });
        skipValidation = validated.exitCode !== 0;
        return skipValidation
          ? 'a scenario missed its expectation (see .shipshape/reports/validation.json); deploy goes on with --skip-validation'
          : 'every scenario passed (.shipshape/reports/validation.json)';
      },
    },
    {
      id: '6',
      title: 'Deployment: v1 promoted step by step, a broken v2 rolled back on its own',
      run: async () => {
        try {
          const env = { TRIAGE_LLM_URL: await startFake() };
          const gate = skipValidation ? ['--skip-validation'] : [];
          deployed = true;
          await run('shipshape', ['deploy', ...gate, '--load', String(DEMO_LOAD_RPS), '--version', 'v1'], { env });
          const appFile = join(dir, 'src/app.ts');
          const app = await readTextBounded(appFile);
          const broken = app.replace(
            "'/v1/predict': { POST: predict },",
            "'/v1/predict': { POST: async () => { throw new Error('v2 is broken on purpose'); } },",
          );
          if (broken === app) throw new DemoStepError('breaking v2', "src/app.ts no longer routes '/v1/predict' as the demo expects");
          await note('v2: every prediction fails, on purpose (src/app.ts, put back afterwards)');
          await writeFileAtomic(appFile, broken);
          try {
            await run('shipshape', ['deploy', ...gate, '--load', String(DEMO_LOAD_RPS), '--version', 'v2'], { env, expect: [1] });
          } finally {
            await writeFileAtomic(appFile, app);
          }
          await run('shipshape', ['deploy', 'history']);
          await run('shipshape', ['deploy', 'status']);
          await stopService();
        } finally {
          await stopFake();
        }
        return 'v1 promoted, v2 rolled back (.shipshape/deployments.json); the local service stopped';
      },
    },
    {
      id: '7',
      title: 'Handoff: runbook, Prometheus rules with their tests, Grafana dashboard',
      run: async () => {
        await run('shipshape', ['runbook']);
        const promtool = await execa('promtool', ['--version'], { reject: false, stdin: 'ignore' });
        if (promtool.exitCode !== 0) {
          await note('promtool is not installed: the rules and their tests are not run through it');
          return 'docs/runbook.md, monitoring/ (promtool not installed: its checks skipped)';
        }
        await run('promtool', ['check', 'rules', 'monitoring/prometheus-rules.yaml']);
        await run('promtool', ['test', 'rules', 'monitoring/prometheus-rules.test.yaml']);
        return 'docs/runbook.md, monitoring/; promtool accepts the rules and every alert fires on its test series';
      },
    },
    {
      id: '8',
      title: 'Improvement: the 30-day review, from the deployment history and a metrics snapshot',
      run: async () => {
        // Thirty days on: the review is due review.afterDays after v1's promotion, so the demo dates it then, with the
        // actuals from a snapshot (offline: no Prometheus here); the history's rollback of v2 is read as it is.
        await writeFileAtomic(join(dir, 'review-metrics.yaml'), REVIEW_METRICS);
        const day = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
        await run('shipshape', ['review', '--metrics', 'review-metrics.yaml', '--date', day, '--complete']);
        return 'docs/reviews/, and the next iteration’s backlog';
      },
    },
    {
      id: 'end',
      title: 'Status of the eight stages, and check catching what a reviewer would',
      run: async () => {
        const status = await run('shipshape', ['status', '--json']);
        const { done, stages } = JSON.parse(status.stdout) as {
          done: number;
          stages: { number: number; state: string }[];
        };
        const open = stages.filter((stage) => stage.state !== 'done').map((stage) => `stage ${stage.number} ${stage.state}`);
        const spec = await readTextBounded(specFile);
        await writeFileAtomic(join(dir, 'typo.shipshape.yaml'), spec.replace('\nresilience:', '\nreslience:'));
        await run('shipshape', ['check', 'typo.shipshape.yaml'], { expect: [1] });
        await writeFileAtomic(
          join(dir, 'costly.shipshape.yaml'),
          spec.replace('costPerRequestUsd: 0.004', 'costPerRequestUsd: 0.04').replace('target: 60\n', 'target: 300\n'),
        );
        await run('shipshape', ['check', 'costly.shipshape.yaml'], { expect: [1] });
        return `${done} of 8 stages done${open.length ? ` (${open.join(', ')})` : ''}; check caught a misspelt section and a cost over budget`;
      },
    },
  ];

  async function stopService(): Promise<void> {
    if (stopped) return;
    stopped = true;
    await run('shipshape', ['deploy', 'stop']);
  }

  async function stopFake(): Promise<void> {
    fake?.kill();
    await fake;
    fake = undefined;
  }

  /** After the last stage, a failure or Ctrl-C: the fake model stopped, and the local service once a deploy started it. */
  async function cleanUp(): Promise<string[]> {
    const left: string[] = [];
    await stopFake();
    if (deployed && !stopped) {
      stopped = true;
      const started = performance.now();
      const stop = await execa(process.execPath, [options.bin, 'deploy', 'stop'], {
        cwd: dir,
        env: { CI: 'true', NO_COLOR: '1' },
        reject: false,
        all: true,
        stdin: 'ignore',
      });
      log.push('\n$ shipshape deploy stop', String(stop.all ?? '').trimEnd(), ending(stop.exitCode ?? stop.signal, started));
      if (stop.exitCode !== 0) left.push(`the local service may still run: \`shipshape deploy stop\` in ${dir} stops it`);
    }
    await saveLog().catch(() => undefined);
    return left;
  }

  return { stages, cleanUp };
}

/** The log's last line for a command: how it ended, and how long it took since `started` (performance.now()). */
const ending = (code: number | string | undefined, started: number): string =>
  `(exit ${code ?? '?'}, ${((performance.now() - started) / 1000).toFixed(1)} s)`;

/** The line of a command's output that says why it failed: its `Error:` line, else the last that says failed, else its last. */
function lastWords(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  const failed = lines.filter((line) => /\bfailed\b|\bFAIL\b|✖/.test(line)).at(-1);
  return (lines.find((line) => line.startsWith('Error:')) ?? failed ?? lines.at(-1) ?? '').slice(0, 300);
}

function demoEditsWhy(quick: boolean): string {
  return [
    "The example's rollout (pauses of 60 s and 120 s) is shortened to seconds, and its business metric left out of the analysis:",
    'nothing sends the feedback that sets the routing_accuracy gauge here, and an analysis without data never passes.',
    `The load (${DEMO_LOAD_RPS} rps) gives every analysis its ${DEMO_MIN_REQUESTS} requests at the first step's 25%, and the bounds are loose,`,
    'so that a busy machine does not roll back a healthy version.',
    ...(quick
      ? [
          '--quick: each failure scenario runs for a few seconds, just long enough for what it expects; the breaker half-opens',
          `after ${QUICK_HALF_OPEN_SECONDS} s instead of 15, so that a fault that ends (overload-soak) shows its recovery in seconds.`,
        ]
      : []),
  ].join('\n# ');
}

/** The shortest run of a scenario that still shows what it expects: the breaker opening, a recovery after the fault. */
export function quickSeconds(scenario: Scenario): number {
  const { fault, expect, load } = scenario;
  const needed = Math.max(
    QUICK_SCENARIO_SECONDS,
    // A second past the bound, so that a breaker that opens just in time is still seen open.
    (expect.breakerOpensWithinSeconds ?? 0) + 1,
    fault?.for === undefined || expect.recoversWithinSeconds === undefined
      ? 0
      : (fault.after ?? 0) + fault.for + expect.recoversWithinSeconds,
  );
  return Math.min(load.durationSeconds, needed);
}

const QUICK_SCENARIO_SECONDS = 4;
/** The fewest requests of a rollout's analysis in the demo. */
const DEMO_MIN_REQUESTS = 5;
/**
 * The demo's rollout load: at the first step's 25%, a one-second analysis (--quick) gets 10 of green's requests, twice
 * the fewest it needs, so that a healthy version deployed in the folder after the demo is judged, not rolled back as
 * inconclusive.
 */
const DEMO_LOAD_RPS = 40;
/** --quick: the breaker half-opens after this many seconds, so that a recovery takes seconds, not the example's 15. */
const QUICK_HALF_OPEN_SECONDS = 2;
/** --quick: the load before a fault starts, at most. */
const QUICK_FAULT_AFTER_SECONDS = 1;

/**
 * --quick: a fault that ends and a recovery to watch, in seconds: the fault starts after a second of load at most and
 * lasts until just past when the breaker must have opened, and the recovery bound drops by what the shorter half-open
 * saves, plus two seconds of margin for a probe that met the fault's last moment.
 */
export function quickRecovery(scenario: Scenario, halfOpen: number | undefined, quickHalfOpen: number | undefined): Scenario {
  const { fault, expect } = scenario;
  if (fault?.for === undefined || expect.recoversWithinSeconds === undefined) return scenario;
  const lasts = Math.min(fault.for, Math.max(QUICK_SCENARIO_SECONDS, (expect.breakerOpensWithinSeconds ?? 0) + 1));
  const saved = halfOpen === undefined || quickHalfOpen === undefined ? 0 : halfOpen - quickHalfOpen;
  const recovers =
    saved > 0
      ? Math.min(expect.recoversWithinSeconds, Math.max(1, expect.recoversWithinSeconds - saved + 2))
      : expect.recoversWithinSeconds;
  const after = fault.after === undefined ? {} : { after: Math.min(fault.after, QUICK_FAULT_AFTER_SECONDS) };
  return { ...scenario, fault: { ...fault, ...after, for: lasts }, expect: { ...expect, recoversWithinSeconds: recovers } };
}

/** The demo's changes to the example, as spec edits (comments and layout kept). */
export function demoEdits(spec: Pick<Spec, 'scenarios' | 'resilience'>, quick: boolean): SpecEdit[] {
  const pause = quick ? { first: 1, second: 1, interval: 1 } : { first: 4, second: 2, interval: 2 };
  const edits: SpecEdit[] = [
    {
      path: ['deploy', 'steps'],
      value: [
        { weight: 25, pauseSeconds: pause.first },
        { weight: 100, pauseSeconds: pause.second },
      ],
    },
    {
      path: ['deploy', 'analysis'],
      value: {
        intervalSeconds: pause.interval,
        failureLimit: 0,
        minRequests: DEMO_MIN_REQUESTS,
        metrics: [
          { name: 'error-rate-percent', max: 5 },
          { name: 'p95-latency-ms', max: 2500 },
        ],
      },
    },
  ];
  if (quick) {
    const halfOpen = spec.resilience?.circuitBreaker?.halfOpenAfterSeconds;
    const quickHalfOpen = halfOpen === undefined ? undefined : Math.min(halfOpen, QUICK_HALF_OPEN_SECONDS);
    if (halfOpen !== undefined && quickHalfOpen !== halfOpen)
      edits.push({ path: ['resilience', 'circuitBreaker', 'halfOpenAfterSeconds'], value: quickHalfOpen });
    (spec.scenarios ?? []).forEach((original, index) => {
      const scenario = quickRecovery(original, halfOpen, quickHalfOpen);
      if (scenario.fault?.after !== original.fault?.after)
        edits.push({ path: ['scenarios', index, 'fault', 'after'], value: scenario.fault!.after });
      if (scenario.fault?.for !== original.fault?.for)
        edits.push({ path: ['scenarios', index, 'fault', 'for'], value: scenario.fault!.for });
      if (scenario.expect.recoversWithinSeconds !== original.expect.recoversWithinSeconds)
        edits.push({ path: ['scenarios', index, 'expect', 'recoversWithinSeconds'], value: scenario.expect.recoversWithinSeconds });
      const seconds = quickSeconds(scenario);
      if (seconds !== scenario.load.durationSeconds) edits.push({ path: ['scenarios', index, 'load', 'durationSeconds'], value: seconds });
    });
  }
  return edits;
}

const REVIEW_METRICS = `# What production said over the 30 days (a snapshot; \`review --prometheus URL\` reads the same from Prometheus).
metrics:
  median_first_response_minutes: 75
  routing_accuracy: 0.93
slo: { availability: 99.95, p95Ms: 900, p99Ms: 2100 }
cost: { perRequestUsd: 0.0015, monthlyUsd: 8200 }
drift: { ticket_chars: 0.08, language: 0.12 }
`;

/** What the demo made, to print at the end: where to look first, and how to remove it. */
export function demoEpilogue(dir: string, temporary: boolean): string[] {
  return [
    `Everything is in ${dir}${temporary ? ' (a temp folder of some tens of MB, with node_modules)' : ''}.`,
    `Open first: ${join(dir, 'docs/adr/0001-architecture.md')}, then docs/runbook.md, docs/reviews/ and ${DEMO_LOG} (every command and its output).`,
    `Remove it: rm -rf ${dir}`,
  ];
}
