/** Each expectation of scenarios[].expect, judged by the one definition the pack's tests and validate share. */
import { describe, expect, it } from 'vitest';
import { judge, meets, percentile, type Measured } from '../../templates/service-ts/files/test/support/expectations.js';
import type { RequestResult } from '../../src/load/traffic.js';
import { measure } from '../../src/validate/measure.js';
import { planValidation, parseUpstreams } from '../../src/validate/plan.js';
import { parseValidationReport } from '../../src/stages/records.js';
import type { Spec } from '../../src/spec/schema.js';

const measured: Measured = {
  availability: 99.6,
  shedPercent: 5,
  admittedAvailability: 99.9,
  errorRatePercent: 0.4,
  fallbackRate: 30,
  p50Ms: 80,
  p95Ms: 900,
  p99Ms: 1500,
  breakerOpenedAfterSeconds: 3.2,
  recoveredAfterSeconds: 16,
};

const verdict = (name: string, expect: Parameters<typeof judge>[1], values: Partial<Measured> = {}, wallClock = true) =>
  judge('s', expect, { ...measured, ...values }, { wallClock }).find((v) => v.name === name)!;

describe('expectations', () => {
  it('thresholds are inclusive at both ends', () => {
    expect(meets(5, { min: 5 })).toBe(true);
    expect(meets(5, { max: 5 })).toBe(true);
    expect(meets(4.99, { min: 5 })).toBe(false);
    expect(meets(5.01, { max: 5 })).toBe(false);
  });

  it('percentiles are nearest-rank', () => {
    expect(percentile([], 0.5)).toBe(0);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        0.95,
      ),
    ).toBe(95);
  });

  for (const [name, pass, fail] of [
    ['availability', { min: 99.5 }, { min: 99.7 }],
    ['admittedAvailability', { min: 99.5 }, { min: 99.95 }],
    ['shedPercent', { max: 10 }, { max: 2 }],
    ['errorRatePercent', { max: 0.5 }, { max: 0.3 }],
    ['fallbackRate', { max: 40 }, { max: 20 }],
    ['p50Ms', { max: 100 }, { max: 50 }],
    ['p95Ms', { max: 1200 }, { max: 800 }],
    ['p99Ms', { max: 2500 }, { max: 1000 }],
  ] as const) {
    it(`${name}: met, and missed with the field named`, () => {
      expect(verdict(name, { [name]: pass }).passed).toBe(true);
      const missed = verdict(name, { [name]: fail });
      expect(missed.passed).toBe(false);
      expect(missed.message).toContain(`(scenarios[s].expect.${name})`);
    });
  }

  it('breakerOpensWithinSeconds: within the bound, too late, or never', () => {
    expect(verdict('breakerOpensWithinSeconds', { breakerOpensWithinSeconds: 5 }).passed).toBe(true);
    expect(verdict('breakerOpensWithinSeconds', { breakerOpensWithinSeconds: 3 }).message).toMatch(
      /opened after 3\.2 s, expected within 3 s/,
    );
    expect(verdict('breakerOpensWithinSeconds', { breakerOpensWithinSeconds: 5 }, { breakerOpenedAfterSeconds: undefined }).measured).toBe(
      'never',
    );
  });

  it('recoversWithinSeconds: closed again within the bound, or not', () => {
    expect(verdict('recoversWithinSeconds', { recoversWithinSeconds: 20 }).passed).toBe(true);
    expect(verdict('recoversWithinSeconds', { recoversWithinSeconds: 10 }).passed).toBe(false);
    expect(verdict('recoversWithinSeconds', { recoversWithinSeconds: 20 }, { recoveredAfterSeconds: undefined }).message).toMatch(
      /never closed again/,
    );
  });

  it('without wall clock (the pack\'s own tests): no latency verdicts, and "within" only asks that it happened', () => {
    const verdicts = judge('s', { p95Ms: { max: 1 }, availability: { min: 99 }, breakerOpensWithinSeconds: 1 }, measured, {
      wallClock: false,
    });
    expect(verdicts.map((v) => [v.name, v.passed])).toEqual([
      ['availability', true],
      ['breakerOpensWithinSeconds', true],
    ]);
  });
});

describe('shedding', () => {
  it('shedPercent depends on the machine: left out of a judgement that holds on a loaded one; admittedAvailability is not', () => {
    const names = judge('s', { shedPercent: { max: 1 }, admittedAvailability: { min: 99 } }, measured, { wallClock: false }).map(
      (v) => v.name,
    );
    expect(names).toEqual(['admittedAvailability']);
  });
});

