import { describe, expect, it } from 'vitest';
import { alertThresholds } from '../../../src/check/rules/alert-thresholds.js';
import { isPlaceholder, reviewOwner } from '../../../src/check/rules/review-owner.js';
import { errors, example, run } from './helpers.js';

describe('alert-thresholds', () => {
  it('passes the reference example (p95 alert 1200 ms = the SLO)', () => {
    expect(run(alertThresholds, example())).toEqual([]);
  });

  it('fails missing alerts and missing thresholds, each at its place', () => {
    const spec = example();
    delete spec.monitoring!.alerts!.errorRatePercent;
    delete spec.monitoring!.alerts!.p95LatencyMs;
    const reports = run(alertThresholds, spec);
    expect(reports.map((report) => report.path)).toEqual([
      ['monitoring', 'alerts', 'errorRatePercent'],
      ['monitoring', 'alerts', 'p95LatencyMs'],
    ]);
    expect(reports[0]).toMatchObject({ messageId: 'missing', data: { field: 'errorRatePercent', what: 'the error rate' } });
    expect(reports[1]!.hint).toContain('p95LatencyMs: 1200');
    delete spec.monitoring!.alerts;
    const [none, ...rest] = run(alertThresholds, spec);
    expect(rest).toEqual([]);
    expect(none!.path).toEqual(['monitoring', 'alerts']);
    expect(none!.messageId).toBe('noAlerts');
  });

  it('warns when the latency alert is looser than the SLO', () => {
    const spec = example();
    spec.monitoring!.alerts!.p95LatencyMs = 1500;
    const reports = run(alertThresholds, spec);
    expect(reports).toEqual([expect.objectContaining({ path: ['monitoring', 'alerts', 'p95LatencyMs'], severity: 'warn' })]);
    expect(reports[0]).toMatchObject({ messageId: 'looser', data: { alert: '1500', slo: '1200' } });
    expect(errors(alertThresholds, reports)).toEqual([]);
  });

  it('does not run before stage 7, and leaves a missing monitoring section to section-required', () => {
    const spec = example();
    delete spec.monitoring!.alerts;
    expect(run(alertThresholds, spec, 6)).toEqual([]);
    delete spec.monitoring;
    expect(run(alertThresholds, spec, 8)).toEqual([]);
  });
});

describe('review-owner', () => {
  it('passes the reference example', () => {
    expect(run(reviewOwner, example())).toEqual([]);
  });

  it('warns, not fails, about the owner placeholder design copied from metadata.owner', () => {
    const spec = example();
    spec.metadata.owner = '<owner>';
    spec.review!.owner = '<owner>';
    expect(run(reviewOwner, spec)).toEqual([expect.objectContaining({ path: ['review', 'owner'], severity: 'warn' })]);
  });

  it('fails a placeholder owner, suggesting the service owner', () => {
    const spec = example();
    spec.review!.owner = 'TBD';
    const [report, ...rest] = run(reviewOwner, spec);
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['review', 'owner']);
    expect(report).toMatchObject({ messageId: 'placeholder', data: { owner: 'TBD' } });
    expect(report!.hint).toContain('support-ai-lead@example.com');
    expect(run(reviewOwner, spec, 7)).toEqual([]);
  });

  it('does not suggest the service owner when that is a placeholder too', () => {
    const spec = example();
    spec.review!.owner = 'n/a';
    spec.metadata.owner = 'TODO';
    const [report] = run(reviewOwner, spec);
    expect(report).toMatchObject({ messageId: 'placeholder', data: { owner: 'n/a' } });
    expect(report!.hint).toBeUndefined();
  });

  it('recognises placeholders in their usual spellings, and not real names', () => {
    for (const value of [
      'todo',
      'TODO',
      'tbd',
      'TBD: ask Jane',
      'changeme',
      'change-me',
      'CHANGE_ME',
      'none',
      'None',
      'n/a',
      'N/A',
      '<owner>',
      '???',
      '-',
      'xxx',
      'todo@example.com',
      'unknown',
    ]) {
      expect(isPlaceholder(value), value).toBe(true);
    }
    for (const value of ['support-ai-lead@example.com', '@jane', 'platform-team', 'Nadia Tobin', 'tobias@example.com', 'xavier']) {
      expect(isPlaceholder(value), value).toBe(false);
    }
  });
});
