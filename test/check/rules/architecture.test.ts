import { describe, expect, it } from 'vitest';
import { failureModeMitigation } from '../../../src/check/rules/failure-mode-mitigation.js';
import { failureModeProof } from '../../../src/check/rules/failure-mode-proof.js';
import { patternFit } from '../../../src/check/rules/pattern-fit.js';
import { errors, example, run, stageOneExample } from './helpers.js';

describe('failure-mode-mitigation', () => {
  it('passes the reference example', () => {
    expect(run(failureModeMitigation, example())).toEqual([]);
  });

  it('fails a failure mode that no pattern addresses, naming patterns that would', () => {
    const spec = example();
    spec.architecture!.patterns = spec.architecture!.patterns.filter((entry) => entry.pattern !== 'drift-monitoring');
    const [report, ...rest] = run(failureModeMitigation, spec);
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['failureModes', 4]);
    expect(report).toMatchObject({
      messageId: 'unmitigated',
      data: { id: 'ticket-mix-shift', kind: 'data-drift', listed: 'no pattern in architecture.patterns addresses it' },
    });
    expect(report!.hint).toContain('drift-monitoring or prediction-logging');
  });

  it('fails a failure mode claimed only by patterns that do not fit its kind', () => {
    const spec = example();
    spec.architecture!.patterns = [
      { pattern: 'drift-monitoring', addresses: ['llm-outage', 'ticket-mix-shift'] },
      { pattern: 'canary', addresses: ['llm-outage', 'bad-release'] },
      { pattern: 'graceful-degradation', addresses: ['llm-slow', 'malformed-output'] },
    ];
    const [report, ...rest] = run(failureModeMitigation, spec);
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['failureModes', 0]);
    expect(report).toMatchObject({
      messageId: 'unmitigated',
      data: { id: 'llm-outage', listed: 'it is listed only under drift-monitoring and canary, which do not address upstream-failure' },
    });
  });

  it('leaves a missing architecture section to section-required', () => {
    const spec = example();
    delete spec.architecture;
    expect(run(failureModeMitigation, spec)).toEqual([]);
  });

  it('does not run before stage 2', () => {
    const spec = example();
    spec.architecture!.patterns = [];
    expect(run(failureModeMitigation, spec, 1)).toEqual([]);
    expect(run(failureModeMitigation, spec, 2)).toHaveLength(5);
  });
});

describe('pattern-fit', () => {
  it('passes the reference example', () => {
    expect(run(patternFit, example())).toEqual([]);
  });

  it('warns at the claim a pattern cannot keep', () => {
    const spec = example();
    spec.architecture!.patterns[7]!.addresses.push('llm-outage');
    const [report, ...rest] = run(patternFit, spec);
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['architecture', 'patterns', 7, 'addresses', 1]);
    expect(report).toMatchObject({
      messageId: 'misfit',
      data: { pattern: 'drift-monitoring', id: 'llm-outage', kind: 'upstream-failure', covers: 'data-drift' },
    });
    expect(patternFit.defaultSeverity).toBe('warn');
  });

  it('leaves unknown failure mode ids to references', () => {
    const spec = example();
    spec.architecture!.patterns[0]!.addresses.push('no-such-mode');
    expect(run(patternFit, spec)).toEqual([]);
  });
});

