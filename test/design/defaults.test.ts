import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../src/check/messages.js';
import { RULES } from '../../src/check/rules/index.js';
import type { DocPath } from '../../src/spec/doc-path.js';
import { absentEdits, DEFAULT_MODELS, errorRateLimit, fillAbsent, planDefaults, requestDeadline } from '../../src/design/defaults.js';
import { DEFAULT_STATIC_ANSWER, fallbackGap } from '../../src/design/fallback.js';
import { recommend } from '../../src/design/recommend.js';
import { specSchema, type Spec } from '../../src/spec/schema.js';
import { stageOne, withOneMode } from './helpers.js';

/** The stage-one example with every recommendation accepted, as `design --yes` plans it. */
function designed(spec: Spec = stageOne()): Spec {
  const patterns = recommend(spec).recommended.map((choice) => ({ pattern: choice.pattern, addresses: choice.addresses }));
  return { ...spec, architecture: { patterns } };
}

function* stringsOf(value: unknown, path: (string | number)[]): Generator<{ path: DocPath; value: string }> {
  if (typeof value === 'string') yield { path, value };
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* stringsOf(value[i], [...path, i]);
  else if (value !== null && typeof value === 'object')
    for (const [key, child] of Object.entries(value)) yield* stringsOf(child, [...path, key]);
}

function errorsAtStage8(spec: Spec) {
  return RULES.flatMap((rule) =>
    // A secret is not a default's concern: the text rule (no-secrets) has its own tests.
    (rule.input === 'text' ? [] : rule.check({ spec, stage: 8, strings: () => stringsOf(spec, []) }))
      .filter((report) => (('severity' in report ? report.severity : undefined) ?? rule.defaultSeverity) === 'error')
      .map((report) => `${rule.id}: ${renderMessage(rule, report.messageId, report.data)}`),
  );
}

describe('fillAbsent and absentEdits', () => {
  it('keeps every value the user set, and edits only the highest absent keys', () => {
    const current = { a: 1, b: { c: 2 }, list: [9] };
    const wanted = { a: 5, b: { c: 6, d: 7 }, list: [1, 2], e: { f: 8 } };
    expect(fillAbsent(current, wanted)).toEqual({ a: 1, b: { c: 2, d: 7 }, list: [9], e: { f: 8 } });
    expect(absentEdits(current, wanted, ['x'])).toEqual([
      { path: ['x', 'b', 'd'], value: 7, onlyIfAbsent: true },
      { path: ['x', 'e'], value: { f: 8 }, onlyIfAbsent: true },
    ]);
    expect(absentEdits(undefined, { f: 8 }, ['x'])).toEqual([{ path: ['x'], value: { f: 8 }, onlyIfAbsent: true }]);
  });
});