describe('measure', () => {
  it('availability, fallbacks, tiers and the breaker over time from samples and /metrics readings', () => {
    const samples: RequestResult[] = [
      { at: 100, latencyMs: 10, status: 200, ok: true, headers: { 'x-model-tier': 'strong', 'x-fallback': 'none' } },
      { at: 200, latencyMs: 20, status: 200, ok: true, headers: { 'x-model-tier': 'fast', 'x-fallback': 'lower-tier' } },
      { at: 300, latencyMs: 30, status: 503, ok: false, headers: {} },
      { at: 350, latencyMs: 2, status: 503, ok: false, headers: { 'retry-after': '1' } },
      { at: 400, latencyMs: 10_000, status: 0, ok: false, error: 'TIMEOUT' },
    ];
    const readings = [
      { at: 0, breakers: { strong: 'closed' as const }, fallbacks: 0 },
      { at: 1500, breakers: { strong: 'open' as const }, fallbacks: 1 },
      { at: 4000, breakers: { strong: 'half-open' as const }, fallbacks: 1 },
      { at: 4200, breakers: { strong: 'closed' as const }, fallbacks: 1 },
    ];
    const result = measure({
      // One more the generator could not send: a failure too.
      load: { results: samples, sent: 5, failed: 3, skipped: 1, durationMs: 500 },
      readings,
      metricsAvailable: true,
      target: 'strong',
      faultFrom: 500,
      faultTo: 3000,
    });
    expect(result).toMatchObject({
      requests: 6,
      availability: 33.33,
      // Only the 503 with a Retry-After is shed; of the 5 others, 2 were answered.
      shedPercent: 16.67,
      admittedAvailability: 40,
      errorRatePercent: 66.67,
      fallbackRate: 16.67,
      p50Ms: 20,
      tiers: { strong: 1, fast: 1 },
    });
    expect(result.breakerOpenedAfterSeconds).toBe(1);
    expect(result.recoveredAfterSeconds).toBe(1.2);
    expect(result.breakerTimeline).toEqual([
      { at: 1.5, tier: 'strong', state: 'open' },
      { at: 4, tier: 'strong', state: 'half-open' },
      { at: 4.2, tier: 'strong', state: 'closed' },
    ]);
  });
});

describe('planValidation', () => {
  const spec = {
    models: {
      tiers: [
        { name: 'fast', kind: 'local', model: 'm', timeoutMs: 50 },
        { name: 'strong', kind: 'http', endpoint: '${LLM_URL}', apiKey: '${LLM_KEY}', model: 'm', timeoutMs: 900 },
      ],
    },
    scenarios: [
      {
        id: 'outage',
        failureMode: 'o',
        fault: { target: 'strong', type: 'error', rate: 1, after: 10, for: 20 },
        load: { rps: 10, durationSeconds: 60 },
        expect: { availability: { min: 99 } },
      },
      { id: 'surge', failureMode: 's', load: { rps: 50, durationSeconds: 30 }, expect: { p99Ms: { max: 900 } } },
    ],
  } as unknown as Spec;

  it('scales durations and fault windows, and knows a shortened or partial run is not complete', () => {
    const plan = planValidation(spec, { durationScale: 0.5 });
    expect(plan.tiers).toEqual([{ name: 'strong', endpointVariable: 'LLM_URL', apiKeyVariable: 'LLM_KEY' }]);
    expect(plan.scenarios[0]).toMatchObject({ durationSeconds: 30, fault: { after: 5, for: 10 } });
    expect(plan.complete).toBe(false);
    expect(planValidation(spec).complete).toBe(true);
    expect(planValidation(spec, { scenario: 'surge' }).complete).toBe(false);
  });

  it('a shortened run that judges recovery keeps its load until recoversWithinSeconds after the scaled fault', () => {
    const recovering = {
      ...spec,
      scenarios: [{ ...spec.scenarios![0]!, expect: { recoversWithinSeconds: 17 }, load: { rps: 10, durationSeconds: 60 } }],
    } as Spec;
    // Scaled: the fault from 2 s for 4 s, the load 12 s; recovery is real time, so the load may go on to 6 + 17 s.
    expect(planValidation(recovering, { durationScale: 0.2 }).scenarios[0]).toMatchObject({
      durationSeconds: 12,
      untilRecoveredSeconds: 23,
    });
    expect(planValidation(recovering).scenarios[0]!.untilRecoveredSeconds).toBeUndefined();
  });

  it('refuses what it cannot do, saying why', () => {
    expect(() => planValidation(spec, { scenario: 'nope' })).toThrow(/no scenario "nope"/);
    expect(() => planValidation(spec, { durationScale: 2 })).toThrow(/--duration-scale 2/);
    expect(() => planValidation(spec, { upstreams: { fast: 'http://127.0.0.1:1' } })).toThrow(/names no http tier/);
    expect(() => planValidation(spec, { external: true })).toThrow(/with --url/);
    expect(planValidation(spec, { external: true, scenario: 'surge' }).scenarios).toHaveLength(1);
    const local = { ...spec, scenarios: [{ ...spec.scenarios![0]!, fault: { target: 'fast', type: 'error', rate: 1 } }] } as Spec;
    expect(() => planValidation(local)).toThrow(/the local tier fast/);
  });

  it('--upstream takes NAME=URL', () => {
    expect(parseUpstreams(['strong=http://127.0.0.1:9/v1'])).toEqual({ strong: 'http://127.0.0.1:9/v1' });
    expect(() => parseUpstreams(['strong'])).toThrow(/not NAME=URL/);
    expect(() => parseUpstreams(['strong=ftp://x'])).toThrow(/not NAME=URL/);
  });
});

describe('reading a validation report (status)', () => {
  it('reads through the schema, leniently for scenario entries', () => {
    const read = parseValidationReport({
      specHash: 'abc',
      passed: true,
      scenarios: [{ id: 'a', passed: true }, 'junk', { passed: 'yes' }],
    });
    expect(read).toEqual({
      value: {
        specHash: 'abc',
        passed: true,
        scenarios: [
          { id: 'a', passed: true },
          { id: '?', passed: false },
        ],
      },
    });
  });

  it('says what is missing', () => {
    expect(parseValidationReport([])).toEqual({ error: 'is not a JSON object' });
    expect(parseValidationReport({ passed: true })).toEqual({ error: 'has no "specHash"' });
    expect(parseValidationReport({ specHash: 'abc' })).toEqual({ error: 'has no "passed" true or false' });
  });
});
