import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBLEM_PLACEHOLDER } from '../../src/spec/placeholder.js';
import { runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

describe('shipshape init (the built CLI, CI=true)', () => {
  it('exits 2 listing the missing answers as flags, and writes nothing', async () => {
    const dir = tempDir();
    const result = await runCli(['init'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    // CI=true: said as the reason, whatever the terminal.
    expect(result.stderr).toMatch(/^Error: missing answers, and init does not prompt when CI is set: --name --owner --tier --problem /);
    expect(result.stderr).toMatch(/--failure-modes\n/);
    expect(result.stderr).toMatch(/Try this: .*--yes/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'shipshape.yaml'))).toBe(false);
  });

  it('exits 0 with --yes and flags, writing a spec that `check` passes', async () => {
    const dir = tempDir();
    const result = await runCli(['init', '--yes', '--name', 'ticket-router', '--tier', '1', '--p95-ms', '1000'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/Wrote .*shipshape\.yaml/);
    const text = readFileSync(join(dir, 'shipshape.yaml'), 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=\.shipshape\/shipshape\.schema\.json\n/);
    expect(text).toMatch(/^ {2}name: ticket-router$/m);
    expect(text).toMatch(/^ {4}p95Ms: 1000$/m);
    expect(existsSync(join(dir, '.shipshape', 'shipshape.schema.json'))).toBe(true);

    // Valid, so check passes; but the problem it could not guess is a placeholder, and check says so.
    const check = await runInProcess(['check'], { cwd: dir });
    expect(check.exitCode).toBe(0);
    expect(check.stdout).toMatch(/13:12 +warning +business\.problem is a placeholder .* placeholder-text\n/);
    // Nobody named an owner either: --yes writes a placeholder, never the account running init.
    expect(text).toMatch(/^ {2}owner: <owner>$/m);
    expect(check.stdout).toMatch(/warning +metadata\.owner is a placeholder \("<owner>"\).* placeholder-text\n/);
    expect(check.stdout).toMatch(/2 problems \(0 errors, 2 warnings\)/);

    writeFileSync(
      join(dir, 'shipshape.yaml'),
      text.replace(PROBLEM_PLACEHOLDER, 'Tickets wait hours to be routed.').replace('owner: <owner>', 'owner: lead@example.com'),
    );
    const fixed = await runInProcess(['check'], { cwd: dir });
    expect(fixed.stdout).toMatch(/1 spec checked, no problems/);
    expect(fixed.exitCode).toBe(0);
  });

  it("--api-key names the http tier's key variable; a literal key is refused", async () => {
    const dir = tempDir();
    const keyed = await runInProcess(['init', '--yes', '--models', 'single', '--api-key', '${TRIAGE_KEY}'], { cwd: dir });
    expect(keyed.exitCode, keyed.stderr).toBe(0);
    expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).toMatch(/apiKey: \$\{TRIAGE_KEY\}/);
    const literal = await runInProcess(['init', '--yes', '--models', 'single', '--api-key', 'sk-live-123'], { cwd: tempDir() });
    expect(literal.exitCode).toBe(2);
    expect(literal.stderr).toMatch(
      /^Error: --api-key must be an environment reference like \$\{LLM_API_KEY\}: keys never go in the spec\n/,
    );
  });

  it("--answers takes the flag's shape for failure modes", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'answers.yaml'), 'failureModes: upstream-failure,bad-output\n');
    const result = await runInProcess(['init', '--yes', '--answers', 'answers.yaml'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).toMatch(/- id: upstream-failure\n[\s\S]*- id: bad-output\n/);
  });

  it('what init --yes and design --yes write passes check, which warns about each placeholder until replaced', async () => {
    const dir = tempDir();
    expect((await runInProcess(['init', '--yes', '--models', 'single'], { cwd: dir })).exitCode).toBe(0);
    expect((await runInProcess(['design', '--yes'], { cwd: dir })).exitCode).toBe(0);
    const text = readFileSync(join(dir, 'shipshape.yaml'), 'utf8');
    expect(text).toMatch(/^ {2}oncall: <on-call rotation>$/m);
    const check = await runInProcess(['check'], { cwd: dir });
    expect(check.exitCode, check.stdout).toBe(0);
    for (const rule of ['placeholder-text', 'invented-contacts', 'review-owner'])
      expect(check.stdout).toMatch(new RegExp(`warning .* ${rule}\\n`));
    expect(check.stdout).not.toMatch(/ error /);
  });

  it('exits 2 on a bad flag value, with the schema message', async () => {
    const dir = tempDir();
    const result = await runInProcess(['init', '--yes', '--availability', '100'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^Error: --availability must be a percentage below 100/);
  });

  it('--from writes the bundled example; --json prints { file, spec }', async () => {
    const dir = tempDir();
    const result = await runInProcess(['init', '--from', 'support-triage', '--json'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.file).toBe(join(dir, 'shipshape.yaml'));
    expect(output.spec.metadata.name).toBe('support-triage');
    expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).toBe(
      `# yaml-language-server: $schema=.shipshape/shipshape.schema.json\n${readFileSync(EXAMPLE, 'utf8')}`,
    );
  });

  it('exits 2 for a p99 below the p95, naming both, and writes nothing; a p99 left out follows the p95', async () => {
    const dir = tempDir();
    const flags = ['init', '--yes', '--name', 'triage', '--owner', 'alice', '--problem', 'Tickets wait hours for routing.'];
    const result = await runInProcess([...flags, '--p95-ms', '3000', '--p99-ms', '2000'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--p99-ms must be at least the p95 latency (3000 ms)');
    expect(existsSync(join(dir, 'shipshape.yaml'))).toBe(false);
    const derived = await runInProcess([...flags, '--p95-ms', '3000'], { cwd: dir });
    expect(derived.exitCode).toBe(0);
    expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).toMatch(/p95Ms: 3000\n\s+p99Ms: 6000/);
  });

  it('--list-examples lists the bundled examples and writes nothing; --json too', async () => {
    const dir = tempDir();
    const listed = await runInProcess(['init', '--list-examples'], { cwd: dir });
    expect(listed.exitCode).toBe(0);
    // One line each, the descriptions in one column.
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines.map((line) => line.split(/ {2,}/)[0])).toEqual(['invoice-extract', 'rag-helpdesk', 'support-triage']);
    expect(new Set(lines.map((line) => /^\S+ +/.exec(line)![0].length)).size).toBe(1);
    expect(listed.stdout).toMatch(/^support-triage +Routes incoming support tickets/m);
    const json = await runInProcess(['init', '--list-examples', '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout).examples).toContainEqual({
      name: 'support-triage',
      description: 'Routes incoming support tickets to the right queue and drafts a first reply.',
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--from takes answer flags over the example; a bad one exits 2 and writes nothing', async () => {
    const dir = tempDir();
    const result = await runInProcess(['init', '--from', 'support-triage', '--name', 'foo', '--owner', 'me@example.com', '--dir', 'svc'], {
      cwd: dir,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const text = readFileSync(join(dir, 'svc', 'shipshape.yaml'), 'utf8');
    expect(text).toMatch(/^ {2}name: foo$/m);
    expect(text).toMatch(/^ {2}owner: me@example\.com$/m);
    expect(text).toContain('tier: 1                      # 1 business critical, 2 important, 3 experimental');
    const refused = await runInProcess(['init', '--from', 'support-triage', '--failure-modes', 'none', '--dir', 'other'], { cwd: dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/^Error: --failure-modes cannot be combined with --from/);
    expect(existsSync(join(dir, 'other'))).toBe(false);
  });

  it('exits 2 for an unknown example, naming the available ones', async () => {
    const dir = tempDir();
    const result = await runInProcess(['init', '--from', 'nope'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown example "nope"/);
    expect(result.stderr).toMatch(/Available examples: .*support-triage/);
  });

  it('never overwrites an existing spec without --force', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'shipshape.yaml'), 'mine\n');
    const refused = await runInProcess(['init', '--from', 'support-triage'], { cwd: dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/shipshape\.yaml already exists/);
    expect(refused.stderr).toMatch(/Try this: Pass --force/);
    expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).toBe('mine\n');

    const forced = await runInProcess(['init', '--from', 'support-triage', '--force'], { cwd: dir });
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).not.toBe('mine\n');
  });

  it('exits 2 for a bad answers file, at its line and column', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'answers.yaml'), 'name: svc\ntier: 7\n');
    const result = await runInProcess(['init', '--answers', 'answers.yaml', '--yes', '--dir', 'svc'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^Error: answers\.yaml:2:7 tier must be 1/);
    expect(existsSync(join(dir, 'svc'))).toBe(false);
  });
});
