/**
 * `shipshape validate` (the built CLI), against a tiny service (test/fixtures/validate/service.mjs) started with --start:
 * a pass, a service without its breaker that must fail, a service that cannot start, one that crashes under load,
 * and Ctrl-C. After each, the service's process is gone.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { EXAMPLE, ROOT, tempDir } from '../helpers/temp.js';

const SERVICE = join(ROOT, 'test/fixtures/validate/service.mjs');
const SCENARIOS = `scenarios:
  - id: llm-outage
    failureMode: llm-outage
    fault: { target: strong, type: error, status: 503, rate: 1.0 }
    load: { rps: 20, durationSeconds: 2 }
    expect:
      availability: { min: 99 }
      fallbackRate: { min: 50 }
      breakerOpensWithinSeconds: 60
  - id: llm-slow
    failureMode: llm-slow
    fault: { target: strong, type: latency, delayMs: 50, rate: 0.5 }
    load: { rps: 10, durationSeconds: 1 }
    expect:
      availability: { min: 99 }
`;

/** The reference example with short scenarios that judge behaviour only, and the fixture service beside it. */
function project(): string {
  const dir = tempDir();
  const example = readFileSync(EXAMPLE, 'utf8');
  const start = example.indexOf('\nscenarios:');
  const end = example.indexOf('\ndeploy:');
  writeFileSync(join(dir, 'shipshape.yaml'), `${example.slice(0, start + 1)}${SCENARIOS}${example.slice(end)}`);
  copyFileSync(SERVICE, join(dir, 'service.mjs'));
  return dir;
}

const pids = (dir: string): number[] =>
  existsSync(join(dir, 'service.pid')) ? readFileSync(join(dir, 'service.pid'), 'utf8').split('\n').filter(Boolean).map(Number) : [];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every service the run started is gone (given a moment to be reaped). */
