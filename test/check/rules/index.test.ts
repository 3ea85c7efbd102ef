import { describe, expect, it } from 'vitest';
import { ENGINE_RULES, RULE_META, RULES } from '../../../src/check/rules/index.js';
import { SEVERITIES } from '../../../src/check/types.js';
import { example, run, stageOneExample, withSnippet } from './helpers.js';

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

  it('lists the engine checks first, then the 25 built-in rules', () => {
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
        'failure-mode-proof',
        'scenario-feasibility',
        'tier1-rollback',
        'deploy-business-metric',
        'availability-fallback',
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

  // Their fail examples show a missing section or field, which laying a snippet over the example cannot express.
  const ABSENCE_EXAMPLES = new Set(['section-required', 'availability-fallback']);

  // Their examples are files of a project, not spec snippets: test/check/rules/project.test.ts,
  // review-due.test.ts and handoff-fresh.test.ts run them on real projects.
  const PROJECT_RULES = new Set([
    'managed-files',
    'merge-conflicts',
    'template-pack',
    'review-due-soon',
    'review-overdue',
    'handoff-fresh',
  ]);

  describe.each(RULES.filter((rule) => !PROJECT_RULES.has(rule.id)).map((rule) => [rule.id, rule] as const))(
    'the docs examples of %s',
    (_id, rule) => {
      it('pass when laid over the reference example', () => {
        expect(run(rule, withSnippet(rule.examples!.pass), 8)).toEqual([]);
      });
      if (!ABSENCE_EXAMPLES.has(rule.id)) {
        it('fail when laid over the reference example', () => {
          expect(run(rule, withSnippet(rule.examples!.fail), 8).length).toBeGreaterThan(0);
        });
      }
    },
  );
});
