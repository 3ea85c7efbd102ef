// The spec's failure scenarios (scenarios[] of shipshape.yaml), each run against the real
// service with its fault injected: these are the tests that prove the breaker, the retries and
// the fallback do their job. `shipshape validate` runs the same scenarios at full length
// against a running build.
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
      // Generous: a scenario's load is seconds long, but on a starved machine its answers can take minutes.
    }, 180_000);
  }
});
