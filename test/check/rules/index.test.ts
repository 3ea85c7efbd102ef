import { describe, expect, it } from 'vitest';
import { ENGINE_RULES, RULE_META, RULES } from '../../../src/check/rules/index.js';
import { SEVERITIES, type Rule, type StageNumber } from '../../../src/check/types.js';
import type { Spec } from '../../../src/spec/schema.js';
import { example, run, stageOneExample, withSnippet } from './helpers.js';
import { testRule } from './tester.js';

describe('the rule registry', () => {
  it('has unique, kebab-case ids, and complete metadata with examples for every rule', () => {
    const ids = RULE_META.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULE_META) {
      expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(SEVERITIES).toContain(rule.defaultSeverity);
      expect(rule.stage).toBeGreaterThanOrEqual(1);
      expect(rule.stage).toBeLessThanOrEqual(8);
      for (const text of [rule.description, rule.rationale, rule.hint]) expect(text.trim().length).toBeGreaterThan(20);
      expect(rule.examples?.pass.trim()).toBeTruthy();
      expect(rule.examples?.fail.trim()).toBeTruthy();
    }
  });

  it('lists the engine checks first, then the 30 built-in rules', () => {
    expect(ENGINE_RULES.map((rule) => [rule.id, rule.stage, rule.defaultSeverity])).toEqual([
      ['parse', 1, 'error'],
      ['schema', 1, 'error'],
    ]);
    expect(RULE_META.map((rule) => rule.id)).toEqual([...ENGINE_RULES, ...RULES].map((rule) => rule.id));
    expect(RULES.map((rule) => rule.id).sort()).toEqual(
      [
        'section-required',
        'unique-ids',
        'references',
        'metric-direction',
        'success-criteria',
        'latency-budget',
        'cost-budget',
        'failure-mode-mitigation',
        'pattern-fit',
        'placeholder-text',
        'invented-contacts',
        'failure-mode-proof',
        'scenario-feasibility',
        'tier1-rollback',
        'deploy-business-metric',
        'availability-fallback',
        'fallback-answer',
        'latency-order',
        'routing',
        'alert-thresholds',
        'review-owner',
        'no-secrets',
        'managed-files',
        'merge-conflicts',
        'template-pack',
        'review-due-soon',
        'review-overdue',
        'handoff-fresh',
        'task-shape',
        'retriever-adapter',
        'task-files',
      ].sort(),
    );
  });

  it('passes the reference example with every rule, at its own stage and at stage 8', () => {
    for (const rule of RULES) {
      expect(run(rule, example()), rule.id).toEqual([]);
      expect(run(rule, example(), 8), rule.id).toEqual([]);
    }
  });

  it('does not fail the stage-1 part of the example at stage 1', () => {
    for (const rule of RULES) expect(run(rule, stageOneExample(), 1), rule.id).toEqual([]);
  });

  // Their fail examples show a missing section or field, which laying a snippet over the full
  // example cannot express: they are laid over its stage-1 part and checked at the rule's stage.
  const ABSENCE_EXAMPLES = new Set(['section-required', 'availability-fallback', 'fallback-answer']);

  // Their examples are files of a project, not spec snippets: test/check/rules/project.test.ts,
  // review-due.test.ts, handoff-fresh.test.ts and task.test.ts run them on real projects.
  const PROJECT_RULES = new Set([
    'managed-files',
    'merge-conflicts',
    'template-pack',
    'review-due-soon',
    'review-overdue',
    'handoff-fresh',
    'task-files',
  ]);

  it('knows every rule it leaves to other tests', () => {
    const ids = RULES.map((rule) => rule.id);
    for (const id of [...ABSENCE_EXAMPLES, ...PROJECT_RULES]) expect(ids).toContain(id);
  });

  describe('the docs examples, laid over the reference example', () => {
    for (const rule of RULES.filter((rule) => !PROJECT_RULES.has(rule.id) && rule.examples)) {
      const absence = ABSENCE_EXAMPLES.has(rule.id);
      const spec = (snippet: string): Spec => (absence ? withSnippet(snippet, stageOneExample()) : withSnippet(snippet));
      const stage = absence ? rule.stage : 8;
      const { pass, fail } = rule.examples!;
      testRule(rule, {
        valid: [{ name: 'the pass example', spec: spec(pass), stage }],
        invalid: [{ name: 'the fail example', spec: spec(fail), stage, reports: expectedOf(rule, spec(fail), stage) }],
      });
    }
  });
});

/**
 * The fail example must report at least once: its expected reports are what it reports, and an
 * example that reports nothing expects a placeholder report, so the case fails.
 */
function expectedOf(rule: Rule, spec: Spec, stage: StageNumber | undefined) {
  const reports = run(rule, spec, stage).map((report) => ({ messageId: report.messageId }));
  return reports.length > 0 ? reports : [{ messageId: '(the fail example reports nothing)' }];
}
