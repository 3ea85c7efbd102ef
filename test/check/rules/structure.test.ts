import { describe, expect, it } from 'vitest';
import { references } from '../../../src/check/rules/references.js';
import { sectionRequired } from '../../../src/check/rules/section-required.js';
import { uniqueIds } from '../../../src/check/rules/unique-ids.js';
import { example, run, stageOneExample } from './helpers.js';

describe('section-required', () => {
  it('passes the reference example', () => {
    expect(run(sectionRequired, example())).toEqual([]);
  });

  it('does not fail a stage-1 spec at stage 1, and asks for each section as the stage reaches it', () => {
    const spec = stageOneExample();
    expect(run(sectionRequired, spec, 1)).toEqual([]);
    const missingAt = (stage: 2 | 4 | 5 | 6 | 7 | 8) => run(sectionRequired, spec, stage).map((report) => report.path[0]);
    expect(missingAt(2)).toEqual(['models', 'failureModes', 'architecture']);
    expect(missingAt(4)).toEqual(['models', 'failureModes', 'architecture', 'resilience']);
    expect(missingAt(5)).toContain('scenarios');
    expect(missingAt(6)).toContain('deploy');
    expect(missingAt(6)).not.toContain('monitoring');
    expect(missingAt(7)).toEqual(expect.arrayContaining(['monitoring', 'handoff']));
    expect(missingAt(7)).not.toContain('review');
    expect(missingAt(8)).toContain('review');
  });

  it('leaves a misspelt section to the schema error, and still reports the ones really missing', () => {
    const spec = example();
    delete spec.resilience;
    delete spec.review;
    const reports = sectionRequired.check({ spec, stage: 8, strings: () => [], misspeltSections: new Set(['resilience']) });
    expect(reports.map((report) => report.path[0])).toEqual(['review']);
  });

  it('names the section, the stage and the command that writes it', () => {
    const spec = example();
    delete spec.deploy;
    const [report, ...rest] = run(sectionRequired, spec, 6);
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['deploy']);
    expect(report).toMatchObject({ messageId: 'missing', data: { stage: 6, section: 'deploy', sectionStage: 6 } });
    expect(report!.hint).toContain('shipshape design');
  });

  it('infers the stage from the spec: a spec with scenarios but no resilience is asked for resilience', () => {
    const spec = example();
    delete spec.resilience;
    delete spec.deploy;
    delete spec.monitoring;
    delete spec.handoff;
    delete spec.review;
    const reports = run(sectionRequired, spec);
    expect(reports.map((report) => report.path)).toEqual([['resilience']]);
  });
});

describe('unique-ids', () => {
  it('passes the reference example', () => {
    expect(run(uniqueIds, example())).toEqual([]);
  });

  it('points at the second occurrence of a failure mode id', () => {
    const spec = example();
    spec.failureModes![3]!.id = 'llm-slow';
    const reports = run(uniqueIds, spec);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.path).toEqual(['failureModes', 3, 'id']);
    expect(reports[0]).toMatchObject({
      messageId: 'duplicate',
      data: { what: 'failure mode id', value: 'llm-slow', at: 'failureModes[3]', earlier: 'failureModes[1]' },
    });
  });

  it('checks success criteria, scenarios, tier names and patterns too', () => {
    const spec = example();
    spec.business.successCriteria![1]!.id = 'routing-accuracy';
    spec.scenarios![2]!.id = 'llm-outage';
    spec.models!.tiers[1]!.name = 'fast';
    spec.architecture!.patterns.push({ pattern: 'timeout', addresses: ['llm-outage'] });
    const paths = run(uniqueIds, spec).map((report) => report.path);
    expect(paths).toEqual([
      ['business', 'successCriteria', 1, 'id'],
      ['scenarios', 2, 'id'],
      ['models', 'tiers', 1, 'name'],
      ['architecture', 'patterns', 8, 'pattern'],
    ]);
  });
});

describe('references', () => {
  it('passes the reference example', () => {
    expect(run(references, example())).toEqual([]);
  });

  it('reports an unknown scenario failure mode and fault target, with did-you-mean', () => {
    const spec = example();
    spec.scenarios![1]!.failureMode = 'llm-slwo';
    spec.scenarios![0]!.fault!.target = 'stronk';
    const reports = run(references, spec);
    expect(reports.map((report) => report.path)).toEqual([
      ['scenarios', 0, 'fault', 'target'],
      ['scenarios', 1, 'failureMode'],
    ]);
    expect(reports).toMatchObject([
      { messageId: 'faultTarget', data: { scenario: 'llm-outage', tier: 'stronk', suggestion: ' (did you mean "strong"?)' } },
      { messageId: 'scenarioFailureMode', data: { scenario: 'llm-slow', id: 'llm-slwo', suggestion: ' (did you mean "llm-slow"?)' } },
    ]);
  });

  it('lists the known ids when nothing is close, and says when there are none', () => {
    const spec = example();
    spec.scenarios![0]!.failureMode = 'quota-exhausted';
    expect(run(references, spec)[0]).toMatchObject({
      messageId: 'scenarioFailureMode',
      data: { suggestion: '', known: 'known: "llm-outage", "llm-slow", "malformed-output", "bad-release" and "ticket-mix-shift"' },
    });
    delete spec.failureModes;
    delete spec.architecture;
    expect(run(references, spec)[0]).toMatchObject({ data: { known: 'the spec has no failure modes' } });
  });

  it('reports a pattern addressing an unknown failure mode at the exact list item', () => {
    const spec = example();
    spec.architecture!.patterns[3]!.addresses[2] = 'malformed-outptu';
    const [report] = run(references, spec);
    expect(report!.path).toEqual(['architecture', 'patterns', 3, 'addresses', 2]);
    expect(report).toMatchObject({
      messageId: 'patternFailureMode',
      data: { pattern: 'graceful-degradation', id: 'malformed-outptu', suggestion: ' (did you mean "malformed-output"?)' },
    });
  });

  it('requires a business analysis metric to name the business metric or a success criterion metric', () => {
    const spec = example();
    const metrics = spec.deploy!.analysis!.metrics;
    metrics[2]!.metric = 'routing_acuracy';
    metrics.push({ name: 'business' });
    const reports = run(references, spec);
    expect(reports.map((report) => report.path)).toEqual([
      ['deploy', 'analysis', 'metrics', 2, 'metric'],
      ['deploy', 'analysis', 'metrics', 3],
    ]);
    expect(reports).toMatchObject([
      { messageId: 'businessMetricUnknown', data: { metric: 'routing_acuracy', suggestion: ' (did you mean "routing_accuracy"?)' } },
      { messageId: 'businessMetricUnnamed', data: { index: 3 } },
    ]);
    // The business metric itself is a valid choice.
    metrics[2]!.metric = 'median_first_response_minutes';
    metrics.pop();
    expect(run(references, spec)).toEqual([]);
  });
});
