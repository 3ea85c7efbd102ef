import { describe, expect, it } from 'vitest';
import { metricDirection } from '../../../src/check/rules/metric-direction.js';
import { placeholderText } from '../../../src/check/rules/placeholder-text.js';
import { PROBLEM_PLACEHOLDER } from '../../../src/spec/placeholder.js';
import { successCriteria } from '../../../src/check/rules/success-criteria.js';
import { errors, example, run } from './helpers.js';

describe('metric-direction', () => {
  it('passes the reference example', () => {
    expect(run(metricDirection, example())).toEqual([]);
  });

  it('fails a decrease whose target is above the baseline, at the target', () => {
    const spec = example();
    spec.business.metric.target = 300;
    const [report, ...rest] = run(metricDirection, spec);
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['business', 'metric', 'target']);
    expect(report).toMatchObject({
      messageId: 'noImprovement',
      data: { name: 'median_first_response_minutes', direction: 'decrease', target: '300', relation: 'is above', baseline: '240' },
    });
  });

  it('fails a target equal to the baseline, and an increase whose target is below it', () => {
    const spec = example();
    spec.business.metric.target = 240;
    expect(run(metricDirection, spec)[0]).toMatchObject({
      messageId: 'noImprovement',
      data: { target: '240', relation: 'equals', baseline: '240' },
    });
    spec.business.metric.direction = 'increase';
    spec.business.metric.target = 100;
    expect(run(metricDirection, spec)[0]).toMatchObject({
      messageId: 'noImprovement',
      data: { direction: 'increase', target: '100', relation: 'is below', baseline: '240' },
    });
    spec.business.metric.target = 241;
    expect(run(metricDirection, spec)).toEqual([]);
  });
});

describe('success-criteria', () => {
  it('passes the reference example', () => {
    expect(run(successCriteria, example())).toEqual([]);
  });

  it('warns, without failing, when there are no success criteria', () => {
    const spec = example();
    delete spec.business.successCriteria;
    const reports = run(successCriteria, spec);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ path: ['business'], severity: 'warn' });
    expect(reports[0]!.messageId).toBe('none');
    expect(reports[0]!.hint).toContain('max: 60');
    expect(errors(successCriteria, reports)).toEqual([]);
  });

  it('fails a criterion without min or max', () => {
    const spec = example();
    delete spec.business.successCriteria![0]!.min;
    const [report] = run(successCriteria, spec);
    expect(report!.path).toEqual(['business', 'successCriteria', 0]);
    expect(report).toMatchObject({ messageId: 'noThreshold', data: { id: 'routing-accuracy' } });
    expect(report!.severity).toBeUndefined();
  });

  it('fails a criterion on the business metric that goes against its direction', () => {
    const spec = example();
    const criterion = spec.business.successCriteria![1]!;
    delete criterion.max;
    criterion.min = 30;
    const [report] = run(successCriteria, spec);
    expect(report!.path).toEqual(['business', 'successCriteria', 1, 'min']);
    expect(report).toMatchObject({ messageId: 'needsMax', data: { metric: 'median_first_response_minutes', target: '60' } });
  });

  it('fails a criterion that asks for less than the target, and accepts one that asks for more', () => {
    const spec = example();
    spec.business.successCriteria![1]!.max = 90;
    const [report] = run(successCriteria, spec);
    expect(report!.path).toEqual(['business', 'successCriteria', 1, 'max']);
    expect(report).toMatchObject({ messageId: 'maxAboveTarget', data: { max: '90', target: '60' } });
    spec.business.successCriteria![1]!.max = 45;
    expect(run(successCriteria, spec)).toEqual([]);
  });

  it('applies the same to a metric that should increase', () => {
    const spec = example();
    spec.business.metric = { name: 'routing_accuracy', baseline: 0.7, target: 0.9, direction: 'increase' };
    expect(run(successCriteria, spec)).toEqual([]);
    spec.business.successCriteria![0]!.min = 0.85;
    const [low] = run(successCriteria, spec);
    expect(low!.path).toEqual(['business', 'successCriteria', 0, 'min']);
    expect(low).toMatchObject({ messageId: 'minBelowTarget', data: { min: '0.85', target: '0.9' } });
    spec.business.successCriteria![0] = { id: 'routing-accuracy', metric: 'routing_accuracy', max: 0.95 };
    const [wrongWay] = run(successCriteria, spec);
    expect(wrongWay!.path).toEqual(['business', 'successCriteria', 0, 'max']);
    expect(wrongWay).toMatchObject({ messageId: 'needsMin', data: { metric: 'routing_accuracy', target: '0.9' } });
  });
});

describe('placeholder-text', () => {
  it('passes the reference example', () => {
    expect(run(placeholderText, example())).toEqual([]);
  });

  it('warns about the problem init --yes writes, and a TODO owner, each at its field', () => {
    const spec = example();
    spec.business.problem = PROBLEM_PLACEHOLDER;
    spec.metadata.owner = 'TBD';
    const reports = run(placeholderText, spec, 1);
    expect(reports.map((report) => report.path)).toEqual([
      ['business', 'problem'],
      ['metadata', 'owner'],
    ]);
    expect(reports).toMatchObject([
      { messageId: 'problem', data: { problem: PROBLEM_PLACEHOLDER } },
      { messageId: 'owner', data: { owner: 'TBD' } },
    ]);
  });

  it('warns about a problem that is only a placeholder word, not one that mentions one', () => {
    const spec = example();
    spec.business.problem = '<todo>';
    expect(run(placeholderText, spec)).toHaveLength(1);
    spec.business.problem = 'Agents spend the morning on a todo list of unrouted tickets.';
    expect(run(placeholderText, spec)).toEqual([]);
  });
});
