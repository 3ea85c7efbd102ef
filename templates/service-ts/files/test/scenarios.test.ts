// The spec's failure scenarios (scenarios[] of shipshape.yaml), each run against the real
// service with its fault injected: these are the tests that prove the breaker, the retries and
// the fallback do their job. Each runs until the service has done what its expectations ask (the breaker open, closed
// again), counted in requests rather than seconds (./support/scenario.ts); `shipshape validate` runs the same scenarios
// at full length and rate against a running build, and judges their latency and timing too.
import { describe, expect, it } from 'vitest';
import { spec } from '../src/config/spec.js';
import { missed, runScenario } from './support/scenario.js';

describe('failure scenarios', () => {
  it('the spec lists its failure scenarios', () => {
    expect(spec.scenarios.length).toBeGreaterThan(0);
  });

  for (const scenario of spec.scenarios) {
    const what = scenario.fault ? `${scenario.fault.type} on ${scenario.fault.target} at rate ${scenario.fault.rate}` : 'load only';
    it(`${scenario.id}: ${what}`, async () => {
      const result = await runScenario(scenario);
      expect(missed(scenario, result), JSON.stringify(result)).toEqual([]);
      // The fault met the requests it was meant for: a scenario whose fault hit nothing would prove nothing.
      if (result.upstream) expect(result.upstream.faulted, JSON.stringify(result)).toBeGreaterThan(0);
      // Generous: a scenario's load is seconds long, but on a starved machine its answers can take minutes.
    }, 180_000);
  }
});
