/**
 * Habits people bring from other CLIs, through the built CLI: -v and -h, oclif's parse errors in
 * one line with exit 2, the reason init will not prompt, one output format at a time, and a JUnit
 * report that fails exactly when the exit code does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { EXAMPLE, ROOT, tempDir, exampleProject } from '../helpers/temp.js';

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const project = exampleProject;

describe('-v and -h', () => {
  it('-v is --version, -h is --help', async () => {
    const dir = tempDir();
    for (const flag of ['-v', '--version']) {
      const result = await runCli([flag], { cwd: dir });
      expect([result.exitCode, result.stdout]).toEqual([0, expect.stringContaining(`shipshape/${version}`)]);
    }
    const help = await runCli(['-h'], { cwd: dir });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('USAGE');
  });
});

describe('usage errors', () => {
  const cases: Array<[string[], string]> = [
    [['check', '--bogus'], 'unknown flag --bogus'],
    [['check', '--bogus', '--other'], 'unknown flags --bogus, --other'],
    [['init', '--from', 'support-triage', '--yes'], '--yes cannot be used with --from'],
    [['init', '--dry-run'], '--dry-run needs --iterate'],
    [['check', '--stage', '9'], '--stage expects an integer less than or equal to 8, not 9'],
    [['check', '--format', 'nope'], '--format must be one of stylish, json, sarif, junit, github, not nope'],
    [['init', '--tier'], '--tier needs a value'],
    [['status', 'extra'], 'shipshape status takes no arguments, and was given extra'],
    [['deploy', 'bogus'], 'bogus is not a shipshape deploy subcommand (history, promote, rollback, status, stop)'],
  ];
  for (const [args, message] of cases) {
    it(`${args.join(' ')}: one line, one hint, exit 2`, async () => {
      const result = await runInProcess(args, { cwd: tempDir() });
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toBe(`Error: ${message}`);
      expect(lines[1]).toMatch(/^Try this: `shipshape [a-z ]+--help` /);
      expect(result.stderr).not.toMatch(/following error|See more help/);
    });
  }

  it('--json gets the same line as JSON on standard output', async () => {
    const result = await runInProcess(['check', '--bogus', '--json'], { cwd: tempDir() });
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { message: 'unknown flag --bogus', hint: '`shipshape check --help` lists the flags this command takes.' },
    });
  });
});

describe('why a command does not prompt', () => {
  it('names CI=true, not a missing terminal, and standard input when that is the reason', async () => {
    const ci = await runInProcess(['init'], { cwd: tempDir() });
    expect(ci.stderr).toMatch(/^Error: missing answers, and init does not prompt when CI is set: --name /);
    const piped = await runCli(['init'], { cwd: tempDir(), env: { CI: '' } });
    expect(piped.exitCode).toBe(2);
    expect(piped.stderr).toMatch(/^Error: missing answers, and init does not prompt when standard input is not a terminal: --name /);
    const design = await runInProcess(['design'], { cwd: project() });
    expect(design.exitCode).toBe(2);
    expect(design.stderr).toMatch(/it does not ask to confirm when CI is set\n/);
  });
});

describe('check: one output at a time, and JUnit as the exit code says', () => {
  it('refuses --json with a report format, from the flag or the environment; --json --format json is fine', async () => {
    const dir = project();
    const flag = await runInProcess(['check', '--json', '--format', 'sarif'], { cwd: dir });
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr.split('\n')[0]).toBe(
      'Error: --json prints the check result as JSON, and --format sarif asks for the sarif report: one output at a time',
    );
    const env = await runInProcess(['check', '--json'], { cwd: dir, env: { SHIPSHAPE_FORMAT: 'junit' } });
    expect(env.exitCode).toBe(2);
    expect(env.stderr).toContain('SHIPSHAPE_FORMAT=junit asks for the junit report');
    const json = await runInProcess(['check', '--json', '--format', 'json'], { cwd: dir });
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ exitCode: 0 });
  });

  it('a warning is a JUnit failure only when it fails the run', async () => {
    const dir = tempDir();
    const text = readFileSync(EXAMPLE, 'utf8').replace('owner: support-ai-lead@example.com\n', 'owner: TBD\n');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'shipshape.yaml'), text);
    const passing = await runInProcess(['check', '--format', 'junit'], { cwd: dir });
    expect(passing.exitCode).toBe(0);
    expect(passing.stdout).not.toContain('<failure');
    expect(passing.stdout).toMatch(/failures="0"/);
    expect(passing.stdout).toContain('<system-out>warning: metadata.owner is a placeholder');
    const failing = await runInProcess(['check', '--format', 'junit', '--fail-severity', 'warn'], { cwd: dir });
    expect(failing.exitCode).toBe(1);
    expect(failing.stdout).toMatch(/<failure message="metadata\.owner is a placeholder[^"]*" type="warn">/);
  });
});
