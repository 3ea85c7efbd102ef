import { describe, expect, it } from 'vitest';
import { scenarioFeasibility } from '../../../src/check/rules/scenario-feasibility.js';
import type { Spec } from '../../../src/spec/schema.js';
import { example, run } from './helpers.js';

/** The example without a fallback, and one scenario on its http tier (strong, timeoutMs 900, 2 attempts). */
function withoutFallback(scenario: Partial<NonNullable<Spec['scenarios']>[number]>): Spec {
  const spec = example();
  delete spec.resilience!.fallback;
  spec.scenarios = [
    { id: 's', failureMode: 'llm-slow', load: { rps: 10, durationSeconds: 30 }, expect: { availability: { min: 0 } }, ...scenario },
  ];
  return spec;
}

const reports = (spec: Spec) => run(scenarioFeasibility, spec, 8).map(({ messageId, data }) => ({ messageId, data }));

describe('scenario-feasibility', () => {
  it('flags a p95 below the timeout of a tier that hangs, with no fallback to answer sooner', () => {
    const spec = withoutFallback({ fault: { target: 'strong', type: 'timeout', rate: 1 }, expect: { p95Ms: { max: 500 } } });
    expect(reports(spec)).toEqual([
      {
        messageId: 'latency',
        data: { scenario: 's', name: 'p95Ms', max: '500', fault: 'timeout', share: '100', tier: 'strong', timeout: '900' },
      },
    ]);
  });

  it('leaves it alone with a fallback, a bound above the timeout, or a fault too rare to reach the percentile', () => {
    const hang = { target: 'strong', type: 'timeout' as const, rate: 1 };
    const withFallback = example();
    withFallback.scenarios = [
      { id: 's', failureMode: 'llm-slow', fault: hang, load: { rps: 10, durationSeconds: 30 }, expect: { p95Ms: { max: 500 } } },
    ];
    expect(reports(withFallback)).toEqual([]);
    expect(reports(withoutFallback({ fault: hang, expect: { p95Ms: { max: 1000 } } }))).toEqual([]);
    expect(reports(withoutFallback({ fault: { ...hang, rate: 0.01 }, expect: { p95Ms: { max: 500 } } }))).toEqual([]);
  });

  it('flags an availability above what the fault leaves without a fallback, retries counted', () => {
    const spec = withoutFallback({ fault: { target: 'strong', type: 'error', rate: 0.5 }, expect: { availability: { min: 99 } } });
    expect(reports(spec)).toEqual([
      {
        messageId: 'availability',
        data: { scenario: 's', min: '99', fault: 'error', rate: '0.5', failing: '25', attempts: '2 attempts', best: '75' },
      },
    ]);
    expect(
      reports(withoutFallback({ fault: { target: 'strong', type: 'error', rate: 0.5 }, expect: { availability: { min: 70 } } })),
    ).toEqual([]);
  });

  it('flags a breaker expected without one, and a recovery that cannot be seen', () => {
    const noBreaker = example();
    delete noBreaker.resilience!.circuitBreaker;
    // Both scenarios of the example that watch the breaker.
    expect(reports(noBreaker)).toEqual([
      { messageId: 'noBreaker', data: { scenario: 'llm-outage' } },
      { messageId: 'noBreaker', data: { scenario: 'overload-soak' } },
    ]);
    const forever = example();
    forever.scenarios![0]!.expect.recoversWithinSeconds = 10;
    expect(reports(forever)).toEqual([{ messageId: 'noRecoveryWindow', data: { scenario: 'llm-outage' } }]);
  });
});
