import { fallbackAnswer } from '../../../src/check/rules/fallback-answer.js';
import { latencyOrder } from '../../../src/check/rules/latency-order.js';
import type { Spec } from '../../../src/spec/schema.js';
import { example } from './helpers.js';
import { testRule } from './tester.js';

function single(fallback: NonNullable<Spec['resilience']>['fallback']): Spec {
  const spec = example();
  spec.models!.tiers = [spec.models!.tiers[1]!];
  spec.models!.routing = { strategy: 'single' };
  spec.resilience!.fallback = fallback;
  spec.scenarios = spec.scenarios!.map((scenario) => ({
    ...scenario,
    ...(scenario.fault ? { fault: { ...scenario.fault, target: 'strong' } } : {}),
  }));
  return spec;
}

testRule(fallbackAnswer, {
  valid: [
    { name: 'the reference example (lower-tier, two tiers, a static answer)', spec: example() },
    { name: 'one tier with a static answer', spec: single({ strategy: 'static', static: { label: 'needs-review', reply: null } }) },
    { name: 'one tier, a cache backed by a static answer', spec: single({ strategy: 'cache', static: { queue: 'general' } }) },
    { name: 'no fallback (availability-fallback judges that)', spec: single(undefined) },
  ],
  invalid: [
    {
      name: 'a static fallback without a static answer',
      spec: single({ strategy: 'static' }),
      reports: [{ messageId: 'noStaticAnswer', path: ['resilience', 'fallback', 'strategy'] }],
    },
    {
      name: 'a static answer with no text to answer with',
      spec: single({ strategy: 'static', static: { reply: null, confidence: 0 } }),
      reports: [{ messageId: 'noStaticText', path: ['resilience', 'fallback', 'static'] }],
    },
    {
      name: 'lower-tier with one tier and no static answer',
      spec: single({ strategy: 'lower-tier' }),
      reports: [{ messageId: 'noLowerTier', data: { tiers: 1 } }],
    },
    {
      name: 'a cache with one tier and no static answer',
      spec: single({ strategy: 'cache' }),
      reports: [{ messageId: 'coldCache', data: { tiers: 1 } }],
    },
  ],
});

function latency(p95Ms: number, p99Ms: number): Spec {
  const spec = example();
  spec.slo.latency = { p95Ms, p99Ms };
  return spec;
}

testRule(latencyOrder, {
  valid: [
    { name: 'p95 below p99', spec: latency(1200, 2500) },
    { name: 'p95 equal to p99', spec: latency(2000, 2000) },
  ],
  invalid: [
    {
      name: 'p95 above p99',
      spec: latency(3000, 2000),
      reports: [{ messageId: 'p95AboveP99', data: { p95: '3000', p99: '2000' }, path: ['slo', 'latency', 'p95Ms'] }],
    },
  ],
});
