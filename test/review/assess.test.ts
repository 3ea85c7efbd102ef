import { describe, expect, it } from 'vitest';
import type { Actuals } from '../../src/review/actuals.js';
import { assessReview, threshold } from '../../src/review/assess.js';
import type { DeploymentRecord } from '../../src/stages/records.js';
import { reviewDue } from '../../src/stages/review.js';
import { example } from '../check/rules/helpers.js';

/** Every target of the reference example met. */
const HEALTHY: Actuals = {
  metrics: { median_first_response_minutes: 55, routing_accuracy: 0.93 },
  slo: { availability: 99.95, p95Ms: 900, p99Ms: 2100 },
  cost: { perRequestUsd: 0.0015, monthlyUsd: 8200 },
  drift: { ticket_chars: 0.05, language: 0.1 },
};

const TODAY = new Date('2026-03-01T00:00:00Z');
const assess = (actuals: Actuals, extra: { history?: DeploymentRecord[]; decision?: 'keep' | 'iterate' | 'roll-back' } = {}) =>
  assessReview({
    spec: example(),
    actuals,
    history: extra.history ?? [],
    due: undefined,
    today: TODAY,
    source: 'test',
    ...(extra.decision ? { decision: extra.decision } : {}),
  });

describe('the decision rule', () => {
  it('keeps a service that met every target, all measured', () => {
    const a = assess(HEALTHY);
    expect([a.ruled, a.decision, a.reasons]).toEqual(['keep', 'keep', ['every target was measured and met']]);
    expect(a.backlog).toEqual([]);
    expect(a.business.progressPercent).toBe(102.8);
  });

  it('iterates when one target is missed, or one value was not measured', () => {
    const missed = assess({ ...HEALTHY, slo: { ...HEALTHY.slo, p99Ms: 2600 } });
    expect([missed.decision, missed.reasons]).toEqual(['iterate', ['latency p99 was missed']]);
    const unmeasured = assess({ ...HEALTHY, drift: { language: 0.1 } });
    expect([unmeasured.decision, unmeasured.reasons]).toEqual(['iterate', ['drift of ticket_chars was not measured']]);
    expect(unmeasured.backlog).toEqual([
      { rank: 1, kind: 'measurement', title: 'Measure what the review could not', why: 'drift of ticket_chars' },
    ]);
  });

  it('rolls back when the business metric is worse than its baseline, whatever else held', () => {
    const a = assess({ ...HEALTHY, metrics: { ...HEALTHY.metrics, median_first_response_minutes: 250 } });
    expect([a.decision, a.reasons]).toEqual(['roll-back', ['median_first_response_minutes is 250, worse than its baseline of 240']]);
    expect(a.business).toMatchObject({ progressPercent: -5.6, worseThanBaseline: true, verdict: 'missed' });
  });

  it('records a decision set by hand beside the one the rule gave', () => {
    const a = assess(HEALTHY, { decision: 'iterate' });
    expect([a.ruled, a.decision]).toEqual(['keep', 'iterate']);
  });
});

describe('the backlog', () => {
  it('ranks failed criteria first, then the business target, then the largest overruns, incidents, and what was not measured', () => {
    const a = assess(
      {
        metrics: { median_first_response_minutes: 90, routing_accuracy: 0.85 },
        slo: { availability: 99.8, p95Ms: 1500 },
        cost: { monthlyUsd: 10500 },
        drift: { language: 0.5 },
      },
      { history: [{ specHash: 'abc', status: 'rolled-back', startedAt: '2026-02-10T09:00:00Z' }] },
    );
    expect(a.backlog.map((b) => [b.rank, b.kind, b.overrunPercent])).toEqual([
      [1, 'criterion', 50],
      [2, 'criterion', 5.6],
      [3, 'business', 16.7],
      [4, 'drift', 150],
      [5, 'slo', 100],
      [6, 'latency', 25],
      [7, 'cost', 5],
      [8, 'deployments', undefined],
      [9, 'measurement', undefined],
    ]);
    expect(a.backlog[7]!.why).toBe('rolled-back on 2026-02-10');
    expect(a.backlog[8]!.why).toBe('latency p99, cost per request, drift of ticket_chars');
  });
});

describe('the history in the review', () => {
  it('counts promotions and lists failures and rollbacks within the SLO window before the review', () => {
    const history: DeploymentRecord[] = [
      { specHash: 'old', status: 'failed', startedAt: '2026-01-10T09:00:00Z' },
      { specHash: 'a', status: 'promoted', startedAt: '2026-02-01T09:00:00Z', finishedAt: '2026-02-01T09:30:00Z' },
      { specHash: 'b', status: 'rolled-back', startedAt: '2026-02-10T09:00:00Z', finishedAt: '2026-02-10T09:20:00Z' },
      { specHash: 'c', status: 'promoted', startedAt: '2026-02-12T09:00:00Z' },
    ];
    const a = assess(HEALTHY, { history });
    expect(a.history).toEqual({
      from: '2026-01-30',
      to: '2026-03-01',
      promotions: 2,
      incidents: [{ status: 'rolled-back', date: '2026-02-10', specHash: 'b' }],
    });
  });
});

describe('thresholds', () => {
  it('measure an overrun in percent of the bound, either way', () => {
    expect(threshold('x', { min: 0.9 }, 0.81)).toMatchObject({ verdict: 'missed', overrunPercent: 10 });
    expect(threshold('x', { max: 200 }, 300)).toMatchObject({ verdict: 'missed', overrunPercent: 50 });
    expect(threshold('x', { max: 200 }, 200)).toMatchObject({ verdict: 'met' });
    expect(threshold('x', { max: 200 }, undefined)).toMatchObject({ verdict: 'not-measured' });
    expect(threshold('x', { max: 0 }, 0.5)).toMatchObject({ verdict: 'missed', overrunPercent: 50 });
  });
});

describe('the due date', () => {
  const promoted = (finishedAt: string, startedAt = finishedAt): DeploymentRecord => ({
    specHash: 'a',
    status: 'promoted',
    startedAt,
    finishedAt,
  });

  it('falls afterDays after the end of the last promotion, in UTC', () => {
    const due = reviewDue([promoted('2026-01-01T10:00:00Z'), promoted('2026-01-30T23:30:00Z', '2026-01-30T22:00:00Z')], 30);
    expect(due).toMatchObject({ due: '2026-03-01', afterDays: 30 });
    expect(reviewDue([promoted('2026-01-30T23:30:00Z')], 14)?.due).toBe('2026-02-13');
    // Across a leap day.
    expect(reviewDue([promoted('2028-02-01T12:00:00Z')], 30)?.due).toBe('2028-03-02');
  });

  it('ignores deployments that were not promoted, and a history without a promotion', () => {
    const rolledBack: DeploymentRecord = { specHash: 'b', status: 'rolled-back', startedAt: '2026-02-20T00:00:00Z' };
    expect(reviewDue([promoted('2026-01-30T10:00:00Z'), rolledBack], 30)?.due).toBe('2026-03-01');
    expect(reviewDue([rolledBack], 30)).toBeUndefined();
    expect(reviewDue([], 30)).toBeUndefined();
  });

  it('counts from the start of a promotion that has no end', () => {
    const record: DeploymentRecord = { specHash: 'a', status: 'promoted', startedAt: '2026-01-30T10:00:00Z' };
    expect(reviewDue([record], 30)?.due).toBe('2026-03-01');
  });
});
