import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck, type CheckOptions } from '../../src/check/engine.js';
import { UserError } from '../../src/errors.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

const example = readFileSync(EXAMPLE, 'utf8');
const today = new Date('2026-11-24T12:00:00Z');

function check(cwd: string, options: Partial<CheckOptions> = {}) {
  return runCheck({ paths: [], cwd, failSeverity: 'error', today, ...options });
}

/** The stage-1 part of the example: everything up to `slo`. */
const stageOne = example.slice(0, example.indexOf('\nmodels:') + 1);

describe('runCheck', () => {
  it('passes the reference example at its own stage and at every stage', async () => {
    const dir = tempDir();
    cpSync(EXAMPLE, join(dir, 'shipshape.yaml'));
    const result = await check(dir);
    expect(result.results[0]!.stage).toBe(8);
    expect(result.summary).toMatchObject({ files: 1, errors: 0, unreadable: 0 });
    expect(result.exitCode).toBe(0);
    expect((await check(dir, { stage: 8 })).exitCode).toBe(0);
  });

  it('finds the spec from a subfolder', async () => {
    const dir = tempDir();
    cpSync(EXAMPLE, join(dir, 'shipshape.yaml'));
    mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
    const result = await check(join(dir, 'src', 'deep'));
    expect(result.results.map((r) => r.file)).toEqual([join(dir, 'shipshape.yaml')]);
  });

  it('exits 1 on a rule error, located at the field', async () => {
    const dir = tempDir();
    const text = example.replace('target: 60\n', 'target: 300\n');
    writeFileSync(join(dir, 'shipshape.yaml'), text);
    const result = await check(dir);
    expect(result.exitCode).toBe(1);
    const finding = result.results[0]!.findings.find((f) => f.ruleId === 'metric-direction');
    expect(finding).toBeDefined();
    const line = text.split('\n').findIndex((l) => l.includes('target: 300')) + 1;
    expect(finding!.range.line).toBe(line);
    expect(finding!.file).toBe('shipshape.yaml');
  });

  it('reports a misspelt section once, and still runs the rules on the rest of the spec', async () => {
    const dir = tempDir();
    const text = example.replace('\nresilience:', '\nreslience:').replace('target: 60\n', 'target: 300\n');
    writeFileSync(join(dir, 'shipshape.yaml'), text);
    const findings = (await check(dir)).results[0]!.findings;
    expect(findings.map((f) => [f.ruleId, f.message])).toEqual([
      ['metric-direction', expect.stringContaining('target 300 is above baseline 240')],
      ['schema', 'unknown key "reslience"; did you mean "resilience"?'],
    ]);
    // A section that is really missing is still reported.
    writeFileSync(join(dir, 'shipshape.yaml'), text.replace('\nreslience:', '\nresilence_notes:'));
    expect((await check(dir)).results[0]!.findings.map((f) => f.ruleId)).toContain('section-required');
  });

  it('exits 2 when a file cannot be read as YAML, and still checks the others', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.shipshape.yaml'), example);
    writeFileSync(join(dir, 'b.shipshape.yaml'), Buffer.from([0, 1, 2, 0xff, 0xfe]));
    const result = await check(dir, { paths: [dir] });
    expect(result.summary.files).toBe(2);
    expect(result.summary.unreadable).toBe(1);
    expect(result.exitCode).toBe(2);
    expect(result.results.find((r) => r.file.endsWith('a.shipshape.yaml'))!.findings).toEqual([]);
  });

  it('gates rules by stage: a stage-1 spec is not failed for later sections unless --stage asks', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'shipshape.yaml'), stageOne);
    const atOwnStage = await check(dir);
    expect(atOwnStage.results[0]!.stage).toBe(1);
    expect(atOwnStage.exitCode).toBe(0);
    const atSix = await check(dir, { stage: 6 });
    expect(atSix.exitCode).toBe(1);
    const missing = atSix.results[0]!.findings.filter((f) => f.ruleId === 'section-required').map((f) => f.message);
    expect(missing.join('\n')).toMatch(/deploy/);
    expect(missing.join('\n')).not.toMatch(/monitoring|review/);
  });

  it('applies --fail-severity and --max-warnings', async () => {
    const dir = tempDir();
    // A tier-2 service whose deploy analysis has no business metric: a warning, not an error.
    const text = example.replace('tier: 1 ', 'tier: 2 ').replace('      - { name: business, metric: routing_accuracy, min: 0.88 }\n', '');
    writeFileSync(join(dir, 'shipshape.yaml'), text);
    const lenient = await check(dir);
    expect(lenient.summary.errors).toBe(0);
    expect(lenient.summary.warnings).toBeGreaterThan(0);
    expect(lenient.exitCode).toBe(0);
    expect((await check(dir, { failSeverity: 'warn' })).exitCode).toBe(1);
    expect((await check(dir, { maxWarnings: 0 })).exitCode).toBe(1);
    expect((await check(dir, { maxWarnings: lenient.summary.warnings })).exitCode).toBe(0);
  });

  it('gives the same results in worker threads as in one thread', async () => {
    const dir = tempDir();
    const variants = [
      example,
      example.replace('target: 60\n', 'target: 300\n'),
      example.replace('\nresilience:', '\nreslience:'),
      stageOne,
    ];
    for (let i = 0; i < 160; i++) {
      const sub = join(dir, `svc-${String(i).padStart(3, '0')}`);
      mkdirSync(sub);
      writeFileSync(join(sub, 'shipshape.yaml'), variants[i % variants.length]!);
    }
    const serial = await check(dir, { paths: ['.'], jobs: 0 });
    const parallel = await check(dir, { paths: ['.'], jobs: 2 });
    expect(serial.summary.files).toBe(160);
    expect(serial.summary.errors).toBeGreaterThan(0);
    expect(parallel).toEqual(serial);
  });

  describe('with a policy', () => {
    it('applies shipshape.policy.yaml found upward: severities, requirements and exceptions', async () => {
      const dir = tempDir();
      mkdirSync(join(dir, 'services', 'triage'), { recursive: true });
      writeFileSync(join(dir, 'services', 'triage', 'shipshape.yaml'), example.replace('availability: 99.9 ', 'availability: 99.5 '));
      writeFileSync(
        join(dir, 'shipshape.policy.yaml'),
        [
          'rules:',
          '  review-owner: off',
          'require:',
          '  - field: slo.availability',
          '    min: 99.9',
          '    when: { tier: 1 }',
          '    reason: Tier-1 services promise three nines.',
          '',
        ].join('\n'),
      );
      const result = await check(dir, { paths: ['services'] });
      const finding = result.results[0]!.findings.find((f) => f.ruleId === 'policy-require');
      expect(finding?.message).toMatch(/99\.5.*99\.9/);
      expect(result.exitCode).toBe(1);

      writeFileSync(
        join(dir, 'shipshape.policy.yaml'),
        [
          'require:',
          '  - field: slo.availability',
          '    min: 99.9',
          'exceptions:',
          '  - rule: policy-require',
          '    reason: Internal tool, agreed with the SRE lead.',
          '    owner: jane@example.com',
          '    expires: 2027-01-31',
          '',
        ].join('\n'),
      );
      const waived = await runCheck({ paths: ['services'], cwd: dir, failSeverity: 'error', today });
      expect(waived.summary.exceptions).toBe(1);
      expect(waived.summary.errors).toBe(0);
      expect(waived.exitCode).toBe(0);

      const later = await runCheck({ paths: ['services'], cwd: dir, failSeverity: 'error', today: new Date('2027-02-01T00:00:00Z') });
      expect(later.exitCode).toBe(1);
      const expired = later.results.flatMap((r) => r.findings).find((f) => f.ruleId === 'policy-exception-expired');
      expect(expired?.file).toBe('shipshape.policy.yaml');
      expect(later.summary.exceptions).toBe(0);
      expect(later.summary.errors).toBe(2);

      const without = await runCheck({ paths: ['services'], cwd: dir, failSeverity: 'error', today, noPolicy: true });
      expect(without.exitCode).toBe(0);
    });

    it('refuses a broken policy before checking anything', async () => {
      const dir = tempDir();
      cpSync(EXAMPLE, join(dir, 'shipshape.yaml'));
      writeFileSync(join(dir, 'org.yaml'), 'rules:\n  cost-budjet: off\n');
      const failure = await check(dir, { policy: 'org.yaml' }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(UserError);
      expect((failure as UserError).located).toMatch(/org\.yaml:2:3 .*cost-budget/);
    });
  });
});
