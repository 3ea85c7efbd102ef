/**
 * Issue 12, terminal safety: text from files (state files under .shipshape/, spec values) never
 * reaches standard output or error with its control characters raw, in any command.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/in-process.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

/** What a terminal acts on rather than shows, but line feed and tab (a colour is off here: NO_COLOR). */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const example = readFileSync(EXAMPLE, 'utf8');
const TIMEOUT = 120_000;

function project(spec = example): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'shipshape.yaml'), spec);
  mkdirSync(join(dir, '.shipshape'));
  return dir;
}

async function expectNoRaw(args: string[], cwd: string, mustShow: string) {
  const result = await runInProcess(args, { cwd });
  const output = result.stdout + result.stderr;
  expect(output, `shipshape ${args.join(' ')}`).not.toMatch(RAW);
  expect(output, `shipshape ${args.join(' ')}`).toContain(mustShow);
  return result;
}

describe('control characters from files are escaped on the terminal', () => {
  it('an escape sequence in .shipshape/deployments.json: status, deploy status, deploy history', { timeout: TIMEOUT }, async () => {
    const dir = project();
    const reason = '\x1b]0;PWNED\x07\x1b[2J\u009b2J\u202e gone';
    writeFileSync(
      join(dir, '.shipshape', 'deployments.json'),
      JSON.stringify([{ specHash: 'x', status: 'failed', startedAt: '2026-12-01T00:00:00Z', finishedAt: '2026-12-01T00:01:00Z', reason }]),
    );
    await expectNoRaw(['deploy', 'history'], dir, '\\x1b]0;PWNED\\x07\\x1b[2J\\x9b2J\\u202e gone');
    await expectNoRaw(['deploy', 'status'], dir, '\\x1b]0;PWNED');
    const json = await expectNoRaw(['deploy', 'history', '--json'], dir, '\\u001b]0;PWNED');
    // The same value, escaped as JSON escapes.
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain('PWNED');
    expect((JSON.parse(json.stdout) as { deployments: { reason?: string }[] }).deployments[0]?.reason).toBe(reason);

    // Not JSON at all: the parse error quotes the bytes.
    writeFileSync(join(dir, '.shipshape', 'deployments.json'), '\x1b]0;PWNED\x07\x1b[2J\n\x1b[1A not json');
    const status = await expectNoRaw(['status'], dir, '.shipshape/deployments.json is not valid JSON');
    // The evidence stays on its row: the table has its header and eight stages, no forged line.
    expect(status.stdout.split('\n').filter((line) => /^ {2}\d /.test(line))).toHaveLength(8);
  });

  it('an escape sequence in a spec description: check, runbook --dry-run, design --dry-run', { timeout: TIMEOUT }, async () => {
    const dir = project(example.replace(/^ {2}description: .*$/m, '  description: "Triage \\e]0;PWNED\\a\\e[2J \\u202e evil \\x9b2J"'));
    await expectNoRaw(['runbook', '--dry-run'], dir, 'Triage \\x1b]0;PWNED\\x07\\x1b[2J \\u202e evil \\x9b2J');
    await expectNoRaw(['check'], dir, 'no problems');
    await expectNoRaw(['check', '--format', 'github'], dir, '');
    await expectNoRaw(['design', '--dry-run', '--yes'], dir, 'Dry run');
  });

  it('in an error message: a file name and a spec value are escaped', { timeout: TIMEOUT }, async () => {
    const dir = project(example.replace(/^metadata:$/m, 'metadata:\n  "\\e[2Jbad": 1'));
    const check = await expectNoRaw(['check', '--stage', '1'], dir, '\\x1b[2Jbad');
    expect(check.exitCode).toBe(1);
    const missing = await expectNoRaw(['design', '--spec', 'x\x1b[2J.yaml', '--dry-run', '--yes'], dir, 'x\\x1b[2J.yaml');
    expect(missing.exitCode).toBe(2);
  });
});
