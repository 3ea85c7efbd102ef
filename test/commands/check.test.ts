import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { generate, put } from '../helpers/generated.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

const example = readFileSync(EXAMPLE, 'utf8');

function project(text = example): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'shipshape.yaml'), text);
  return dir;
}

describe('shipshape check (the built CLI)', () => {
  it('exits 0 on the reference example and says so', async () => {
    const result = await runCli(['check'], { cwd: project() });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/1 spec checked, no problems/);
  });

  it('exits 1 with file:line:col, rule id and hint for a finding', async () => {
    const text = example.replace('\nresilience:', '\nreslience:');
    const result = await runInProcess(['check'], { cwd: project(text) });
    expect(result.exitCode).toBe(1);
    const line = text.split('\n').findIndex((l) => l.startsWith('reslience:')) + 1;
    expect(result.stdout).toContain('shipshape.yaml');
    expect(result.stdout).toMatch(new RegExp(`${line}:1\\s+error\\s+.*resilience.*\\s+schema`));
    expect(result.stderr).toBe('');
  });

  it('exits 2 with a clear line when there is no spec, or a flag is wrong', async () => {
    const empty = tempDir();
    const none = await runInProcess(['check'], { cwd: empty });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/^Error: no shipshape\.yaml in /);
    expect(none.stderr).toMatch(/Try this: Run `shipshape init`/);
    expect(none.stderr).not.toMatch(/\n\s+at /);

    const badFlag = await runInProcess(['check', '--format', 'xml'], { cwd: project() });
    expect(badFlag.exitCode).toBe(2);
    const missing = await runInProcess(['check', 'nope.yaml'], { cwd: project() });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/no such file or folder: nope\.yaml/);
  });

  it('exits 2 for an unreadable spec, with its position', async () => {
    const result = await runInProcess(['check'], { cwd: project('apiVersion: shipshape/v1\nkind: AIService\nkind: Other\n') });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toMatch(/3:1\s+error\s+.*kind/);
  });

  it('writes SARIF, JUnit and JSON to --output atomically, and GitHub annotations to stdout', async () => {
    const text = example.replace('target: 60\n', 'target: 300\n');
    const dir = project(text);
    const sarif = await runInProcess(['check', '--format', 'sarif', '--output', 'out/report.sarif'], { cwd: dir });
    // The folder does not exist: a clear error, no partial file.
    expect(sarif.exitCode).toBe(2);
    expect(existsSync(join(dir, 'out', 'report.sarif'))).toBe(false);

    const written = await runInProcess(['check', '--format', 'sarif', '--output', 'report.sarif'], { cwd: dir });
    expect(written.exitCode).toBe(1);
    expect(written.stdout).toBe('');
    const log = JSON.parse(readFileSync(join(dir, 'report.sarif'), 'utf8'));
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toContain('metric-direction');

    const junit = await runInProcess(['check', '--format', 'junit'], { cwd: dir });
    const xml = new XMLParser({ ignoreAttributes: false }).parse(junit.stdout);
    expect(Number(xml.testsuites['@_failures'])).toBeGreaterThan(0);

    const json = await runInProcess(['check', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(json.stdout).summary.errors).toBeGreaterThan(0);

    const github = await runInProcess(['check', '--format', 'github'], { cwd: dir });
    expect(github.stdout).toMatch(/^::error file=shipshape\.yaml,line=\d+,col=\d+.*metric-direction::/m);
  });

  it('--json prints the result object', async () => {
    const result = await runInProcess(['check', '--json'], { cwd: project() });
    expect(result.exitCode).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.summary).toMatchObject({ files: 1, errors: 0 });
  });

  it('honours --fail-severity, --max-warnings and --stage', async () => {
    const text = example.replace('tier: 1 ', 'tier: 2 ').replace('      - { name: business, metric: routing_accuracy, min: 0.88 }\n', '');
    const dir = project(text);
    expect((await runInProcess(['check'], { cwd: dir })).exitCode).toBe(0);
    expect((await runInProcess(['check', '--fail-severity', 'warn'], { cwd: dir })).exitCode).toBe(1);
    expect((await runInProcess(['check', '--max-warnings', '0'], { cwd: dir })).exitCode).toBe(1);

    const stageOne = project(example.slice(0, example.indexOf('\nmodels:') + 1));
    expect((await runInProcess(['check'], { cwd: stageOne })).exitCode).toBe(0);
    const gated = await runInProcess(['check', '--stage', '8'], { cwd: stageOne });
    expect(gated.exitCode).toBe(1);
    expect(gated.stdout).toMatch(/section-required/);
  });

  it('checks many specs in one call, from folders and globs', async () => {
    const dir = tempDir();
    for (const name of ['a', 'b']) {
      cpSync(EXAMPLE, join(dir, `${name}.shipshape.yaml`));
    }
    const folder = await runInProcess(['check', '.', '--json'], { cwd: dir });
    expect(JSON.parse(folder.stdout).summary.files).toBe(2);
    const glob = await runInProcess(['check', '*.shipshape.yaml', '--json'], { cwd: dir });
    expect(JSON.parse(glob.stdout).summary.files).toBe(2);
  });

  it('reports a managed file edited by hand in --format json and in the stylish report, and exits 1', async () => {
    const dir = project();
    generate(dir);
    expect((await runInProcess(['check', '--format', 'json'], { cwd: dir })).exitCode).toBe(0);
    put(dir, 'src/serving/app.ts', 'export const app = { patched: true };\n');
    put(dir, 'src/pipeline/steps.ts', 'export const steps = [clean];\n'); // seeded: the user's to edit

    const result = await runInProcess(['check', '--format', 'json'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { results: { file: string; findings: Record<string, unknown>[] }[]; summary: unknown };
    expect(report.summary).toMatchObject({ files: 1, errors: 1 });
    expect(report.results).toEqual([
      {
        file: 'shipshape.yaml',
        stage: 8,
        unreadable: false,
        findings: [
          {
            ruleId: 'managed-files',
            severity: 'error',
            message:
              'src/serving/app.ts is managed by the template pack service-ts but was edited by hand (its sha256 differs from .shipshape/manifest.json)',
            hint: expect.stringMatching(/^Move the change into the spec or the template pack/),
            file: 'src/serving/app.ts',
            range: { line: 1, column: 1, endLine: 1, endColumn: 1 },
          },
        ],
      },
    ]);

    // The stylish report heads the finding with the file it is in.
    const stylish = await runInProcess(['check'], { cwd: dir });
    expect(stylish.exitCode).toBe(1);
    expect(stylish.stdout).toMatch(/^src\/serving\/app\.ts\n {2}1:1 {2}error {2}src\/serving\/app\.ts is managed by .* {2}managed-files\n/);
  });

  it('reports a merged file left with conflict markers at the marker line, and exits 1', async () => {
    const dir = project();
    generate(dir);
    put(
      dir,
      'src/config.ts',
      'export const config = {\n<<<<<<< yours\n  region: "eu",\n=======\n  region: "us",\n>>>>>>> pack service-ts@1.5.0\n};\n',
    );
    const result = await runInProcess(['check'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /^src\/config\.ts\n {2}2:1 {2}error {2}src\/config\.ts has an unresolved merge conflict from `shipshape generate` at lines 2-6 {2}merge-conflicts\n/,
    );
  });
});
