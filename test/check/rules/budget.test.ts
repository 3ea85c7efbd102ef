import { describe, expect, it } from 'vitest';
import { costBudget } from '../../../src/check/rules/cost-budget.js';
import { latencyBudget } from '../../../src/check/rules/latency-budget.js';
import { errors, example, run, stageOneExample } from './helpers.js';

describe('latency-budget', () => {
  it('passes the reference example (1950 <= 2000 <= 2500)', () => {
    expect(run(latencyBudget, example())).toEqual([]);
  });

  it('shows the arithmetic when the worst case does not fit resilience.timeoutMs', () => {
    const spec = example();
    spec.resilience!.timeoutMs = 1800;
    const [report, ...rest] = run(latencyBudget, spec);
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['resilience', 'timeoutMs']);
    expect(report).toMatchObject({
      messageId: 'overDeadline',
      data: {
        worstCase: 'fast: 50 ms; strong: 900 ms x 2 attempts + 100 ms backoff = 1900 ms; path fast -> strong = 1950 ms',
        deadline: '1800 ms',
      },
    });
    expect(report!.hint).toContain('Raise resilience.timeoutMs to 1950 (still within slo.latency.p99Ms 2500 ms)');
  });

  it('counts every exponential backoff, capped at maxDelayMs', () => {
    const spec = example();
    // Delays before attempts 2, 3, 4: 100, min(200, 150), min(400, 150) = 400 ms; 900 x 4 + 400 = 4000.
    spec.resilience!.retry = { maxAttempts: 4, backoff: 'exponential', initialDelayMs: 100, maxDelayMs: 150 };
    const [report] = run(latencyBudget, spec);
    expect(report).toMatchObject({
      messageId: 'overDeadline',
      data: {
        worstCase: 'fast: 50 ms; strong: 900 ms x 4 attempts + 400 ms backoff = 4000 ms; path fast -> strong = 4050 ms',
        deadline: '2000 ms',
      },
    });
    // Raising the deadline would break the SLO, so the hint says to cut the path instead.
    expect(report!.hint).toContain('by 1550 ms at least');
  });

  it('counts fixed backoff', () => {
    const spec = example();
    spec.resilience!.retry = { maxAttempts: 3, backoff: 'fixed', initialDelayMs: 300, maxDelayMs: 400 };
    spec.resilience!.timeoutMs = 2500;
    // 900 x 3 + 300 + 300 = 3300; + 50 = 3350.
    expect(run(latencyBudget, spec)[0]).toMatchObject({
      messageId: 'overDeadline',
      data: { worstCase: 'fast: 50 ms; strong: 900 ms x 3 attempts + 600 ms backoff = 3300 ms; path fast -> strong = 3350 ms' },
    });
  });

  it('fails a request deadline above the p99 SLO', () => {
    const spec = example();
    spec.resilience!.timeoutMs = 3000;
    const [report, ...rest] = run(latencyBudget, spec);
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['resilience', 'timeoutMs']);
    expect(report).toMatchObject({ messageId: 'deadlineOverSlo', data: { deadline: '3000 ms', p99: 'slo.latency.p99Ms 2500 ms' } });
  });

  it('reports both when the worst case fits neither', () => {
    const spec = example();
    spec.resilience!.timeoutMs = 2600;
    spec.models!.tiers[1]!.timeoutMs = 1400;
    // 1400 x 2 + 100 + 50 = 2950 > 2600 > 2500.
    const reports = run(latencyBudget, spec);
    expect(reports).toHaveLength(2);
    expect(reports[0]).toMatchObject({ messageId: 'overDeadline', data: { deadline: '2600 ms' } });
    expect(reports[0]!.data!['worstCase']).toMatch(/= 2950 ms$/);
    expect(reports[1]).toMatchObject({ messageId: 'deadlineOverSlo', data: { deadline: '2600 ms', p99: 'slo.latency.p99Ms 2500 ms' } });
  });

  it('without resilience, compares one attempt per tier with the p99 SLO', () => {
    const spec = example();
    delete spec.resilience;
    expect(run(latencyBudget, spec)).toEqual([]);
    spec.models!.tiers[1]!.timeoutMs = 2450; // 50 + 2450 = 2500: exactly the SLO
    expect(run(latencyBudget, spec)).toEqual([]);
    spec.models!.tiers[1]!.timeoutMs = 2600;
    const [report] = run(latencyBudget, spec);
    expect(report!.path).toEqual(['slo', 'latency', 'p99Ms']);
    expect(report).toMatchObject({
      messageId: 'overSlo',
      data: { worstCase: 'fast: 50 ms; strong: 2600 ms; path fast -> strong = 2650 ms', p99: 'slo.latency.p99Ms 2500 ms' },
    });
    expect(report!.hint).toContain('by 150 ms');
  });

  it('follows a single route, and its lower-tier fallback', () => {
    const spec = example();
    spec.models!.tiers.reverse();
    spec.models!.routing = { strategy: 'single' };
    spec.resilience!.timeoutMs = 1850;
    // strong then fast as the lower tier: 1900 + 50.
    expect(run(latencyBudget, spec)[0]).toMatchObject({ messageId: 'overDeadline', data: { deadline: '1850 ms' } });
    expect(run(latencyBudget, spec)[0]!.data!['worstCase']).toMatch(/; path strong -> fast = 1950 ms$/);
    delete spec.resilience!.fallback;
    expect(run(latencyBudget, spec)[0]!.data!['worstCase']).toMatch(/; path strong = 1900 ms$/);
  });

  it('does nothing without models (a stage-1 spec)', () => {
    expect(run(latencyBudget, stageOneExample())).toEqual([]);
  });
});

