import { describe, expect, it } from 'vitest';
import { availabilityModel, costModel, latencyBudget } from '../../src/design/budget.js';
import { budgetTables, formatTable, markdownTable } from '../../src/design/tables.js';
import type { Spec, Tier } from '../../src/spec/schema.js';
import { example } from './helpers.js';

const tier = (name: string, kind: Tier['kind']): Tier => ({ name, kind, model: 'm', timeoutMs: 100, costPerRequestUsd: 0 });

describe('budget math on the reference example', () => {
  it('works out the latency budget: fast 50 x 1, strong 900 x 2 + 100, path 1950 ms', () => {
    const budget = latencyBudget(example());
    expect(budget.tiers).toEqual([
      { tier: 'fast', timeoutMs: 50, attempts: 1, backoffMs: 0, worstCaseMs: 50 },
      { tier: 'strong', timeoutMs: 900, attempts: 2, backoffMs: 100, worstCaseMs: 1900 },
    ]);
    expect(budget).toMatchObject({ path: ['fast', 'strong'], worstCaseMs: 1950, requestTimeoutMs: 2000, p95Ms: 1200, p99Ms: 2500 });
  });

  it('works out the cost: 0.0014 USD a request, 8,400 USD a month, break-even escalation 0.4167', () => {
    const cost = costModel(example());
    expect(cost.perRequestUsd).toBeCloseTo(0.0014, 10);
    expect(cost.monthlyUsd).toBeCloseTo(8400, 6);
    // The monthly budget is the tighter: 10,000 / (200,000 x 30) = 0.001667 a request = 0.004 x r.
    expect(cost.breakEvenEscalationRate).toBeCloseTo(0.416667, 5);
  });

  it('a $0 (or -0) budget with a free first tier: only no escalation fits, which is not "no rate fits"', () => {
    for (const monthlyUsd of [0, -0]) {
      const spec = example();
      spec.business.budget = { monthlyUsd };
      const cost = costModel(spec);
      expect(cost).toMatchObject({ breakEvenEscalationRate: 0, noRateFits: false });
      expect(formatTable(budgetTables(spec)[2]!)).toContain('0: only no escalation fits');
    }
    const paid = example();
    paid.business.budget = { monthlyUsd: -0 };
    paid.models!.tiers[0]!.costPerRequestUsd = 0.001;
    expect(costModel(paid)).toMatchObject({ breakEvenEscalationRate: 0, noRateFits: true });
    expect(formatTable(budgetTables(paid)[2]!)).toContain('0: no rate fits');
  });

  it('prints them as aligned tables with the same figures', () => {
    const tables = budgetTables(example());
    expect(tables.map((table) => table.title)).toEqual([
      'Latency budget per tier',
      'Worst-case path against the limits',
      'Cost model',
      'Availability of the composition',
    ]);
    const text = tables.map(formatTable).join('\n\n');
    expect(text.split('\n').slice(0, 6)).toEqual([
      'Latency budget per tier',
      'tier                 timeout  attempts  backoff  worst case',
      '-------------------  -------  --------  -------  ----------',
      'fast                 50 ms    1         0 ms     50 ms',
      'strong               900 ms   2         100 ms   1,900 ms',
      'path fast -> strong                              1,950 ms',
    ]);
    expect(text).toMatch(/resilience\.timeoutMs\s+2,000 ms\s+1,950 ms\s+fits/);
    expect(text).toMatch(/slo\.latency\.p95Ms\s+1,200 ms\s+1,950 ms\s+above/);
    expect(text).toMatch(/cost per request\s+\$0\.0014\n/);
    expect(text).toMatch(/cost per month\s+\$8,400 \(200,000 requests a day x 30 days\)/);
    expect(text).toMatch(/break-even escalation rate\s+0\.4167 \(41\.67%\)/);
    expect(text).toMatch(/without fallback\s+99\.955%\s+meets the SLO of 99\.9%/);
    expect(text).toMatch(/with lower-tier fallback\s+99\.99999%/);
  });

  it('says when the worst case is over a limit', () => {
    const spec = example();
    spec.resilience!.timeoutMs = 1800;
    expect(formatTable(budgetTables(spec)[1]!)).toMatch(/resilience\.timeoutMs\s+1,800 ms\s+1,950 ms\s+over by 150 ms/);
  });

  it('escapes pipes in Markdown cells', () => {
    expect(markdownTable({ columns: ['a'], rows: [['x | y']] })).toBe('| a |\n| --- |\n| x \\| y |');
  });
});

