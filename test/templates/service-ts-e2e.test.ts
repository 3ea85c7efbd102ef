/**
 * The default pack end to end: generate a project from a spec, install it (the pack's own task,
 * `npm install`), build it, start it and call it (its `npm run smoke`), run its tests, and show
 * that its failure-scenario tests fail once the breaker or the fallback is taken out. Twice: on
 * the reference example (a cascade of a local and an http tier, lower-tier fallback) and on a
 * single http tier with an API key and a static fallback. The reference's whole `npm test` runs
 * here once per run, for every classify project of the suite: the second project (and those of
 * walk-e2e.test.ts) differs from it only in src/config/spec.ts, and runs the tests that read it.
 *
 * The one place in the suite that reaches the npm registry (the generated project's own
 * dependencies): npm runs with the machine's own registry and cache, not the offline ones of
 * test/setup.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dependencies, differingFiles, generateProject, projectEnv, sharedOriginal, sharedProject, specTests } from '../helpers/project.js';
import { EXAMPLE, ROOT } from '../helpers/temp.js';

/** A command in the project, as plain strings. */
async function run(command: string, args: string[], cwd: string): Promise<{ exitCode: number | undefined; stdout: string; all: string }> {
  const result = await execa(command, args, { cwd, env: projectEnv(), extendEnv: true, reject: false, all: true });
  return { exitCode: result.exitCode, stdout: String(result.stdout), all: String(result.all) };
}

interface Smoke {
  ok: boolean;
  exitCode: number | null;
  calls: { name: string; status: number; ok: boolean; headers?: Record<string, string>; body: unknown }[];
}

async function smoke(dir: string): Promise<Smoke> {
  const result = await run('npm', ['run', '--silent', 'smoke', '--', '--json'], dir);
  expect(result.exitCode, result.all).toBe(0);
  return JSON.parse(result.stdout) as Smoke;
}

/** Runs the project's scenario tests with `file` edited by `edit`, and puts the file back. */
async function scenariosWith(dir: string, file: string, edit: (source: string) => string, scenario: string) {
  const path = join(dir, file);
  const original = readFileSync(path, 'utf8');
  const edited = edit(original);
  expect(edited, `the edit of ${file} changed nothing: the test no longer removes what it claims to`).not.toBe(original);
  writeFileSync(path, edited);
  try {
    return await run('npx', ['vitest', 'run', 'test/scenarios.test.ts', '-t', scenario], dir);
  } finally {
    writeFileSync(path, original);
  }
}

/** With no fallback left in the router, the scenario's requests fail when its tier does: its availability expectation fails. */
async function expectScenarioFailsWithoutFallback(dir: string, scenario: string): Promise<void> {
  const result = await scenariosWith(
    dir,
    'src/orchestration/router.ts',
    (source) => source.replace('const chain: FallbackKind[] = !fallback', 'const chain: FallbackKind[] = true'),
    scenario,
  );
  expect(result.exitCode, result.all).toBe(1);
  expect(result.all).toMatch(/availability 0\.00% misses/);
}

describe('service-ts on the reference example (cascade, lower-tier fallback)', () => {
  let dir: string;
  beforeAll(async () => {
    // Generated, installed and built once per run, shared with validate-e2e.test.ts: a copy of its own.
    dir = await sharedProject(EXAMPLE);
  }, 240_000);

  it('starts, answers from the local tier and escalates long input to the http tier, and stops on SIGTERM', async () => {
    const report = await smoke(dir);
    expect(report.ok).toBe(true);
    expect(report.exitCode).toBe(0);
    const predictions = report.calls.filter((call) => call.name.startsWith('predict'));
    expect(predictions.map((call) => call.headers?.['x-model-tier'])).toEqual(['fast', 'strong']);
    expect(predictions.map((call) => call.headers?.['x-fallback'])).toEqual(['none', 'none']);
    expect(report.calls.find((call) => call.name === 'feedback')?.status).toBe(202);
  }, 60_000);

  it('passes its own type check and tests, failure scenarios included', async () => {
    const typecheck = await run('npm', ['run', 'typecheck'], dir);
    expect(typecheck.exitCode, typecheck.all).toBe(0);
    const tests = await run('npm', ['test'], dir);
    expect(tests.exitCode, tests.all).toBe(0);
    expect(tests.all).toMatch(/llm-outage/);
    expect(tests.all).toMatch(/Tests\s+\d+ passed/);
  }, 300_000);

  it('is a finished stage 3 and 4 for shipshape: check passes, status counts both', async () => {
    const check = await runCli(['check'], { cwd: dir });
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    const status = await runCli(['status', '--json'], { cwd: dir });
    const stages = (JSON.parse(status.stdout) as { stages: { number: number; state: string }[] }).stages;
    expect(stages.filter((stage) => stage.number === 3 || stage.number === 4).map((stage) => stage.state)).toEqual(['done', 'done']);
  }, 60_000);

  it('fails its scenario tests without the circuit breaker', async () => {
    const result = await scenariosWith(
      dir,
      'src/orchestration/policies.ts',
      (source) => source.replace('if (!breaker) return held(outer);', 'return held(outer);'),
      'llm-outage',
    );
    expect(result.exitCode, result.all).toBe(1);
    expect(result.all).toMatch(/the breaker of strong never opened/);
  }, 120_000);

  it('fails its scenario tests without the fallback', async () => {
    await expectScenarioFailsWithoutFallback(dir, 'llm-outage');
  }, 120_000);
});

describe('service-ts on a single http tier with an API key and a static fallback', () => {
  let dir: string;
  let reference: string;
  beforeAll(async () => {
    // The reference's dependencies, linked in before generate's npm install (shown below to be the same).
    reference = await sharedOriginal(EXAMPLE);
    dir = await generateProject(join(ROOT, 'test', 'fixtures', 'specs', 'faq-answerer.yaml'), { dependenciesFrom: reference });
  }, 240_000);

  it('starts, answers from the http tier, and stops on SIGTERM', async () => {
    const report = await smoke(dir);
    expect(report.ok).toBe(true);
    const predictions = report.calls.filter((call) => call.name.startsWith('predict'));
    expect(predictions.map((call) => call.headers?.['x-model-tier'])).toEqual(['llm']);
  }, 60_000);

  it("passes its own tests, failure scenarios included: the reference's but for those that read the spec, which run", async () => {
    // The same dependencies and code as the reference project above, whose whole `npm test` passed, but for its spec.
    expect(dependencies(dir)).toEqual(dependencies(reference));
    expect(differingFiles(reference, dir, ['src', 'test'])).toEqual(['src/config/spec.ts']);
    const files = specTests(dir);
    expect(files).toContain('test/scenarios.test.ts');
    const tests = await run('npx', ['vitest', 'run', ...files], dir);
    expect(tests.exitCode, tests.all).toBe(0);
    expect(tests.all).toMatch(/llm-hang/);
  }, 300_000);

  it('fails its scenario tests without the static fallback', async () => {
    await expectScenarioFailsWithoutFallback(dir, 'llm-outage');
  }, 120_000);
});
