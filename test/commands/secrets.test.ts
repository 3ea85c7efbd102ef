/**
 * Secrets through the built CLI (issue 12, class 4), on real files: `check` reports a secret
 * whatever else is wrong with the spec and never prints it in full, in any format; every stage
 * that builds on the spec refuses it in one line (exit 2), writes nothing, and prints it nowhere.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { EXAMPLE, tempDir, snapshot } from '../helpers/temp.js';

const example = readFileSync(EXAMPLE, 'utf8');
// Fake secrets are assembled at run time, so that secret scanners do not flag this file.
const KEY = ['sk-', 'proj-', 'aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0zA1bC3'].join('');
const GITHUB = ['ghp', '_', 'aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0zA1bC3dE'].join('');
const FORMATS = ['stylish', 'json', 'sarif', 'junit', 'github'] as const;

function edit(from: string, to: string, text = example): string {
  if (!text.includes(from)) throw new Error(`the example has no ${from}`);
  return text.replace(from, to);
}

function project(text: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'shipshape.yaml'), text);
  return dir;
}

/** The 1-based line and column of the first `needle` in `text`. */
function at(text: string, needle: string): string {
  const before = text.slice(0, text.indexOf(needle)).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

// A key in a comment beside a bad number, a token used as a key (which the schema also reports,
// quoting the key), and a key inside a value.
const BROKEN = edit(
  '  team: support-platform',
  `  team: "platform ${GITHUB}"\n  ${KEY}: 1`,
  edit('  peakRps: 40', `  peakRps: -40  # staging key ${KEY}`),
);

describe('check finds secrets whatever else is wrong, and prints none in full', () => {
  it.each(FORMATS)('%s: the schema problems and every secret, masked', async (format) => {
    const dir = project(BROKEN);
    const result = await runInProcess(['check', '--format', format], { cwd: dir });
    expect(result.exitCode).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).not.toContain(KEY);
    expect(output).not.toContain(GITHUB);
    expect(output).not.toContain(KEY.slice(8, 20));
    expect(output).toContain('sk-proj-…1bC3');
    expect(output).toContain('ghp_…C3dE');
    expect(output).toContain('no-secrets');
    expect(output).toContain('peakRps');
  });

  it('json: each secret at its file:line:col (the comment, the key, the value) beside the schema findings', async () => {
    const result = await runInProcess(['check', '--format', 'json'], { cwd: project(BROKEN) });
    const findings = (
      JSON.parse(result.stdout) as {
        results: { findings: { ruleId: string; message: string; range: { line: number; column: number } }[] }[];
      }
    ).results[0]!.findings;
    const secrets = findings.filter((finding) => finding.ruleId === 'no-secrets');
    expect(secrets.map((finding) => `${finding.range.line}:${finding.range.column}`)).toEqual([
      at(BROKEN, GITHUB),
      at(BROKEN, `${KEY}: 1`),
      at(BROKEN, `${KEY}\n`),
    ]);
    expect(secrets.map((finding) => finding.message.split(' holds')[0])).toEqual(['metadata.team', 'A key in metadata', 'A comment']);
    expect(findings.map((finding) => finding.ruleId)).toContain('schema');
    expect(findings.find((finding) => finding.message.startsWith('unknown key'))?.message).toBe('unknown key "sk-proj-…1bC3" in metadata');
  });

  it('a secret used as a duplicate key: the parse error and the secret, masked in every format (exit 2)', async () => {
    const dir = project(edit('  team: support-platform', `  ${KEY}: 1\n  ${KEY}: 2`));
    for (const format of FORMATS) {
      const result = await runInProcess(['check', '--format', format], { cwd: dir });
      expect(result.exitCode, format).toBe(2);
      const output = result.stdout + result.stderr;
      expect(output, format).not.toContain(KEY);
      expect(output, format).toContain('no-secrets');
      expect(output, format).toMatch(/duplicate key (?:"|\\"|&quot;)sk-proj-…1bC3/);
    }
  });

  it('a policy that turns no-secrets off is obeyed by check', async () => {
    const dir = project(edit('  peakRps: 40', `  peakRps: 40 # ${KEY}`));
    writeFileSync(join(dir, 'shipshape.policy.yaml'), 'rules:\n  no-secrets: off\n');
    const result = await runInProcess(['check'], { cwd: dir });
    expect(result.exitCode).toBe(0);
  });
});

describe('the stages refuse a spec that holds a secret', () => {
  const text = edit('  peakRps: 40', `  peakRps: 40  # staging key ${KEY}`);
  const line = `Error: shipshape.yaml:${at(text, KEY)} a comment holds what looks like an OpenAI API key (sk-proj-…1bC3): move it into an environment reference like \${OPENAI_API_KEY}`;

  it.each([
    ['design', ['design', '--yes']],
    ['generate', ['generate']],
    ['validate', ['validate']],
    ['deploy', ['deploy']],
    ['deploy (kubernetes dry run)', ['deploy', '--driver', 'kubernetes', '--dry-run']],
    ['runbook', ['runbook']],
    ['review', ['review', '--metrics', 'snapshot.yaml']],
  ])('%s: exit 2, one line naming file:line:col and ${VAR}, nothing written, the key printed nowhere', async (name, args) => {
    const dir = project(text);
    writeFileSync(join(dir, 'snapshot.yaml'), 'metrics: {}\n');
    const before = snapshot(dir);
    const result = await runInProcess(args, { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(line);
    expect(result.stderr).toContain(`\`shipshape ${name.split(' ')[0]}\` does not build on a spec that holds a secret`);
    expect(result.stdout + result.stderr).not.toContain(KEY);
    expect(snapshot(dir)).toEqual(before);
  });

  it('--json: the error object is masked too', async () => {
    const result = await runCli(['generate', '--json'], { cwd: project(text) });
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { message: expect.stringContaining('(sk-proj-…1bC3)') } });
    expect(result.stdout + result.stderr).not.toContain(KEY);
  });

  it('a secret and a schema problem: the secret is what is refused, the schema problem is not echoed with it', async () => {
    const dir = project(edit('  peakRps: 40', `  peakRps: -1  # ${KEY}`));
    const result = await runInProcess(['design', '--yes'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^Error: shipshape\.yaml:\d+:\d+ a comment holds what looks like an OpenAI API key/);
    expect(result.stdout + result.stderr).not.toContain(KEY);
  });

  it('status shows the finding masked, and any other command error is masked at the exit point', async () => {
    const status = await runInProcess(['status'], { cwd: project(text) });
    expect(status.stdout).toContain('sk-proj-…1bC3');
    expect(status.stdout + status.stderr).not.toContain(KEY);
    // init --iterate quotes the spec's problems as they are: the base command masks them.
    const broken = project(edit('  team: support-platform', `  ${KEY}: 1\n  ${KEY}: 2`));
    const iterate = await runInProcess(['init', '--iterate', '--yes'], { cwd: broken });
    expect(iterate.exitCode).toBe(2);
    expect(iterate.stdout + iterate.stderr).not.toContain(KEY);
  });
});