async function expectAllGone(dir: string): Promise<void> {
  const started = pids(dir);
  expect(started.length).toBeGreaterThan(0);
  for (let i = 0; i < 50 && started.some(alive); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(started.filter(alive)).toEqual([]);
}

const report = (dir: string) =>
  JSON.parse(readFileSync(join(dir, '.shipshape/reports/validation.json'), 'utf8')) as {
    passed: boolean;
    complete: boolean;
    scenarios: { id: string; passed: boolean; measured?: Record<string, unknown>; verdicts?: { name: string; passed: boolean }[] }[];
  };

describe('shipshape validate', () => {
  it('passes a service whose breaker opens and whose fallback answers; the run is recorded, the JUnit written', async () => {
    const dir = project();
    const result = await runCli(['validate', '--start', 'node service.mjs', '--json', '--junit', 'junit.xml'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { passed: boolean; complete: boolean; scenarios: { id: string }[] };
    expect(json).toMatchObject({ passed: true, complete: true, durationScale: 1 });
    expect(json.scenarios.map((scenario) => scenario.id)).toEqual(['llm-outage', 'llm-slow']);
    const outage = report(dir).scenarios[0]!;
    expect(outage.measured).toMatchObject({ availability: 100, metricsAvailable: true });
    expect(outage.measured?.['breakerOpenedAfterSeconds']).toBeTypeOf('number');
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/<testsuite name="scenarios" tests="2" failures="0"/);
    await expectAllGone(dir);

    const status = await runInProcess(['status', '--json'], { cwd: dir });
    const stage5 = (JSON.parse(status.stdout) as { stages: { number: number; evidence: { detail: string }[] }[] }).stages.find(
      (stage) => stage.number === 5,
    );
    expect(stage5?.evidence.map((line) => line.detail)).toContain('every scenario passed');
  }, 60_000);

  it('a --scenario run is recorded but does not complete stage 5', async () => {
    const dir = project();
    const result = await runInProcess(['validate', '--start', 'node service.mjs', '--scenario', 'llm-slow', '--json'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(report(dir)).toMatchObject({ passed: true, complete: false });
    const status = await runInProcess(['status', '--json'], { cwd: dir });
    const stage5 = (JSON.parse(status.stdout) as { stages: { number: number; evidence: { detail: string }[] }[] }).stages.find(
      (stage) => stage.number === 5,
    );
    expect(stage5?.evidence.map((line) => line.detail).join('\n')).toMatch(/but not llm-outage/);
  }, 60_000);

  it('with --baseline runs the same load without the fault first, on a fresh service, and shows both', async () => {
    const dir = project();
    const args = ['validate', '--start', 'node service.mjs', '--scenario', 'llm-outage', '--baseline'];
    const result = await runInProcess([...args, '--json'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const outage = report(dir).scenarios[0]! as ReturnType<typeof report>['scenarios'][number] & {
      baseline?: Record<string, unknown>;
    };
    // Without the fault the strong tier answers every request: no fallback, no breaker, nothing sent to the fault.
    // (The open-loop load sends what falls due in the run: 40 requests, or 39 when the last one is due at its very end.)
    expect(outage.baseline).toMatchObject({ availability: 100, fallbackRate: 0, tiers: { strong: outage.baseline?.['requests'] } });
    expect(outage.baseline?.['requests']).toBeGreaterThanOrEqual(38);
    expect(outage.baseline).not.toHaveProperty('breakerOpenedAfterSeconds');
    expect(outage.baseline).not.toHaveProperty('proxy');
    // The verdicts judge the faulted pass, not the baseline.
    expect(outage.measured?.['fallbackRate']).toBeGreaterThan(50);
    expect(outage.verdicts!.every((verdict) => verdict.passed)).toBe(true);
    // Each pass had a service of its own.
    expect(pids(dir)).toHaveLength(2);
    await expectAllGone(dir);

    const human = await runInProcess(args, { cwd: dir });
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^scenario\s+expectation\s+expected\s+measured\s+baseline\s*$/m);
    expect(human.stdout).toMatch(/^llm-outage\s+fallbackRate\s+>= 50\S*\s+\S+\s+0\s+pass$/m);
  }, 120_000);

  it('fails (exit 1) a service with its breaker and fallback taken out', async () => {
    const dir = project();
    const result = await runInProcess(['validate', '--start', 'node service.mjs', '--scenario', 'llm-outage'], {
      cwd: dir,
      env: { NO_BREAKER: '1' },
    });
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/breakerOpensWithinSeconds\s+within 60 s\s+never\s+FAIL/);
    const failed = report(dir)
      .scenarios[0]!.verdicts!.filter((verdict) => !verdict.passed)
      .map((verdict) => verdict.name);
    expect(failed).toEqual(['availability', 'fallbackRate', 'breakerOpensWithinSeconds']);
    await expectAllGone(dir);
  }, 60_000);

  it('exits 2 with the last output of a service that cannot start, and leaves no report', async () => {
    const dir = project();
    writeFileSync(
      join(dir, 'broken.mjs'),
      "import { appendFileSync } from 'node:fs';\nappendFileSync('service.pid', process.pid + '\\n');\nconsole.error('boom: TRIAGE_MODE is not set');\nprocess.exit(4);\n",
    );
    const result = await runInProcess(['validate', '--start', 'node broken.mjs'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/the service exited \(code 4\) before it answered/);
    expect(result.stderr).toMatch(/boom: TRIAGE_MODE is not set/);
    expect(existsSync(join(dir, '.shipshape/reports/validation.json'))).toBe(false);
    await expectAllGone(dir);
  }, 60_000);

  it('fails (exit 1) when the service crashes under load, and stops everything', async () => {
    const dir = project();
    const result = await runInProcess(['validate', '--start', 'node service.mjs', '--json'], { cwd: dir, env: { CRASH_AFTER: '5' } });
    expect(result.exitCode, result.stderr).toBe(1);
    const written = report(dir);
    expect(written.passed).toBe(false);
    expect(JSON.stringify(written.scenarios[0]!.verdicts)).toMatch(/the service exited \(code 3\) under load/);
    // The scenario after the crash is not run.
    expect(written.scenarios[1]).toEqual({ id: 'llm-slow', passed: false });
    await expectAllGone(dir);
  }, 60_000);

  it('on Ctrl-C exits 130, stops the service and writes no report', async () => {
    const dir = project();
    const child = execa(process.execPath, [BIN, 'validate', '--start', 'node service.mjs'], {
      cwd: dir,
      env: { CI: 'true', NO_COLOR: '1' },
      reject: false,
      stdin: 'ignore',
    });
    for (let i = 0; i < 200 && pids(dir).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(130);
    expect(existsSync(join(dir, '.shipshape/reports/validation.json'))).toBe(false);
    await expectAllGone(dir);
  }, 60_000);
});