describe('availabilityModel', () => {
  it('computes the reference example by hand: 99.955% without fallback, 99.99999% with the lower tier', () => {
    const model = availabilityModel(example());
    // 0.65 x 0.9999 + 0.35 x 0.9999 x 0.999
    expect(model.withoutFallback).toBeCloseTo(99.9550035, 9);
    // 1 - 0.0001 x 0.001
    expect(model.withFallback).toBeCloseTo(99.99999, 9);
    expect(model.tiers).toEqual([
      { tier: 'fast', availability: 99.99, share: 0.65 },
      { tier: 'strong', availability: 99.9, share: 0.35 },
    ]);
    expect(model).toMatchObject({ fallback: 'lower-tier', slo: 99.9 });
  });

  it('takes per-tier availability when given', () => {
    const model = availabilityModel(example(), { strong: 99 });
    // 0.65 x 0.9999 + 0.35 x 0.9999 x 0.99; 1 - 0.0001 x 0.01
    expect(model.withoutFallback).toBeCloseTo(99.640035, 9);
    expect(model.withFallback).toBeCloseTo(99.9999, 9);
  });

  it('with a static or cache fallback leaves only the fallback own availability', () => {
    const spec = example();
    spec.resilience!.fallback = { strategy: 'static', static: { label: 'general' } };
    expect(availabilityModel(spec).withFallback).toBe(99.99);
    spec.resilience!.fallback = { strategy: 'cache', cacheTtlSeconds: 60 };
    expect(availabilityModel(spec, { strong: 50 }).withFallback).toBe(99.99);
  });

  it('counts a fallback with nothing to answer with as none', () => {
    const spec = example();
    spec.resilience!.fallback = { strategy: 'static' };
    expect(availabilityModel(spec)).toMatchObject({ fallback: 'static', withFallback: undefined, fallbackGap: 'noStaticAnswer' });
    spec.models!.tiers.pop();
    spec.models!.routing = { strategy: 'single' };
    spec.resilience!.fallback = { strategy: 'lower-tier' };
    expect(availabilityModel(spec)).toMatchObject({ withFallback: undefined, fallbackGap: 'noLowerTier' });
    spec.resilience!.fallback = { strategy: 'cache' };
    expect(availabilityModel(spec)).toMatchObject({ withFallback: undefined, fallbackGap: 'coldCache' });
    spec.resilience!.fallback = { strategy: 'cache', static: { queue: 'general' } };
    expect(availabilityModel(spec)).toMatchObject({ withFallback: 99.99, fallbackGap: undefined });
  });

  it('has no with-fallback figure without a fallback', () => {
    const spec = example();
    delete spec.resilience!.fallback;
    const model = availabilityModel(spec);
    expect(model.withFallback).toBeUndefined();
    expect(model.withoutFallback).toBeCloseTo(99.9550035, 9);
  });

  it('weights a three-tier cascade by the escalation rate', () => {
    const spec: Spec = example();
    spec.models = {
      tiers: [tier('a', 'http'), tier('b', 'http'), tier('c', 'http')],
      routing: { strategy: 'cascade', expectedEscalationRate: 0.5 },
    };
    const model = availabilityModel(spec, { a: 99, b: 99, c: 99 });
    expect(model.tiers.map((t) => t.share)).toEqual([0.5, 0.25, 0.25]);
    // 0.5 x 0.99 + 0.25 x 0.99^2 + 0.25 x 0.99^3
    expect(model.withoutFallback).toBeCloseTo(98.259975, 9);
    // 1 - 0.01^3
    expect(model.withFallback).toBeCloseTo(99.9999, 9);
  });

  it('calls only the first tier of a single strategy, and the second as its lower-tier fallback', () => {
    const spec: Spec = example();
    spec.models = { tiers: [tier('main', 'http'), tier('backup', 'local')], routing: { strategy: 'single' } };
    const model = availabilityModel(spec);
    expect(model.tiers).toEqual([{ tier: 'main', availability: 99.9, share: 1 }]);
    expect(model.withoutFallback).toBeCloseTo(99.9, 9);
    // 1 - 0.001 x 0.0001
    expect(model.withFallback).toBeCloseTo(99.99999, 9);
  });
});