describe('cost-budget', () => {
  it('passes the reference example ($0.0014 <= $0.002, $8,400 <= $10,000)', () => {
    expect(run(costBudget, example())).toEqual([]);
  });

  it('fails both budgets at a higher escalation rate, with figures and the break-even rate', () => {
    const spec = example();
    spec.models!.routing!.expectedEscalationRate = 0.6;
    const reports = run(costBudget, spec);
    expect(reports.map((report) => report.path)).toEqual([
      ['business', 'budget', 'costPerRequestUsd'],
      ['business', 'budget', 'monthlyUsd'],
    ]);
    // 0.004 x 0.6 = 0.0024; x 200,000 x 30 = 14,400. The monthly limit is the stricter:
    // 10,000 / 6,000,000 = 0.0016667 per request, so the break-even rate is 0.0016667 / 0.004 = 41.7%.
    const breakEven = '; the budget breaks even at an escalation rate of 41.7%';
    expect(reports[0]).toMatchObject({
      messageId: 'perRequest',
      data: { perRequest: '$0.0024', atRate: ' at a 60% escalation rate', budget: '$0.002', breakEven },
    });
    expect(reports[1]).toMatchObject({
      messageId: 'monthly',
      data: {
        monthly: '$14,400',
        perRequest: '$0.0024',
        daily: '200,000',
        days: 30,
        atRate: ' at a 60% escalation rate',
        budget: '$10,000',
        breakEven,
      },
    });
  });

  it('fails the monthly budget alone when only it breaks', () => {
    const spec = example();
    // 0.004 x 0.45 = 0.0018 <= 0.002, but 0.0018 x 6,000,000 = 10,800 > 10,000.
    spec.models!.routing!.expectedEscalationRate = 0.45;
    const reports = run(costBudget, spec);
    expect(reports.map((report) => report.path)).toEqual([['business', 'budget', 'monthlyUsd']]);
    expect(reports[0]).toMatchObject({ messageId: 'monthly', data: { monthly: '$10,800', perRequest: '$0.0018' } });
  });

  it('is exact at the limit', () => {
    const spec = example();
    spec.models!.routing!.expectedEscalationRate = 0.5;
    spec.business.budget = { costPerRequestUsd: 0.002 };
    expect(run(costBudget, spec)).toEqual([]);
  });

  it('warns when a cascade has no escalation rate, and fails the budget on the assumption that every request escalates', () => {
    const spec = example();
    delete spec.models!.routing!.expectedEscalationRate;
    const reports = run(costBudget, spec);
    expect(reports[0]).toMatchObject({ path: ['models', 'routing'], severity: 'warn' });
    expect(reports[0]).toMatchObject({ messageId: 'assumedRate', data: { tiers: 2, perRequest: '$0.004' } });
    expect(errors(costBudget, reports)).toMatchObject([
      { messageId: 'perRequest', data: { perRequest: '$0.004', atRate: ' at an assumed 100% escalation rate' } },
      { messageId: 'monthly', data: { monthly: '$24,000' } },
    ]);
  });

  it('only warns about the assumed rate when the budget holds even so', () => {
    const spec = example();
    delete spec.models!.routing;
    spec.business.budget = { costPerRequestUsd: 0.01 };
    const reports = run(costBudget, spec);
    expect(reports).toEqual([expect.objectContaining({ path: ['models'], severity: 'warn' })]);
  });

  it('says no rate fits when the first tier alone is over budget', () => {
    const spec = example();
    spec.models!.tiers[0]!.costPerRequestUsd = 0.003;
    const [report] = run(costBudget, spec);
    expect(report).toMatchObject({
      messageId: 'perRequest',
      data: { breakEven: '; no escalation rate fits: tier fast alone costs more than the budget allows' },
    });
  });

  it('a -0 budget with a free first tier is not blamed on that tier: only 0% escalation fits', () => {
    const spec = example();
    spec.business.budget = { monthlyUsd: -0 };
    const [report] = run(costBudget, spec);
    expect(report).toMatchObject({
      messageId: 'monthly',
      data: { budget: '$0', breakEven: '; only an escalation rate of 0% fits (tier fast alone)' },
    });
  });

  it('prices a single route at its tier, without a break-even rate', () => {
    const spec = example();
    spec.models!.tiers = [spec.models!.tiers[1]!];
    spec.models!.routing = { strategy: 'single' };
    const [report] = run(costBudget, spec);
    expect(report).toMatchObject({ messageId: 'perRequest', data: { perRequest: '$0.004', atRate: ' (tier strong)', breakEven: '' } });
  });

  it('needs models and a budget, and skips the monthly check without the expected load', () => {
    expect(run(costBudget, stageOneExample())).toEqual([]);
    const spec = example();
    delete spec.business.budget;
    spec.models!.routing!.expectedEscalationRate = 0.9;
    expect(run(costBudget, spec)).toEqual([]);
    const noLoad = example();
    delete noLoad.business.expectedLoad;
    noLoad.business.budget = { monthlyUsd: 1 };
    expect(run(costBudget, noLoad)).toEqual([]);
  });
});
