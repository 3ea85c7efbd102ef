import { describe, expect, it } from 'vitest';
import { patternAddresses } from '../../src/design/catalog.js';
import { alternatives, rankFailureModes, recommend } from '../../src/design/recommend.js';
import { FAILURE_MODE_KINDS, type FailureModeKind, type PatternId } from '../../src/spec/schema.js';
import { example, stageOne, withOneMode } from './helpers.js';

const patternsOf = (kind: FailureModeKind, spec = withOneMode(kind)) => recommend(spec).recommended.map((choice) => choice.pattern);

describe('recommend', () => {
  it('ranks the reference failure modes by likelihood x impact, then impact, then spec order', () => {
    const { failureModes } = recommend(stageOne());
    expect(failureModes.map((mode) => [mode.id, mode.risk])).toEqual([
      ['llm-outage', 6],
      ['bad-release', 6],
      ['llm-slow', 6],
      ['malformed-output', 4],
      ['ticket-mix-shift', 4],
    ]);
    expect(failureModes[0]!.reason).toBe(
      'llm-outage is upstream-failure, likelihood medium, impact high: circuit-breaker + retry-with-backoff + graceful-degradation + timeout',
    );
  });

  it('breaks a tie on risk by impact, whatever the order in the spec', () => {
    const ranked = rankFailureModes([
      { id: 'a', kind: 'latency-spike', likelihood: 'high', impact: 'medium' },
      { id: 'b', kind: 'upstream-failure', likelihood: 'medium', impact: 'high' },
      { id: 'c', kind: 'bad-output', likelihood: 'low', impact: 'low' },
      { id: 'd', kind: 'traffic-surge', likelihood: 'high', impact: 'high' },
    ]);
    expect(ranked.map((mode) => mode.id)).toEqual(['d', 'b', 'a', 'c']);
  });

  it('merges the reference failure modes into one entry per pattern, riskiest first', () => {
    const { recommended, kept } = recommend(stageOne());
    expect(kept).toEqual([]);
    expect(recommended.map((choice) => [choice.pattern, choice.addresses])).toEqual([
      ['circuit-breaker', ['llm-outage', 'llm-slow']],
      ['retry-with-backoff', ['llm-outage']],
      ['graceful-degradation', ['llm-outage', 'llm-slow', 'malformed-output']],
      ['timeout', ['llm-outage', 'llm-slow']],
      ['blue-green', ['bad-release']],
      ['automated-rollback', ['bad-release']],
      ['output-validation', ['malformed-output']],
      ['drift-monitoring', ['ticket-mix-shift']],
      ['prediction-logging', ['ticket-mix-shift']],
    ]);
    expect(recommended.every((choice) => choice.status === 'new')).toBe(true);
    expect(recommended[0]!.reason).toMatch(
      /^addresses llm-outage \(upstream-failure, risk 6\), llm-slow \(latency-spike, risk 6\): Stop calling/,
    );
  });

  it.each<[FailureModeKind, PatternId[]]>([
    ['upstream-failure', ['circuit-breaker', 'retry-with-backoff', 'graceful-degradation', 'timeout']],
    ['latency-spike', ['timeout', 'circuit-breaker', 'graceful-degradation']],
    ['bad-output', ['output-validation', 'graceful-degradation']],
    ['bad-deploy', ['blue-green', 'automated-rollback']],
    ['data-drift', ['drift-monitoring', 'prediction-logging']],
    ['cost-overrun', ['tiered-models', 'graceful-degradation']],
    ['traffic-surge', ['bulkhead', 'load-shedding']],
  ])('recommends for %s: %j', (kind, expected) => {
    expect(patternsOf(kind)).toEqual(expected);
  });

  it('recommends canary for a bad deploy when deploy.strategy is canary', () => {
    const spec = withOneMode('bad-deploy');
    spec.deploy = { strategy: 'canary', driver: 'local', steps: [{ weight: 100 }] };
    expect(patternsOf('bad-deploy', spec)).toEqual(['canary', 'automated-rollback']);
  });

  it('recommends tiered models for a cost overrun only when there are two tiers or more', () => {
    const spec = withOneMode('cost-overrun');
    spec.models = { tiers: [spec.models!.tiers[1]!] };
    expect(patternsOf('cost-overrun', spec)).toEqual(['graceful-degradation']);
  });

  it('recommends nothing for a spec without failure modes', () => {
    const spec = stageOne();
    delete spec.failureModes;
    expect(recommend(spec)).toEqual({ failureModes: [], recommended: [], kept: [] });
  });

  it('never recommends a pattern that addresses nothing, nor one for a kind it does not cover', () => {
    for (const kind of FAILURE_MODE_KINDS) {
      const spec = withOneMode(kind);
      for (const choice of recommend(spec).recommended) {
        expect(choice.addresses, `${choice.pattern} for ${kind}`).not.toHaveLength(0);
        for (const id of choice.addresses)
          expect(patternAddresses(choice.pattern, spec.failureModes!.find((m) => m.id === id)!.kind)).toBe(true);
      }
    }
  });

  it('keeps the patterns already in the spec as they are and recommends only the rest', () => {
    const spec = example();
    const { recommended, kept } = recommend(spec);
    expect(kept.map((choice) => ({ pattern: choice.pattern, addresses: choice.addresses }))).toEqual(spec.architecture!.patterns);
    expect(kept.every((choice) => choice.status === 'kept')).toBe(true);
    // timeout in the example addresses llm-slow only: kept as it is, not widened to llm-outage.
    expect(kept.find((choice) => choice.pattern === 'timeout')!.addresses).toEqual(['llm-slow']);
    expect(recommended.map((choice) => [choice.pattern, choice.addresses])).toEqual([['prediction-logging', ['ticket-mix-shift']]]);
  });

  it('lists as alternatives the catalog patterns that fit the spec but are neither chosen nor used by its sections', () => {
    const spec = example();
    const alts = alternatives(
      spec,
      spec.architecture!.patterns.map((entry) => entry.pattern),
    );
    // tiered-models (the cascade), orchestration-layer (resilience), bulkhead (resilience.bulkhead) and
    // prediction-logging (monitoring.predictionLogging) are in use though architecture.patterns does not name them.
    expect(alts.map((alt) => alt.pattern)).toEqual(['canary']);
    expect(alts.find((alt) => alt.pattern === 'canary')).toMatchObject({ couldAddress: ['bad-release'], cost: { money: 'low' } });
    // traffic-surge is not among the example's kinds: load-shedding fits nothing there.
    expect(alts.some((alt) => alt.pattern === 'load-shedding')).toBe(false);
  });
});
