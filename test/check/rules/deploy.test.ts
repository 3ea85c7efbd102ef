import { describe, expect, it } from 'vitest';
import { availabilityFallback } from '../../../src/check/rules/availability-fallback.js';
import { deployBusinessMetric } from '../../../src/check/rules/deploy-business-metric.js';
import { tier1Rollback } from '../../../src/check/rules/tier1-rollback.js';
import { example, run } from './helpers.js';

const withoutBusinessMetric = () => {
  const spec = example();
  spec.deploy!.analysis!.metrics = spec.deploy!.analysis!.metrics.filter((metric) => metric.name !== 'business');
  return spec;
};

describe('tier1-rollback', () => {
  it('passes the reference example', () => {
    expect(run(tier1Rollback, example())).toEqual([]);
  });

  it('fails a tier-1 service without automatic rollback, at the flag', () => {
    const spec = example();
    spec.deploy!.rollback!.automatic = false;
    const [report, ...rest] = run(tier1Rollback, spec);
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['deploy', 'rollback', 'automatic']);
    expect(report).toMatchObject({ messageId: 'manualRollback', data: { automatic: 'false' } });
    delete spec.deploy!.rollback;
    expect(run(tier1Rollback, spec)[0]).toMatchObject({ messageId: 'manualRollback', data: { automatic: 'not set' } });
  });

  it('fails a tier-1 service whose analysis has no business metric', () => {
    const [report, ...rest] = run(tier1Rollback, withoutBusinessMetric());
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['deploy', 'analysis', 'metrics']);
    expect(report!.messageId).toBe('noBusinessMetric');
    expect(report!.hint).toContain('metric: median_first_response_minutes');
    const noAnalysis = example();
    delete noAnalysis.deploy!.analysis;
    expect(run(tier1Rollback, noAnalysis)[0]).toMatchObject({ path: ['deploy', 'analysis'], messageId: 'noBusinessMetric' });
  });

  it('leaves other tiers alone, and does not run before stage 6', () => {
    const spec = withoutBusinessMetric();
    spec.deploy!.rollback!.automatic = false;
    expect(run(tier1Rollback, spec, 5)).toEqual([]);
    spec.metadata.tier = 2;
    expect(run(tier1Rollback, spec)).toEqual([]);
  });
});

describe('deploy-business-metric', () => {
  it('passes the reference example', () => {
    expect(run(deployBusinessMetric, example())).toEqual([]);
  });

  it('warns when a tier-2 or tier-3 rollout watches no business metric', () => {
    const spec = withoutBusinessMetric();
    spec.metadata.tier = 3;
    const [report, ...rest] = run(deployBusinessMetric, spec);
    expect(rest).toEqual([]);
    expect(deployBusinessMetric.defaultSeverity).toBe('warn');
    expect(report!.path).toEqual(['deploy', 'analysis', 'metrics']);
    expect(report).toMatchObject({ messageId: 'notWatched', data: { metrics: 'error-rate-percent and p95-latency-ms' } });
    delete spec.deploy!.analysis;
    expect(run(deployBusinessMetric, spec)[0]!.messageId).toBe('noAnalysis');
  });

  it('does not report a tier-1 service twice (tier1-rollback reports it as an error)', () => {
    expect(run(deployBusinessMetric, withoutBusinessMetric())).toEqual([]);
  });
});

describe('availability-fallback', () => {
  it('passes the reference example', () => {
    expect(run(availabilityFallback, example())).toEqual([]);
  });

  it('fails three nines or more without a fallback, with the error budget it puts at risk', () => {
    const spec = example();
    delete spec.resilience!.fallback;
    const [report, ...rest] = run(availabilityFallback, spec);
    expect(rest).toEqual([]);
    expect(report!.path).toEqual(['resilience', 'fallback']);
    // 0.1% of 30 days = 43.2 minutes.
    expect(report).toMatchObject({ messageId: 'noFallback', data: { availability: '99.9', budgetMinutes: '43.2', windowDays: '30' } });
    spec.slo.availability = 99.95;
    spec.slo.windowDays = 7;
    // 0.05% of 7 days = 5.04 minutes.
    expect(run(availabilityFallback, spec)[0]).toMatchObject({ data: { availability: '99.95', budgetMinutes: '5', windowDays: '7' } });
  });

  it('takes a 30-day window when slo.windowDays is absent', () => {
    const spec = example();
    delete spec.resilience!.fallback;
    delete spec.slo.windowDays;
    expect(run(availabilityFallback, spec)[0]).toMatchObject({ data: { budgetMinutes: '43.2', windowDays: '30' } });
  });

  it('accepts a lower SLO without a fallback, and does not run before stage 4', () => {
    const spec = example();
    delete spec.resilience!.fallback;
    expect(run(availabilityFallback, spec, 3)).toEqual([]);
    spec.slo.availability = 99.5;
    expect(run(availabilityFallback, spec)).toEqual([]);
  });
});