describe('planDefaults on the reference example without its later sections', () => {
  const { spec, edits, notes } = planDefaults(designed());

  it('derives resilience from the SLO and the load', () => {
    expect(spec.resilience).toEqual({
      // The largest multiple of 50 ms within p99 (2500); the worst case (1950) fits it.
      timeoutMs: 2500,
      retry: { maxAttempts: 2, backoff: 'exponential', initialDelayMs: 100, maxDelayMs: 400 },
      // 40 rps x 30 s / 20 = 60
      circuitBreaker: { failureRateThreshold: 0.5, minimumRequests: 60, windowSeconds: 30, halfOpenAfterSeconds: 15 },
      // 40 rps x 2.5 s x 2 = 200
      bulkhead: { maxConcurrent: 200, maxQueue: 400 },
      fallback: { strategy: 'lower-tier' },
    });
    expect(notes).toEqual([]);
  });

  it('writes one scenario per failure mode that needs one, against the http tier', () => {
    expect(spec.scenarios).toEqual([
      {
        id: 'llm-outage',
        failureMode: 'llm-outage',
        fault: { target: 'strong', type: 'error', status: 503, rate: 1 },
        load: { rps: 40, durationSeconds: 15 },
        // 40 rps x 35% escalated x 2 attempts = 28 calls/s: 60 calls in 3 s, + 1, at least 5.
        expect: { availability: { min: 99.9 }, p95Ms: { max: 1200 }, breakerOpensWithinSeconds: 5 },
      },
      {
        id: 'llm-slow',
        failureMode: 'llm-slow',
        fault: { target: 'strong', type: 'latency', delayMs: 1800, rate: 0.5 },
        load: { rps: 40, durationSeconds: 15 },
        expect: { availability: { min: 99.9 }, p99Ms: { max: 2500 } },
      },
      {
        id: 'malformed-output',
        failureMode: 'malformed-output',
        fault: { target: 'strong', type: 'malformed', rate: 0.3 },
        load: { rps: 40, durationSeconds: 15 },
        expect: { availability: { min: 99.9 }, p95Ms: { max: 1200 } },
      },
    ]);
  });

  it('writes a blue-green rollout analysed on the SLO and the first success criterion', () => {
    expect(spec.deploy).toEqual({
      strategy: 'blue-green',
      driver: 'local',
      steps: [{ weight: 10, pauseSeconds: 60 }, { weight: 50, pauseSeconds: 120 }, { weight: 100 }],
      analysis: {
        intervalSeconds: 10,
        failureLimit: 2,
        metrics: [
          { name: 'error-rate-percent', max: 1 },
          { name: 'p95-latency-ms', max: 1200 },
          { name: 'business', metric: 'routing_accuracy', min: 0.9 },
        ],
      },
      rollback: { automatic: true, scaleDownDelaySeconds: 30 },
    });
  });

  it('writes monitoring, handoff and review from the SLO, the drift failure mode and the owner', () => {
    expect(spec.monitoring).toEqual({
      alerts: { burnRate: true, errorRatePercent: 1, p95LatencyMs: 1200 },
      drift: { features: ['input_chars'], method: 'psi', threshold: 0.2 },
      predictionLogging: { sampleRate: 0.1 },
    });
    expect(spec.handoff).toEqual({ oncall: '<on-call rotation>', escalation: ['support-ai-lead@example.com'] });
    expect(spec.review).toEqual({ afterDays: 30, owner: 'support-ai-lead@example.com' });
  });

  it('makes one edit per missing section, and the result passes the schema', () => {
    expect(edits.map((edit) => edit.path)).toEqual([['resilience'], ['scenarios'], ['deploy'], ['monitoring'], ['handoff'], ['review']]);
    expect(edits.every((edit) => edit.onlyIfAbsent)).toBe(true);
    expect(specSchema.safeParse(spec).success).toBe(true);
  });

  it('passes every check rule at stage 8 with no errors', () => {
    expect(errorsAtStage8(spec)).toEqual([]);
    // The rules do see a missing default.
    const { review: _review, ...withoutReview } = spec;
    expect(errorsAtStage8(withoutReview as Spec)).toEqual([expect.stringMatching(/^section-required: .*`review`/)]);
  });
});

describe('planDefaults never replaces a value the user set', () => {
  it('fills only the missing keys of a partly written section', () => {
    const given = designed();
    given.resilience = { timeoutMs: 2200, retry: { maxAttempts: 3, backoff: 'fixed', initialDelayMs: 50, maxDelayMs: 50 } };
    given.deploy = { strategy: 'canary', driver: 'kubernetes', steps: [{ weight: 25 }, { weight: 100 }] };
    given.monitoring = { alerts: { errorRatePercent: 2 } };
    const { spec, edits } = planDefaults(given);
    expect(spec.resilience).toMatchObject({
      timeoutMs: 2200,
      retry: { maxAttempts: 3, backoff: 'fixed', initialDelayMs: 50, maxDelayMs: 50 },
    });
    expect(spec.deploy).toMatchObject({
      strategy: 'canary',
      driver: 'kubernetes',
      steps: [{ weight: 25 }, { weight: 100 }],
      rollback: { automatic: true },
    });
    expect(spec.monitoring!.alerts).toEqual({ errorRatePercent: 2, burnRate: true, p95LatencyMs: 1200 });
    const paths = edits.map((edit) => edit.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'resilience.circuitBreaker',
        'resilience.bulkhead',
        'resilience.fallback',
        'deploy.analysis',
        'deploy.rollback',
      ]),
    );
    for (const set of [
      'resilience',
      'resilience.timeoutMs',
      'resilience.retry',
      'deploy',
      'deploy.strategy',
      'deploy.steps',
      'monitoring.alerts',
      'monitoring.alerts.errorRatePercent',
    ]) {
      expect(paths).not.toContain(set);
    }
    expect(paths).toContain('monitoring.alerts.burnRate');
  });

  it('adds scenarios only for failure modes without one, after the existing ones, with a free id', () => {
    const given = designed();
    given.scenarios = [
      {
        id: 'llm-slow',
        failureMode: 'llm-outage',
        fault: { target: 'strong', type: 'error', rate: 1 },
        load: { rps: 5, durationSeconds: 5 },
        expect: { availability: { min: 99 } },
      },
    ];
    const { spec, edits } = planDefaults(given);
    expect(spec.scenarios!.map((s) => [s.id, s.failureMode])).toEqual([
      ['llm-slow', 'llm-outage'],
      ['llm-slow-2', 'llm-slow'],
      ['malformed-output', 'malformed-output'],
    ]);
    expect(edits.filter((edit) => edit.path[0] === 'scenarios').map((edit) => edit.path)).toEqual([
      ['scenarios', 1],
      ['scenarios', 2],
    ]);
  });

  it('leaves the request deadline the user set, and does not shrink the attempts they chose', () => {
    const given = designed();
    given.slo.latency.p99Ms = 1500;
    given.resilience = { timeoutMs: 1500, retry: { maxAttempts: 2, backoff: 'exponential', initialDelayMs: 100, maxDelayMs: 400 } };
    const { spec, notes } = planDefaults(given);
    expect(spec.resilience!.retry!.maxAttempts).toBe(2);
    expect(notes).toEqual(["The worst case (1950 ms) does not fit the 1500 ms deadline even so: lower a tier's timeoutMs."]);
  });
});

