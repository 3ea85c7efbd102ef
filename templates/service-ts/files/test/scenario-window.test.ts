// The scenario harness honours a fault's window (fault.after, fault.for) as `shipshape validate` does, in its shape if
// not its seconds: requests before the fault and after it are not faulted, the breaker opens in it, and its closing
// again after it is measured (expect.recoversWithinSeconds). On the triage spec with a breaker that opens after 5
// failures, and timeouts no busy machine reaches, so that only the injected fault fails a call.
import { describe, expect, it } from 'vitest';
import type { ScenarioSpec, ServiceSpec } from '../src/config/types.js';
import { missed, runScenario } from './support/scenario.js';
import { triageSpec, triageTiers } from './support/triage.js';

const spec: ServiceSpec = {
  ...triageSpec,
  models: { ...triageSpec.models, tiers: triageSpec.models.tiers.map((tier) => ({ ...tier, timeoutMs: 20_000 })) },
  resilience: {
    ...triageSpec.resilience,
    timeoutMs: 30_000,
    circuitBreaker: { failureRateThreshold: 0.5, minimumRequests: 5, windowSeconds: 5, halfOpenAfterSeconds: 1 },
  },
};

const outage = (fault: Partial<NonNullable<ScenarioSpec['fault']>>, expectations: ScenarioSpec['expect']): ScenarioSpec => ({
  id: 'outage-that-ends',
  failureMode: 'llm-outage',
  fault: { target: 'strong', type: 'error', status: 503, rate: 1, ...fault },
  load: { rps: 20, durationSeconds: 9 },
  expect: expectations,
});

describe('a scenario whose fault has a window', () => {
  it('hits only the requests of the window, sees the breaker open in it and close again after it', async () => {
    // The window's seconds bound it: the harness ends it once the breaker has opened and some requests met it open.
    const scenario = outage({ after: 0.5, for: 4 }, { availability: { min: 99 }, breakerOpensWithinSeconds: 4, recoversWithinSeconds: 4 });
    const result = await runScenario(scenario, spec, triageTiers);
    expect(result.breakerOpenedAfterSeconds).toBeGreaterThanOrEqual(0);
    expect(result.recoveredAfterSeconds).toBeGreaterThanOrEqual(0);
    // Some calls reached the upstream outside the window and were not faulted.
    expect(result.upstream!.faulted).toBeGreaterThan(0);
    expect(result.upstream!.faulted).toBeLessThan(result.upstream!.requests);
    expect(missed(scenario, result)).toEqual([]);
  }, 60_000);

  it('without a window the fault lasts to the end: the breaker never closes again, and recovery is missed', async () => {
    const scenario = outage({}, { recoversWithinSeconds: 3 });
    const result = await runScenario({ ...scenario, load: { rps: 20, durationSeconds: 3 } }, spec, triageTiers);
    expect(result.recoveredAfterSeconds).toBeUndefined();
    expect(missed(scenario, result)).toEqual([
      'the breaker of strong never closed again, expected within 3 s (scenarios[outage-that-ends].expect.recoversWithinSeconds)',
    ]);
  }, 60_000);
});
