/** `shipshape runbook` as a process: what it writes, --dry-run, --json, --force, and status afterwards. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { exampleProject } from '../helpers/temp.js';

const FILES = [
  'docs/runbook.md',
  'monitoring/prometheus-rules.yaml',
  'monitoring/prometheus-rules.test.yaml',
  'monitoring/grafana-dashboard.json',
];

const project = exampleProject;

describe('shipshape runbook', () => {
  it('writes the four files, and status counts stage 7 done', async () => {
    const dir = project();
    const result = await runCli(['runbook', '--json'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { written: string[]; alerts: { name: string }[] };
    expect(report.written.sort()).toEqual([...FILES].sort());
    expect(report.alerts.map((alert) => alert.name)).toContain('AvailabilityBudgetBurnFast');
    for (const file of FILES) expect(existsSync(join(dir, file)), file).toBe(true);
    const status = await runInProcess(['status', '--json'], { cwd: dir });
    expect(status.stdout).toMatch(/"number":\s*7[\s\S]*?"state":\s*"done"/);
  });

  it('writes nothing with --dry-run, and prints the diff', async () => {
    const dir = project();
    const result = await runInProcess(['runbook', '--dry-run'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('+# Runbook: support-triage');
    for (const file of FILES) expect(existsSync(join(dir, file)), file).toBe(false);
  });

  it('refuses to replace a file it did not write, writing nothing, unless --force', async () => {
    const dir = project();
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', 'runbook.md'), '# Our own runbook\n');
    const refused = await runInProcess(['runbook'], { cwd: dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('not written by shipshape runbook');
    expect(readFileSync(join(dir, 'docs', 'runbook.md'), 'utf8')).toBe('# Our own runbook\n');
    expect(existsSync(join(dir, 'monitoring'))).toBe(false);
    const forced = await runInProcess(['runbook', '--force'], { cwd: dir });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'docs', 'runbook.md'), 'utf8')).toContain('# Runbook: support-triage');
  });
});