describe('failure-mode-proof', () => {
  it('passes the reference example at every stage', () => {
    for (const stage of [1, 2, 3, 4, 5, 6, 7, 8] as const) expect(run(failureModeProof, example(), stage)).toEqual([]);
  });

  it('asks for a scenario per failure mode from stage 5', () => {
    const spec = example();
    spec.scenarios = spec.scenarios!.filter((scenario) => scenario.failureMode !== 'llm-slow');
    expect(run(failureModeProof, spec, 4)).toEqual([]);
    const [report, ...rest] = run(failureModeProof, spec, 5);
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['failureModes', 1]);
    expect(report).toMatchObject({ messageId: 'noScenario', data: { id: 'llm-slow', kind: 'latency-spike' } });
    expect(report!.hint).toContain('a fault of type latency, timeout or slow-body');
  });

  it('warns when a scenario fault does not reproduce its failure mode, or there is none', () => {
    const spec = example();
    spec.scenarios![0]!.fault!.type = 'latency';
    delete spec.scenarios![2]!.fault;
    const reports = run(failureModeProof, spec);
    expect(reports.map((report) => [report.path, report.severity])).toEqual([
      [['scenarios', 0, 'fault', 'type'], 'warn'],
      [['scenarios', 2], 'warn'],
    ]);
    expect(reports[0]).toMatchObject({
      messageId: 'wrongFault',
      data: { scenario: 'llm-outage', kind: 'upstream-failure', id: 'llm-outage', fault: 'latency' },
    });
    expect(reports[0]!.hint).toContain('error, reset or timeout');
    expect(reports[1]).toMatchObject({ messageId: 'loadAlone', data: { scenario: 'malformed-output', id: 'malformed-output' } });
    expect(errors(failureModeProof, reports)).toEqual([]);
  });

  it('accepts a load-only scenario for a traffic surge, and requires one', () => {
    const spec = example();
    spec.failureModes!.push({ id: 'launch-spike', kind: 'traffic-surge', likelihood: 'low', impact: 'high' });
    const [missing] = run(failureModeProof, spec);
    expect(missing).toMatchObject({ path: ['failureModes', 5], messageId: 'noScenario', data: { id: 'launch-spike' } });
    expect(missing!.hint).toContain('load scenario');
    spec.scenarios!.push({
      id: 'launch-spike',
      failureMode: 'launch-spike',
      load: { rps: 120, durationSeconds: 30 },
      expect: { availability: { min: 99 } },
    });
    expect(run(failureModeProof, spec)).toEqual([]);
  });

  it('asks a bad-deploy failure mode for automatic rollback from stage 6', () => {
    const spec = example();
    spec.deploy!.rollback!.automatic = false;
    expect(run(failureModeProof, spec, 5)).toEqual([]);
    const [report] = run(failureModeProof, spec, 6);
    expect(report!.path).toEqual(['failureModes', 3]);
    expect(report).toMatchObject({ messageId: 'noRollback', data: { id: 'bad-release', automatic: 'false' } });
    delete spec.deploy!.rollback;
    expect(run(failureModeProof, spec)[0]).toMatchObject({ messageId: 'noRollback', data: { automatic: 'not set' } });
  });

  it('asks a data-drift failure mode for drift monitoring from stage 7', () => {
    const spec = example();
    delete spec.monitoring!.drift;
    expect(run(failureModeProof, spec, 6)).toEqual([]);
    const [report] = run(failureModeProof, spec, 7);
    expect(report!.path).toEqual(['failureModes', 4]);
    expect(report).toMatchObject({ messageId: 'noDrift', data: { id: 'ticket-mix-shift' } });
  });

  it('asks a cost-overrun failure mode for a budget from stage 1', () => {
    const spec = stageOneExample();
    spec.failureModes = [{ id: 'runaway-spend', kind: 'cost-overrun', likelihood: 'low', impact: 'high' }];
    expect(run(failureModeProof, spec, 1)).toEqual([]);
    spec.business.budget = {};
    const [report] = run(failureModeProof, spec, 1);
    expect(report!.path).toEqual(['failureModes', 0]);
    expect(report).toMatchObject({ messageId: 'noBudget', data: { id: 'runaway-spend' } });
  });

  it('leaves missing scenarios, deploy and monitoring sections to section-required', () => {
    const spec = example();
    delete spec.scenarios;
    delete spec.deploy;
    delete spec.monitoring;
    expect(run(failureModeProof, spec, 8)).toEqual([]);
  });
});
