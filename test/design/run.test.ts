import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/engine.js';
import { ADR_FILE, KEEP_END, KEEP_START, MERMAID_FILE } from '../../src/design/adr.js';
import { planDefaults } from '../../src/design/defaults.js';
import { runDesign, type DesignOptions } from '../../src/design/run.js';
import { UserError } from '../../src/errors.js';
import { ROOT, tempDir } from '../helpers/temp.js';
import { exampleText, specOf, stageOneText } from './helpers.js';

const today = new Date('2026-11-24T12:00:00Z');
const fixture = (name: string) => readFileSync(join(ROOT, 'test', 'fixtures', 'design', name), 'utf8');

function project(text: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'shipshape.yaml'), text);
  return dir;
}

const design = (cwd: string, options: Partial<DesignOptions> = {}) =>
  runDesign({ cwd, yes: true, dryRun: false, interactive: false, today, ...options });

/** Every file under dir with its content. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      out[path.slice(dir.length + 1)] = readFileSync(path, 'utf8');
    }
  }
  return out;
}

const comments = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.includes('#'))
    .map((line) => line.slice(line.indexOf('#')));

describe('runDesign --yes', () => {
  it('writes the reference example back with every later section, and it passes check --stage 8', async () => {
    const dir = project(stageOneText);
    const result = await design(dir);
    expect(result.written).toEqual(['shipshape.yaml', ADR_FILE, MERMAID_FILE]);
    const text = readFileSync(join(dir, 'shipshape.yaml'), 'utf8');
    const spec = specOf(text);
    expect(spec.architecture!.patterns.map((entry) => entry.pattern)).toEqual(result.plan.accepted.map((choice) => choice.pattern));
    for (const section of ['resilience', 'scenarios', 'deploy', 'monitoring', 'handoff', 'review'] as const)
      expect(spec[section]).toBeDefined();
    expect(spec).toEqual(result.plan.spec);
    expect(text.startsWith(stageOneText.trimEnd())).toBe(true);

    const check = await runCheck({ paths: [], cwd: dir, failSeverity: 'error', stage: 8, today });
    expect(check.results[0]!.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    expect(check.summary.errors).toBe(0);
  });

  it('writes the ADR and the diagram next to the spec', async () => {
    const dir = project(stageOneText);
    await design(dir);
    const adr = readFileSync(join(dir, ADR_FILE), 'utf8');
    const diagram = readFileSync(join(dir, MERMAID_FILE), 'utf8');
    expect(adr).toContain('- Date: 2026-11-24');
    expect(adr).toContain('- **circuit-breaker** for llm-outage (upstream-failure), llm-slow (latency-spike)');
    expect(adr).toContain(`\`\`\`mermaid\n${diagram}\`\`\``);
    expect(diagram).toMatch(/^flowchart LR\n/);
  });

  it('keeps every comment of a spec full of them, and every value the user set', async () => {
    const text = fixture('commented.yaml');
    const dir = project(text);
    const result = await design(dir);
    const after = readFileSync(join(dir, 'shipshape.yaml'), 'utf8');
    const before = comments(text);
    expect(before.length).toBeGreaterThan(20);
    for (const comment of before) expect(after, comment).toContain(comment);
    expect(after).toContain('timeoutMs: 5500          # comment after a value the user set');
    expect(specOf(after).resilience).toMatchObject({ timeoutMs: 5500, fallback: { strategy: 'static' } });
    expect(result.plan.edits.some((edit) => edit.path.join('.') === 'resilience.timeoutMs')).toBe(false);
  });

  it('on the complete example adds only what is missing and keeps the patterns it has', async () => {
    const dir = project(exampleText);
    const result = await design(dir);
    expect(result.plan.recommendations.kept).toHaveLength(8);
    expect(result.plan.applied).toEqual([
      {
        path: ['architecture', 'patterns', 8],
        value: { pattern: 'prediction-logging', addresses: ['ticket-mix-shift'] },
        onlyIfAbsent: true,
      },
    ]);
    const spec = specOf(readFileSync(join(dir, 'shipshape.yaml'), 'utf8'));
    const { architecture, ...rest } = spec;
    const { architecture: original, ...originalRest } = specOf(exampleText);
    expect(rest).toEqual(originalRest);
    expect(architecture!.patterns.slice(0, 8)).toEqual(original!.patterns);
  });

  it('changes nothing when run again, and keeps the user notes in the ADR', async () => {
    const dir = project(stageOneText);
    await design(dir);
    const adrPath = join(dir, ADR_FILE);
    writeFileSync(adrPath, readFileSync(adrPath, 'utf8').replace(`${KEEP_START}\n`, `${KEEP_START}\nOur notes.\n`));
    const before = snapshot(dir);
    const again = await design(dir, { today: new Date('2027-01-01T00:00:00Z') });
    expect(again.written).toEqual([]);
    expect(again.plan.applied).toEqual([]);
    expect(snapshot(dir)).toEqual(before);
    expect(readFileSync(adrPath, 'utf8')).toContain(`${KEEP_START}\nOur notes.\n${KEEP_END}`);
  });

  it('updates the ADR in place when the spec changes, keeping the notes and the date', async () => {
    const dir = project(stageOneText);
    await design(dir);
    const adrPath = join(dir, ADR_FILE);
    writeFileSync(adrPath, readFileSync(adrPath, 'utf8').replace(`${KEEP_START}\n`, `${KEEP_START}\nOur notes.\n`));
    const specPath = join(dir, 'shipshape.yaml');
    writeFileSync(specPath, readFileSync(specPath, 'utf8').replace('problem: Tickets wait hours', 'problem: Tickets still wait hours'));
    const again = await design(dir, { today: new Date('2027-01-01T00:00:00Z') });
    expect(again.written).toEqual([ADR_FILE]);
    const adr = readFileSync(adrPath, 'utf8');
    expect(adr).toContain('Tickets still wait hours');
    expect(adr).toContain('- Date: 2026-11-24');
    expect(adr).toContain(`${KEEP_START}\nOur notes.\n${KEEP_END}`);
  });

  it('finds the spec from a subfolder, from --dir, or takes --spec, and writes the documents next to it', async () => {
    const dir = project(stageOneText);
    mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
    const result = await design(join(dir, 'src', 'deep'), { dryRun: true });
    expect(result.plan.specFile).toBe(join(dir, 'shipshape.yaml'));
    expect(result.plan.files.map((file) => file.path)).toEqual([join(dir, 'shipshape.yaml'), join(dir, ADR_FILE), join(dir, MERMAID_FILE)]);
    expect((await design(tempDir(), { dir: join(dir, 'src'), dryRun: true })).plan.specFile).toBe(join(dir, 'shipshape.yaml'));

    const other = tempDir();
    writeFileSync(join(other, 'triage.shipshape.yaml'), stageOneText);
    const named = await design(dir, { spec: join(other, 'triage.shipshape.yaml') });
    expect(named.written).toEqual([join(other, 'triage.shipshape.yaml'), join(other, ADR_FILE), join(other, MERMAID_FILE)]);
    expect(readFileSync(join(dir, 'shipshape.yaml'), 'utf8')).toBe(stageOneText);
  });
});

describe('runDesign decisions', () => {
  it('--dry-run writes nothing and returns the diff of every file', async () => {
    const dir = project(stageOneText);
    const before = snapshot(dir);
    const result = await design(dir, { yes: false, dryRun: true });
    expect(result.written).toEqual([]);
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(join(dir, 'docs'))).toBe(false);
    expect(result.diff).toContain('+architecture:');
    expect(result.diff).toContain('shipshape.yaml');
    expect(result.diff).toContain(ADR_FILE);
    expect(result.diff).toContain('+flowchart LR');
  });

  it('refuses to write without a terminal and without --yes, and says how', async () => {
    const dir = project(stageOneText);
    const before = snapshot(dir);
    const error = await design(dir, { yes: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ exitCode: 2, message: expect.stringMatching(/9 recommended patterns and defaults .* no terminal/) });
    expect((error as UserError).hint).toMatch(/--yes/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('asks the chooser on a terminal, and writes only the patterns accepted', async () => {
    const dir = project(stageOneText);
    let offered: string[] = [];
    const result = await design(dir, {
      yes: false,
      interactive: true,
      choose: async (recommended) => {
        offered = recommended.map((choice) => choice.pattern);
        return ['circuit-breaker', 'blue-green', 'automated-rollback', 'output-validation', 'drift-monitoring', 'timeout'];
      },
    });
    expect(offered).toHaveLength(9);
    expect(result.plan.rejected.map((choice) => choice.pattern)).toEqual([
      'retry-with-backoff',
      'graceful-degradation',
      'prediction-logging',
    ]);
    const spec = specOf(readFileSync(join(dir, 'shipshape.yaml'), 'utf8'));
    expect(spec.architecture!.patterns.map((entry) => entry.pattern)).toEqual([
      'circuit-breaker',
      'timeout',
      'blue-green',
      'automated-rollback',
      'output-validation',
      'drift-monitoring',
    ]);
    // What was rejected is an alternative not taken, and the spec has none of it.
    expect(readFileSync(join(dir, ADR_FILE), 'utf8')).toMatch(/\| retry-with-backoff \| llm-outage \|/);
    expect(spec.resilience).not.toHaveProperty('retry');
    expect(spec.resilience).not.toHaveProperty('fallback');
    expect(spec.monitoring).not.toHaveProperty('predictionLogging');
  });

  it('declining circuit-breaker leaves it out of the spec, the scenarios, the diagram and the ADR decision', async () => {
    const dir = project(stageOneText);
    await design(dir, {
      yes: false,
      interactive: true,
      choose: async (recommended) => recommended.map((choice) => choice.pattern).filter((pattern) => pattern !== 'circuit-breaker'),
    });
    const spec = specOf(readFileSync(join(dir, 'shipshape.yaml'), 'utf8'));
    expect(spec.resilience).not.toHaveProperty('circuitBreaker');
    expect(spec.scenarios!.some((scenario) => scenario.expect.breakerOpensWithinSeconds !== undefined)).toBe(false);
    expect(readFileSync(join(dir, MERMAID_FILE), 'utf8')).not.toContain('breaker');
    const adr = readFileSync(join(dir, ADR_FILE), 'utf8');
    const [decision, alternatives] = [
      adr.split('## Decision')[1]!.split('## Consequences')[0]!,
      adr.split('## Alternatives not taken')[1]!,
    ];
    expect(decision).not.toContain('**circuit-breaker**');
    expect(decision.split('```mermaid')[1]!.split('```')[0]).not.toContain('breaker');
    expect(alternatives).toMatch(/\| circuit-breaker \|/);
    // Everything else the spec uses is not offered as an alternative.
    for (const used of ['tiered-models', 'orchestration-layer', 'bulkhead', 'retry-with-backoff'])
      expect(alternatives).not.toContain(`| ${used} |`);
  });

  it('rejects an invalid spec with every problem at its line and column (exit 2)', async () => {
    const dir = project(fixture('invalid.yaml'));
    const error = (await design(dir).catch((e: unknown) => e)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^shipshape\.yaml has 2 problems:\n {2}shipshape\.yaml:4:9 .*\n {2}shipshape\.yaml:11:17 /);
    expect(existsSync(join(dir, 'docs'))).toBe(false);
  });

  it('says where it looked when there is no spec', async () => {
    const error = await design(tempDir()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/^no shipshape\.yaml in /);
  });

  it('plans the same defaults as planDefaults on the accepted architecture', async () => {
    const dir = project(stageOneText);
    const result = await design(dir, { dryRun: true });
    const { spec } = planDefaults({ ...specOf(stageOneText), architecture: result.plan.spec.architecture! });
    expect(result.plan.spec).toEqual(spec);
  });
});