describe('planDefaults derivations', () => {
  it('rounds the deadline down to 50 ms and shrinks the retries to one attempt when two do not fit', () => {
    expect(requestDeadline(2500)).toBe(2500);
    expect(requestDeadline(1549)).toBe(1500);
    expect(requestDeadline(30)).toBe(30);
    const given = designed();
    given.slo.latency.p99Ms = 1549;
    const { spec, notes } = planDefaults(given);
    expect(spec.resilience!.timeoutMs).toBe(1500);
    // 2 attempts: 50 + 900 x 2 + 100 = 1950 > 1500; 1 attempt: 950.
    expect(spec.resilience!.retry!.maxAttempts).toBe(1);
    expect(notes[0]).toMatch(/maxAttempts is 1/);
    expect(errorsAtStage8(spec)).toEqual([]);
  });

  it('clamps the breaker minimum to [10, 100] and sizes the bulkhead from the load', () => {
    const busy = designed();
    busy.business.expectedLoad = { peakRps: 1000, dailyRequests: 1_000_000 };
    expect(planDefaults(busy).spec.resilience).toMatchObject({
      circuitBreaker: { minimumRequests: 100 },
      bulkhead: { maxConcurrent: 5000, maxQueue: 10000 },
    });
    const quiet = designed();
    quiet.business.expectedLoad = { peakRps: 2, dailyRequests: 1000 };
    expect(planDefaults(quiet).spec.resilience).toMatchObject({
      circuitBreaker: { minimumRequests: 10 },
      bulkhead: { maxConcurrent: 10, maxQueue: 20 },
    });
  });

  it('assumes a peak of 10 rps, and says so, when the load is unknown', () => {
    const given = designed();
    delete given.business.expectedLoad;
    const { spec, notes } = planDefaults(given);
    expect(spec.resilience).toMatchObject({ circuitBreaker: { minimumRequests: 15 }, bulkhead: { maxConcurrent: 50 } });
    expect(spec.scenarios![0]!.load.rps).toBe(10);
    expect(notes[0]).toMatch(/expectedLoad is not set/);
  });

  it('caps scenario load at 50 rps and surges at twice the peak with no fault', () => {
    const given = designed(withOneMode('traffic-surge'));
    given.business.expectedLoad = { peakRps: 20, dailyRequests: 1000 };
    expect(planDefaults(given).spec.scenarios).toEqual([
      {
        id: 'the-traffic-surge',
        failureMode: 'the-traffic-surge',
        load: { rps: 40, durationSeconds: 15 },
        expect: { availability: { min: 99.9 }, p99Ms: { max: 2500 } },
      },
    ]);
    given.business.expectedLoad = { peakRps: 400, dailyRequests: 1000 };
    expect(planDefaults(given).spec.scenarios![0]!.load.rps).toBe(50);
  });

  it('gives a single-tier service a static fallback with an answer, and injects faults into its only tier', () => {
    const given = designed(withOneMode('upstream-failure'));
    given.models = { tiers: [given.models!.tiers[0]!] };
    const { spec, notes } = planDefaults(given);
    expect(spec.resilience!.fallback).toEqual({ strategy: 'static', static: DEFAULT_STATIC_ANSWER });
    expect(fallbackGap(spec)).toBeUndefined();
    expect(notes.join('\n')).toContain('resilience.fallback.static answers "needs-review"');
    expect(spec.scenarios![0]!.fault).toEqual({ target: 'fast', type: 'error', status: 503, rate: 1 });
  });

  it('adds a static answer to a fallback the user chose that has nothing to answer with, keeping their strategy', () => {
    const given = designed(withOneMode('upstream-failure'));
    given.resilience = { timeoutMs: 2000, fallback: { strategy: 'static' } };
    const { spec, edits } = planDefaults(given);
    expect(spec.resilience!.fallback).toEqual({ strategy: 'static', static: DEFAULT_STATIC_ANSWER });
    expect(edits).toContainEqual({ path: ['resilience', 'fallback', 'static'], value: DEFAULT_STATIC_ANSWER, onlyIfAbsent: true });
    const answered = designed(withOneMode('upstream-failure'));
    answered.resilience = { timeoutMs: 2000, fallback: { strategy: 'static', static: { queue: 'general' } } };
    expect(planDefaults(answered).spec.resilience!.fallback).toEqual({ strategy: 'static', static: { queue: 'general' } });
  });

  it('writes nothing for a declined pattern: no breaker, retry, bulkhead, fallback, drift check or prediction log', () => {
    const given = designed();
    given.architecture = { patterns: [] };
    const declined = recommend(given).recommended.map((choice) => choice.pattern);
    const { spec } = planDefaults(given, declined);
    // The example has no traffic-surge: the bulkhead was never offered, so not declined either.
    expect(spec.resilience).toEqual({ timeoutMs: 2500, bulkhead: { maxConcurrent: 200, maxQueue: 400 } });
    expect(spec.scenarios!.some((scenario) => scenario.expect.breakerOpensWithinSeconds !== undefined)).toBe(false);
    expect(spec.monitoring).not.toHaveProperty('drift');
    expect(spec.monitoring).not.toHaveProperty('predictionLogging');
    expect(spec.deploy!.rollback).toEqual({ automatic: false, scaleDownDelaySeconds: 30 });
  });

  it('gives a spec without models (init --models none) one in-process tier, and says so', () => {
    const given = designed();
    delete given.models;
    const { spec, notes, edits } = planDefaults(given);
    expect(spec.models).toEqual(DEFAULT_MODELS);
    expect(edits[0]).toEqual({ path: ['models'], value: DEFAULT_MODELS, onlyIfAbsent: true });
    expect(notes.join('\n')).toContain('models was not set');
    expect(spec.scenarios!.map((scenario) => scenario.fault?.target)).toContain('local');
  });

  it('writes no drift check without a data-drift failure mode, and a canary rollout when the architecture has canary', () => {
    const given = withOneMode('bad-deploy');
    given.architecture = { patterns: [{ pattern: 'canary', addresses: ['the-bad-deploy'] }] };
    const { spec } = planDefaults(given);
    expect(spec.monitoring!.drift).toBeUndefined();
    expect(spec.deploy!.strategy).toBe('canary');
  });

  it('watches the business metric against its baseline when no success criterion has a threshold', () => {
    const given = designed();
    given.business.successCriteria = [{ id: 'vibes', metric: 'vibes' }];
    expect(planDefaults(given).spec.deploy!.analysis!.metrics[2]).toEqual({
      name: 'business',
      metric: 'median_first_response_minutes',
      max: 240,
    });
    given.business.metric.direction = 'increase';
    expect(planDefaults(given).spec.deploy!.analysis!.metrics[2]).toEqual({
      name: 'business',
      metric: 'median_first_response_minutes',
      min: 240,
    });
  });

  it('derives the error-rate limit from the error budget, clamped to [0.1, 5]', () => {
    expect(errorRateLimit(99.9)).toBe(1);
    expect(errorRateLimit(99.95)).toBe(0.5);
    expect(errorRateLimit(99.999)).toBe(0.1);
    expect(errorRateLimit(95)).toBe(5);
  });
});
