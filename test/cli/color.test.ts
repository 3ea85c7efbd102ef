/**
 * NO_COLOR and FORCE_COLOR on a real (pseudo-)terminal and in a pipe, through the built CLI: every
 * library that colours (chalk for the reports, ansis for oclif's help, colorette for listr2) must
 * agree, whichever of the two variables says it.
 */
import { describe, expect, it } from 'vitest';
import { runCli, runCliOnTerminal } from '../helpers/cli.js';
import { exampleProject } from '../helpers/temp.js';

// eslint-disable-next-line no-control-regex
const ESCAPE = /\u001b\[[0-9;]*m/;

const project = exampleProject;

describe('colour on a terminal', () => {
  it('colours status, check and help on a terminal when nothing says otherwise (the guard can trip)', async () => {
    const dir = project();
    for (const args of [['status'], ['check', '--stage', '8'], ['check', '--help']]) {
      const result = await runCliOnTerminal(args, { cwd: dir });
      expect(result.output, args.join(' ')).toMatch(ESCAPE);
    }
  });

  for (const [label, env] of [
    ['NO_COLOR=1', { NO_COLOR: '1' }],
    ['FORCE_COLOR=0', { FORCE_COLOR: '0' }],
    ['FORCE_COLOR=false', { FORCE_COLOR: 'false' }],
  ] as const) {
    it(`${label}: no escape code from status, check, help or an error`, async () => {
      const dir = project();
      for (const args of [['status'], ['check', '--stage', '8'], ['check', '--help'], ['check', '--stage', '9']]) {
        const result = await runCliOnTerminal(args, { cwd: dir, env });
        expect(result.output, args.join(' ')).not.toMatch(ESCAPE);
        expect(result.output.length, args.join(' ')).toBeGreaterThan(20);
      }
    });
  }

  it('an empty NO_COLOR is not set (no-color.org): colour stays', async () => {
    const result = await runCliOnTerminal(['status'], { cwd: project(), env: { NO_COLOR: '' } });
    expect(result.output).toMatch(ESCAPE);
  });

  it('FORCE_COLOR wins over NO_COLOR, as in Node, and Node does not warn about the pair', async () => {
    const result = await runCliOnTerminal(['status'], { cwd: project(), env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(result.output).toMatch(ESCAPE);
    expect(result.output).not.toContain('Warning');
  });
});

describe('colour in a pipe', () => {
  it('is off by default, and FORCE_COLOR=1 turns it on for the report on standard output', async () => {
    const dir = project();
    const plain = await runCli(['status'], { cwd: dir, env: {} });
    expect(plain.stdout).not.toMatch(ESCAPE);
    const forced = await runCli(['status'], { cwd: dir, env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(forced.exitCode).toBe(0);
    expect(forced.stdout).toMatch(ESCAPE);
  });

  it('--json stays plain JSON under FORCE_COLOR', async () => {
    const result = await runCli(['status', '--json'], { cwd: project(), env: { FORCE_COLOR: '3' } });
    expect(result.stdout).not.toMatch(ESCAPE);
    expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
  });
});
