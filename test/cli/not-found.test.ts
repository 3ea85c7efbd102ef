/** An unknown command, as people type it: the built CLI as a process. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { tempDir } from '../helpers/temp.js';

describe('an unknown command', () => {
  it('is bad usage (exit 2), naming the closest command with the arguments given', async () => {
    const result = await runInProcess(['chek', '--stage', '2'], { cwd: tempDir() });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'Error: chek is not a shipshape command: did you mean check?\nTry this: `shipshape check --stage 2`, or `shipshape --help` for the list of commands.',
    );
  });

  it('suggests nothing when nothing is close', async () => {
    const result = await runInProcess(['frobnicate'], { cwd: tempDir() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('Error: frobnicate is not a shipshape command\nTry this: `shipshape --help` for the list of commands.');
  });

  it('answers in JSON on standard output under --json', async () => {
    const result = await runInProcess(['generat', '--json'], { cwd: tempDir() });
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        message: 'generat is not a shipshape command: did you mean generate?',
        hint: '`shipshape generate --json`, or `shipshape --help` for the list of commands.',
      },
    });
  });
});

describe('shipshape help', () => {
  it('shows the help of a command, as --help does', async () => {
    const [help, flag] = await Promise.all([
      runCli(['help', 'check'], { cwd: tempDir() }),
      runCli(['check', '--help'], { cwd: tempDir() }),
    ]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('$ shipshape check');
    expect(help.stdout).toBe(flag.stdout);
  });

  it('alone, shows the list of commands', async () => {
    const result = await runCli(['help'], { cwd: tempDir() });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/COMMANDS\n[\s\S]*check/);
  });

  it('for a command that does not exist, says so as running it would', async () => {
    const result = await runInProcess(['help', 'chek'], { cwd: tempDir() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^Error: chek is not a shipshape command: did you mean check\?\n/);
  });
});
