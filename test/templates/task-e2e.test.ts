/**
 * The bundled rag and extract examples end to end: each generated with the pack's tasks (npm install), built (the
 * rag index and the OpenAPI description included), its own tests green (its failure scenarios included), and its
 * `npm run smoke` answering a real request of the task: for rag, a question answered from the bundled corpus with a
 * citation of the right document. The generated code is the same pack as the classify projects of
 * service-ts-e2e.test.ts; only the task's files differ, so one project per task is enough.
 */
import { copyFileSync, cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { linkDependencies, projectEnv, sharedOriginal } from '../helpers/project.js';
import { EXAMPLE, ROOT, tempDir } from '../helpers/temp.js';

async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = await execa(command, args, { cwd, env: { ...projectEnv(), ...env }, extendEnv: true, reject: false, all: true });
  return { exitCode: result.exitCode, stdout: String(result.stdout), all: String(result.all) };
}

/** The example's spec and its folder (corpus, schemas) in a new project folder, generated with its install, and built. */
async function exampleProject(name: string): Promise<string> {
  const dir = tempDir();
  copyFileSync(join(ROOT, 'examples', `${name}.yaml`), join(dir, 'shipshape.yaml'));
  cpSync(join(ROOT, 'examples', name), dir, { recursive: true });
  // The reference example's dependencies linked in: generate's npm install adds the task's own (rag's, extract's).
  await linkDependencies(await sharedOriginal(EXAMPLE), dir);
  const generated = await runCli(['generate'], { cwd: dir, env: projectEnv() as Record<string, string> });
  expect(generated.exitCode, generated.stderr + generated.stdout).toBe(0);
  const built = await run('npm', ['run', 'build'], dir);
  expect(built.exitCode, built.all).toBe(0);
  return dir;
}

interface Smoke {
  ok: boolean;
  calls: { name: string; status: number; ok: boolean; problem?: string; headers?: Record<string, string>; body: Record<string, unknown> }[];
}

async function smoke(dir: string, env: Record<string, string> = {}): Promise<Smoke> {
  const result = await run('npm', ['run', '--silent', 'smoke', '--', '--json'], dir, env);
  expect(result.exitCode, result.all).toBe(0);
  return JSON.parse(result.stdout) as Smoke;
}

/**
 * `shipshape validate`, shortened, on a built project: every failure scenario of the example against its service, with
 * the task's own requests (the dist/requests.json its build wrote). Each must pass, and the run reaches the faulted tier.
 */
async function validateShortened(dir: string): Promise<void> {
  const result = await runCli(['validate', '--duration-scale', '0.4', '--json'], { cwd: dir, env: projectEnv() as Record<string, string> });
  const report = JSON.parse(result.stdout) as {
    passed: boolean;
    scenarios: { id: string; passed: boolean; measured: { proxy?: { faulted: number } } }[];
  };
  expect(result.exitCode, JSON.stringify(report.scenarios.filter((scenario) => !scenario.passed))).toBe(0);
  expect(report.passed).toBe(true);
  expect(report.scenarios.length).toBeGreaterThanOrEqual(3);
  for (const scenario of report.scenarios) {
    expect(scenario.passed, JSON.stringify(scenario)).toBe(true);
    expect(scenario.measured.proxy?.faulted ?? 1, scenario.id).toBeGreaterThan(0);
  }
}

describe('service-ts on the rag example (rag-helpdesk)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await exampleProject('rag-helpdesk');
  }, 300_000);

  it("makes only the rag task's files, reads the corpus from the project folder, and builds the index and the OpenAPI description", () => {
    expect(existsSync(join(dir, 'src/task/rag.ts'))).toBe(true);
    // Nothing of the classifier (its local tier, its labelled examples) nor of extract.
    for (const path of ['src/task/classify.ts', 'src/serving/local.ts', 'data', 'test/local-tier.test.ts', 'src/extract'])
      expect(existsSync(join(dir, path)), path).toBe(false);
    expect(existsSync(join(dir, 'src/corpus'))).toBe(false);
    const index = JSON.parse(readFileSync(join(dir, 'dist/rag-index.json'), 'utf8')) as { corpusDir: string; passages: number };
    expect(index.corpusDir).toBe(join(dir, 'corpus'));
    expect(index.passages).toBeGreaterThanOrEqual(7);
    const openapi = JSON.parse(readFileSync(join(dir, 'dist/openapi.json'), 'utf8')) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(['/v1/predict']);
  });

  it('answers a question from the corpus with a citation of the document that holds the answer', async () => {
    const report = await smoke(dir, {
      SMOKE_QUESTION: 'How long is the password reset link valid?',
      SMOKE_EXPECT_DOC: 'password-reset.md',
    });
    expect(report.ok, JSON.stringify(report.calls.filter((call) => !call.ok))).toBe(true);
    const answer = report.calls.find((call) => call.name === 'predict')!.body;
    expect(answer['citations']).toEqual(expect.arrayContaining([expect.objectContaining({ doc: 'password-reset.md' })]));
    expect(answer['degraded']).toBe(false);
    // The default question of smoke: one from the first document, cited back.
    expect((await smoke(dir)).ok).toBe(true);
  }, 120_000);

  it('passes its own type check and tests, failure scenarios included', async () => {
    const typecheck = await run('npm', ['run', 'typecheck'], dir);
    expect(typecheck.exitCode, typecheck.all).toBe(0);
    const tests = await run('npm', ['test'], dir);
    expect(tests.exitCode, tests.all).toBe(0);
    expect(tests.all).toMatch(/ungrounded-answer/);
  }, 300_000);

  it('passes its failure scenarios through validate (stage 5), shortened', async () => {
    await validateShortened(dir);
  }, 300_000);
});

describe('service-ts on the extract example (invoice-extract)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await exampleProject('invoice-extract');
  }, 300_000);

  it('answers a document with an object valid against the schema, and passes its own tests', async () => {
    expect(existsSync(join(dir, 'src/task/extract.ts'))).toBe(true);
    for (const path of ['src/rag', 'src/task/classify.ts', 'src/serving/local.ts', 'data', 'test/local-tier.test.ts'])
      expect(existsSync(join(dir, path)), path).toBe(false);
    const report = await smoke(dir);
    expect(report.ok, JSON.stringify(report.calls.filter((call) => !call.ok))).toBe(true);
    const tests = await run('npm', ['test'], dir);
    expect(tests.exitCode, tests.all).toBe(0);
    expect(tests.all).toMatch(/schema-violation/);
  }, 300_000);

  it('passes its failure scenarios through validate (stage 5), shortened', async () => {
    await validateShortened(dir);
  }, 300_000);
});
