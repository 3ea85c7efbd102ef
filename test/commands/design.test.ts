import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

const example = readFileSync(EXAMPLE, 'utf8');
/** The reference example without its later sections: what `design` starts from. */
const stageOne = example.slice(0, example.indexOf('\narchitecture:') + 1);

function project(text = stageOne): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'shipshape.yaml'), text);
  return dir;
}

describe('shipshape design (the built CLI)', () => {
  it('--yes writes the spec, the ADR and the diagram; tables on stdout, notes on stderr; check --stage 8 passes', async () => {
    const dir = project();
    const result = await runCli(['design', '--yes'], { cwd: dir });
    expect(result.stderr).toContain('Wrote shipshape.yaml, docs/adr/0001-architecture.md, docs/architecture.mmd.');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Failure modes, highest risk first');
    expect(result.stdout).toMatch(/\+ circuit-breaker\s+added\s+llm-outage, llm-slow/);
    expect(result.stdout).toContain('path fast -> strong                              1,950 ms');
    expect(result.stdout).toMatch(/break-even escalation rate\s+0\.4167/);
    expect(result.stdout).not.toContain('Wrote');
    expect(existsSync(join(dir, 'docs', 'adr', '0001-architecture.md'))).toBe(true);
    expect(existsSync(join(dir, 'docs', 'architecture.mmd'))).toBe(true);

    const check = await runInProcess(['check', '--stage', '8'], { cwd: dir });
    expect(check.stdout).toMatch(/no problems|0 errors/);
    expect(check.exitCode).toBe(0);
  });

  it('exits 2 under CI without --yes, with a hint, and writes nothing', async () => {
    const dir = project();
    const result = await runInProcess(['design'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^Error: design would write .* it does not ask to confirm when CI is set\n/);
    expect(result.stderr).toMatch(/Try this: Pass --yes/);
    expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).toBe(stageOne);
    expect(existsSync(join(dir, 'docs'))).toBe(false);
  });

  it('--dry-run prints the diff and writes nothing', async () => {
    const dir = project();
    const result = await runInProcess(['design', '--dry-run'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('+architecture:');
    expect(result.stdout).toContain('+# ADR 0001: Architecture of support-triage');
    expect(result.stderr).toContain('Dry run: nothing was written.');
    expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).toBe(stageOne);
    expect(existsSync(join(dir, 'docs'))).toBe(false);
  });

  it('--json returns the report, budget figures included, and nothing else on stdout', async () => {
    const dir = project();
    const result = await runInProcess(['design', '--yes', '--json'], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as {
      budget: {
        latency: { worstCaseMs: number };
        cost: { perRequestUsd: number; monthlyUsd: number };
        availability: { withFallback: number };
      };
      written: string[];
      patterns: { pattern: string; status: string }[];
    };
    expect(report.budget.latency.worstCaseMs).toBe(1950);
    expect(report.budget.cost.perRequestUsd).toBeCloseTo(0.0014, 10);
    expect(report.budget.cost.monthlyUsd).toBeCloseTo(8400, 6);
    expect(report.budget.availability.withFallback).toBeCloseTo(99.99999, 8);
    expect(report.written).toEqual(['shipshape.yaml', 'docs/adr/0001-architecture.md', 'docs/architecture.mmd']);
    expect(report.patterns.filter((p) => p.status === 'added')).toHaveLength(9);
  });

  it('exits 2 on an invalid spec with file:line:col and no stack trace', async () => {
    const dir = project(stageOne.replace('p95Ms: 1200', 'p95Ms: -5'));
    const line = stageOne.split('\n').findIndex((l) => l.includes('p95Ms: 1200')) + 1;
    const result = await runInProcess(['design', '--yes'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^Error: shipshape\\.yaml:${line}:12 slo\\.latency\\.p95Ms`));
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
