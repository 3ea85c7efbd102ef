import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck, type CheckOptions } from '../../src/check/engine.js';
import type { Finding } from '../../src/check/types.js';
import { UserError } from '../../src/errors.js';
import { generate, GENERATED, MANIFEST, put } from '../helpers/generated.js';
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

  describe('on generated projects', () => {
    /** services/<name>/: the example spec and what `generate` left beside it. */
    function service(dir: string, name: string, text = example): string {
      const root = join(dir, 'services', name);
      put(root, 'shipshape.yaml', text);
      generate(root);
      return root;
    }
    const project = (findings: Finding[]) => findings.filter((f) => ['managed-files', 'template-pack'].includes(f.ruleId));

    it('reports an edited managed file at that file, named like the spec, and not a seeded one', async () => {
      const dir = tempDir();
      const root = service(dir, 'triage');
      expect((await check(dir, { paths: ['services'] })).exitCode).toBe(0);
      put(root, 'src/serving/app.ts', 'export const app = { patched: true };\n');
      put(root, 'src/pipeline/steps.ts', 'export const steps = [clean];\n');
      const result = await check(dir, { paths: ['services'] });
      expect(result.exitCode).toBe(1);
      expect(result.results[0]!.file).toBe('services/triage/shipshape.yaml');
      expect(project(result.results[0]!.findings)).toEqual([
        {
          ruleId: 'managed-files',
          severity: 'error',
          message: expect.stringMatching(/^src\/serving\/app\.ts is managed by the template pack service-ts but was edited by hand/),
          hint: expect.stringMatching(/^Move the change into the spec or the template pack/),
          file: 'services/triage/src/serving/app.ts',
          range: { line: 1, column: 1, endLine: 1, endColumn: 1 },
        },
      ]);
      // From inside the project the names are shorter; from outside cwd, absolute.
      expect(project((await check(root, { paths: ['shipshape.yaml'] })).results[0]!.findings)[0]).toMatchObject({
        file: 'src/serving/app.ts',
      });
      const elsewhere = await check(tempDir(), { paths: [join(root, 'shipshape.yaml')] });
      expect(project(elsewhere.results[0]!.findings)[0]).toMatchObject({ file: join(root, 'src', 'serving', 'app.ts') });
    });

    it('runs the project rules from stage 3 only, unless --stage asks', async () => {
      const dir = tempDir();
      const stageTwo = example.slice(0, example.indexOf('\nresilience:') + 1);
      const root = service(dir, 'triage', stageTwo);
      put(root, 'src/serving/app.ts', 'patched\n');
      const atTwo = await check(dir, { paths: ['services'] });
      expect(atTwo.results[0]!.stage).toBe(2);
      expect(project(atTwo.results[0]!.findings)).toEqual([]);
      expect(project((await check(dir, { paths: ['services'], stage: 3 })).results[0]!.findings)).toHaveLength(1);
    });

    it('a corrupt manifest is a finding at the manifest, not a crash', async () => {
      const dir = tempDir();
      const root = service(dir, 'triage');
      put(root, MANIFEST, '{ "files": ');
      const result = await check(dir, { paths: ['services'] });
      expect(result.exitCode).toBe(1);
      expect(project(result.results[0]!.findings)).toEqual([
        expect.objectContaining({
          ruleId: 'managed-files',
          file: 'services/triage/.shipshape/manifest.json',
          range: expect.objectContaining({ line: 1, column: 1 }),
        }),
      ]);
    });

    it('follows the policy: severities and overrides, the template requirement, exceptions naming the project or the file', async () => {
      const dir = tempDir();
      const triage = service(dir, 'triage');
      const search = service(dir, 'search');
      for (const root of [triage, search]) put(root, 'src/serving/app.ts', 'patched\n');
      const policy = (lines: string[]) => put(dir, 'shipshape.policy.yaml', `${lines.join('\n')}\n`);
      const findings = async () =>
        project((await check(dir, { paths: ['services'] })).results.flatMap((r) => r.findings)).map((f) => [
          f.ruleId,
          f.file,
          f.exception ? 'waived' : f.severity,
        ]);

      policy(['rules: { managed-files: warn }', 'overrides:', '  - files: services/search', '    rules: { managed-files: off }']);
      expect(await findings()).toEqual([['managed-files', 'services/triage/src/serving/app.ts', 'warn']]);

      // An exception may name the managed file itself...
      const exception = (files: string) => [
        'exceptions:',
        '  - rule: managed-files',
        `    files: ${files}`,
        '    reason: Patched until the pack ships the fix (PLAT-112).',
        '    owner: jane@example.com',
        '    expires: 2027-01-31',
      ];
      policy(exception('services/triage/src/serving/app.ts'));
      expect(await findings()).toEqual([
        ['managed-files', 'services/search/src/serving/app.ts', 'error'],
        ['managed-files', 'services/triage/src/serving/app.ts', 'waived'],
      ]);
      // ...or the project, by its spec or its folder.
      policy(exception('services/search/shipshape.yaml'));
      expect(await findings()).toEqual([
        ['managed-files', 'services/search/src/serving/app.ts', 'waived'],
        ['managed-files', 'services/triage/src/serving/app.ts', 'error'],
      ]);
      policy(exception('services/triage/src/other.ts'));
      expect((await findings()).map((f) => f[2])).toEqual(['error', 'error']);

      policy(['rules: { managed-files: off }', 'template: { pack: service-ts, minVersion: 1.5.0 }']);
      const result = await check(dir, { paths: ['services'] });
      expect(project(result.results.flatMap((r) => r.findings))).toEqual([
        expect.objectContaining({
          ruleId: 'template-pack',
          file: 'services/search/.shipshape/manifest.json',
          message: 'the project was generated from service-ts 1.4.0, but the policy (../../shipshape.policy.yaml) requires 1.5.0 or later',
          hint: expect.stringMatching(/^Run `shipshape generate --upgrade`/),
        }),
        expect.objectContaining({ ruleId: 'template-pack', file: 'services/triage/.shipshape/manifest.json' }),
      ]);
      expect(result.exitCode).toBe(1);
      policy(['rules: { managed-files: off }', 'template: { pack: service-ts, minVersion: 1.4.0 }']);
      expect((await check(dir, { paths: ['services'] })).exitCode).toBe(0);
    });

    it('says a project under a pack policy has not been generated, at its spec', async () => {
      const dir = tempDir();
      put(dir, 'services/triage/shipshape.yaml', example);
      put(dir, 'shipshape.policy.yaml', 'template: { pack: service-ts }\n');
      const result = await check(dir, { paths: ['services'] });
      expect(result.exitCode).toBe(1);
      const [finding] = project(result.results[0]!.findings);
      expect(finding).toMatchObject({ ruleId: 'template-pack', file: 'services/triage/shipshape.yaml', path: [] });
      expect(finding!.message).toMatch(/has not been generated: there is no \.shipshape\/manifest\.json$/);
    });

    it('gives the same results in worker threads as in one thread', async () => {
      const dir = tempDir();
      put(dir, 'shipshape.policy.yaml', 'template: { pack: service-ts, minVersion: 1.4.0 }\n');
      for (let i = 0; i < 96; i++) {
        const root = join(dir, `svc-${String(i).padStart(3, '0')}`);
        put(root, 'shipshape.yaml', example);
        if (i % 4 === 3) continue; // not generated yet
        generate(root, GENERATED, { name: 'service-ts', version: i % 3 === 0 ? '1.3.0' : '1.4.0' });
        if (i % 2 === 0) put(root, 'src/serving/app.ts', 'patched\n');
        if (i % 5 === 0) put(root, 'src/pipeline/steps.ts', 'yours\n');
      }
      const serial = await check(dir, { paths: ['.'], jobs: 0 });
      const parallel = await check(dir, { paths: ['.'], jobs: 2 });
      expect(serial.summary.files).toBe(96);
      const rules = serial.results.flatMap((r) => r.findings).map((f) => f.ruleId);
      expect(rules.filter((id) => id === 'managed-files')).toHaveLength(48);
      expect(rules.filter((id) => id === 'template-pack')).toHaveLength(24 + 24);
      expect(parallel).toEqual(serial);
    });
  });
});
