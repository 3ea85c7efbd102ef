// loadConfig: the spec's numbers and the environment's endpoints, keys and port, with a ConfigError
// naming the variable and the spec field whenever either is wrong.
import { describe, expect, it } from 'vitest';
import { ConfigError, envVariable, loadConfig } from '../src/config/index.js';
import { spec as generatedSpec } from '../src/config/spec.js';
import type { ServiceSpec, TierSpec } from '../src/config/types.js';
import { TRIAGE_ENV, triageSpec as spec } from './support/triage.js';

const URL_VAR = 'LLM_URL';
const KEY_VAR = 'LLM_KEY';
const local: TierSpec = { name: 'fast', kind: 'local', model: 'keywords', timeoutMs: 50, costPerRequestUsd: 0 };
const http: TierSpec = { name: 'strong', kind: 'http', model: 'gpt', endpoint: `\${${URL_VAR}}`, timeoutMs: 900, costPerRequestUsd: 0.004 };
// LLM_URL for the tiers of these tests, TRIAGE_LLM_URL for those of the reference spec.
const env = { [URL_VAR]: 'http://llm.internal:8000/v1', ...TRIAGE_ENV };

/** The reference spec with other tiers. */
function withTiers(...tiers: TierSpec[]): ServiceSpec {
  return { ...spec, models: { ...spec.models, tiers } };
}

/** The reference spec with another fallback. */
function withFallback(fallback: ServiceSpec['resilience']['fallback']): ServiceSpec {
  const { fallback: _dropped, ...resilience } = spec.resilience;
  return { ...spec, resilience: fallback === undefined ? resilience : { ...resilience, fallback } };
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, got none');
}

describe('envVariable', () => {
  it('names the variable of a ${NAME} reference, and nothing for anything else', () => {
    expect(envVariable('${TRIAGE_LLM_URL}')).toBe('TRIAGE_LLM_URL');
    expect(envVariable('https://api.example.com/v1')).toBeUndefined();
    expect(envVariable('${lower_case}')).toBeUndefined();
    expect(envVariable('prefix ${A}')).toBeUndefined();
    expect(envVariable(undefined)).toBeUndefined();
  });
});

describe('loadConfig: http tier endpoints and keys', () => {
  it('reads the endpoint from the variable the spec names', () => {
    const config = loadConfig(env, withTiers(local, http));
    expect(config.tiers.map((t) => [t.name, t.kind, t.baseUrl])).toEqual([
      ['fast', 'local', undefined],
      ['strong', 'http', 'http://llm.internal:8000/v1'],
    ]);
    expect(config.tiers[1]).toMatchObject({ model: 'gpt', timeoutMs: 900, costPerRequestUsd: 0.004 });
  });

  it('names the variable and the field when the endpoint variable is missing or blank', () => {
    for (const environment of [{}, { [URL_VAR]: '' }, { [URL_VAR]: '   ' }]) {
      const error = configError(() => loadConfig(environment, withTiers(local, http)));
      expect(error.message).toContain(URL_VAR);
      expect(error.message).toContain('models.tiers[1].endpoint');
    }
  });

  it('refuses an endpoint value that is not an http(s) URL, naming the variable', () => {
    // The second parses as a URL of scheme `localhost:`: the scheme left out.
    for (const value of ['not a url', 'localhost:8099/v1', 'ftp://llm.internal/v1']) {
      const error = configError(() => loadConfig({ [URL_VAR]: value }, withTiers(local, http)));
      expect(error.message).toContain(URL_VAR);
      expect(error.message).toContain('models.tiers[1].endpoint');
    }
    expect(loadConfig({ [URL_VAR]: 'https://api.example.com/v1' }, withTiers(local, http)).tiers[1]?.baseUrl).toBe(
      'https://api.example.com/v1',
    );
  });

  it('refuses an endpoint that is a literal instead of an environment reference', () => {
    const error = configError(() => loadConfig(env, withTiers(local, { ...http, endpoint: 'http://llm.internal/v1' })));
    expect(error.message).toContain('models.tiers[1].endpoint');
  });

  it('refuses an http tier without an endpoint', () => {
    const { endpoint: _dropped, ...noEndpoint } = http;
    const error = configError(() => loadConfig(env, withTiers(local, noEndpoint)));
    expect(error.message).toContain('models.tiers[1]');
  });

  it('reads the API key from its variable, and has none when the spec names none', () => {
    const keyed = withTiers(local, { ...http, apiKey: `\${${KEY_VAR}}` });
    expect(loadConfig({ ...env, [KEY_VAR]: 'sk-test-123' }, keyed).tiers[1]?.apiKey).toBe('sk-test-123');
    expect(loadConfig(env, withTiers(local, http)).tiers[1]).not.toHaveProperty('apiKey');
    const error = configError(() => loadConfig(env, keyed));
    expect(error.message).toContain(KEY_VAR);
    expect(error.message).toContain('models.tiers[1].apiKey');
  });

  it('needs no variable for local tiers', () => {
    expect(loadConfig({}, withTiers(local)).tiers).toEqual([
      { name: 'fast', kind: 'local', model: 'keywords', timeoutMs: 50, costPerRequestUsd: 0 },
    ]);
  });
});

describe('loadConfig: the static fallback', () => {
  const staticOf = (fields: Record<string, unknown>) =>
    loadConfig(env, withFallback({ strategy: 'static', static: fields })).resilience.fallback?.static;

  it('answers with the label field when there is one', () => {
    expect(staticOf({ queue: 'general', label: 'triage', reply: 'We are on it.' })).toEqual({
      label: 'triage',
      reply: 'We are on it.',
      fields: { queue: 'general', label: 'triage', reply: 'We are on it.' },
    });
  });

  it('answers with the first text field when there is no label (queue)', () => {
    expect(staticOf({ priority: 3, queue: 'general', team: 'tier-1', reply: null })).toEqual({
      label: 'general',
      reply: null,
      fields: { priority: 3, queue: 'general', team: 'tier-1', reply: null },
    });
  });

  it('never takes the reply for the label', () => {
    expect(staticOf({ reply: 'Thanks, we will get back to you.', queue: 'general' })).toMatchObject({
      label: 'general',
      reply: 'Thanks, we will get back to you.',
    });
  });

  it('has a null reply unless the reply is text', () => {
    expect(staticOf({ queue: 'general' })?.reply).toBeNull();
    expect(staticOf({ queue: 'general', reply: 42 })?.reply).toBeNull();
    expect(staticOf({ queue: 'general', reply: null })?.reply).toBeNull();
  });

  it('refuses a static answer without a text field', () => {
    const error = configError(() => staticOf({ priority: 3, reply: null }));
    expect(error.message).toContain('resilience.fallback.static');
  });

  it('reads the reference spec: lower-tier with a static "general" queue, an hour of cache', () => {
    expect(loadConfig(env, spec).resilience.fallback).toEqual({
      strategy: 'lower-tier',
      static: { label: 'general', reply: null, fields: { queue: 'general', reply: null } },
      cacheTtlSeconds: 3600,
    });
  });

  it('has no fallback when the spec has none, and keeps a cache TTL it gives', () => {
    expect(loadConfig(env, withFallback(undefined)).resilience.fallback).toBeUndefined();
    expect(loadConfig(env, withFallback({ strategy: 'cache', cacheTtlSeconds: 60 })).resilience.fallback).toEqual({
      strategy: 'cache',
      cacheTtlSeconds: 60,
    });
  });
});

describe('loadConfig: routing', () => {
  const withoutRouting = (tiers: TierSpec[]): ServiceSpec => {
    const { routing: _dropped, ...models } = spec.models;
    return { ...spec, models: { ...models, tiers } };
  };

  it('cascades by default over more than one tier', () => {
    expect(loadConfig(env, withoutRouting([local, http])).routing).toEqual({ strategy: 'cascade' });
  });

  it('routes to the single tier by default when there is one', () => {
    expect(loadConfig(env, withoutRouting([local])).routing).toEqual({ strategy: 'single' });
  });

  it('keeps the strategy and the escalation thresholds the spec gives', () => {
    expect(loadConfig(env, withTiers(local, http)).routing).toEqual({ strategy: 'cascade', confidenceBelow: 0.75, inputCharsAbove: 4000 });
    const single: ServiceSpec = { ...spec, models: { tiers: [local, http], routing: { strategy: 'single' } } };
    expect(loadConfig(env, single).routing).toEqual({ strategy: 'single' });
  });
});

describe('loadConfig: latency buckets', () => {
  const isSortedSet = (values: number[]) => values.every((value, i) => i === 0 || value > values[i - 1]!);

  it('holds every latency threshold of the reference spec, sorted, without duplicates', () => {
    const buckets = loadConfig(env, spec).latencyBucketsMs;
    for (const threshold of [1200, 2500, 2000, 50, 900]) expect(buckets).toContain(threshold);
    expect(isSortedSet(buckets)).toBe(true);
  });

  it('holds each threshold from the field it comes from', () => {
    const odd: ServiceSpec = {
      ...spec,
      slo: { ...spec.slo, latency: { p95Ms: 1201, p99Ms: 2501 } },
      models: {
        ...spec.models,
        tiers: [
          { ...local, timeoutMs: 77 },
          { ...http, timeoutMs: 901 },
        ],
      },
      resilience: { ...spec.resilience, timeoutMs: 2001 },
      scenarios: [
        { id: 'a', failureMode: 'a', load: { rps: 1, durationSeconds: 1 }, expect: { p95Ms: { max: 1111 } } },
        { id: 'b', failureMode: 'b', load: { rps: 1, durationSeconds: 1 }, expect: { p99Ms: { max: 2222 }, p95Ms: { max: 1201 } } },
      ],
      deploy: {
        analysis: {
          metrics: [
            { name: 'error-rate-percent', max: 3 },
            { name: 'p95-latency-ms', max: 1333 },
            { name: 'p99-latency-ms', max: 2444 },
          ],
        },
      },
      monitoring: { alerts: { p95LatencyMs: 1555 } },
    };
    const buckets = loadConfig(env, odd).latencyBucketsMs;
    for (const threshold of [1201, 2501, 77, 901, 2001, 1111, 2222, 1333, 2444, 1555]) expect(buckets).toContain(threshold);
    // Not a latency: the error rate's threshold is no bucket.
    expect(buckets).not.toContain(3);
    expect(isSortedSet(buckets)).toBe(true);
    expect(new Set(buckets).size).toBe(buckets.length);
  });

  it('copes with a spec without deploy nor monitoring sections', () => {
    const bare: ServiceSpec = { ...spec, deploy: null, monitoring: null, scenarios: [] };
    const config = loadConfig(env, bare);
    expect(config.latencyBucketsMs).toContain(1200);
    expect(config.driftFeatures).toEqual([]);
    expect(config.predictionLogSampleRate).toBe(0);
  });
});

describe('loadConfig: the environment', () => {
  it('listens on 8080 unless PORT says otherwise', () => {
    expect(loadConfig(env, spec).port).toBe(8080);
    expect(loadConfig({ ...env, PORT: '' }, spec).port).toBe(8080);
    expect(loadConfig({ ...env, PORT: '9090' }, spec).port).toBe(9090);
    expect(loadConfig({ ...env, PORT: '0' }, spec).port).toBe(0);
  });

  it('refuses a PORT that is not a port number, naming PORT', () => {
    for (const port of ['http', '80.5', '-1', '65536', '99999']) {
      const error = configError(() => loadConfig({ ...env, PORT: port }, spec));
      expect(error.message).toContain('PORT');
    }
  });

  it('refuses a SHUTDOWN_GRACE_MS that is not a whole number', () => {
    expect(loadConfig({ ...env, SHUTDOWN_GRACE_MS: '2500' }, spec).shutdownGraceMs).toBe(2500);
    expect(configError(() => loadConfig({ ...env, SHUTDOWN_GRACE_MS: 'soon' }, spec)).message).toContain('SHUTDOWN_GRACE_MS');
  });

  it('lingers 1000 ms into the grace period by default; SHUTDOWN_LINGER_MS sets it, 0 for none', () => {
    expect(loadConfig(env, spec).shutdownLingerMs).toBe(1000);
    expect(loadConfig({ ...env, SHUTDOWN_LINGER_MS: '0' }, spec).shutdownLingerMs).toBe(0);
    expect(configError(() => loadConfig({ ...env, SHUTDOWN_LINGER_MS: 'a bit' }, spec)).message).toContain('SHUTDOWN_LINGER_MS');
  });

  it('derives admission control from the peak load, the deadline and the bulkhead; MAX_IN_FLIGHT overrides it', () => {
    // Twice 40 rps over a 2 s deadline (160), above the bulkhead's 64; as many may wait, for a quarter of the deadline.
    expect(loadConfig(env, spec).admission).toEqual({ maxInFlight: 160, maxQueue: 160, maxQueueWaitMs: 500 });
    const bigBulkhead = { ...spec, resilience: { ...spec.resilience, bulkhead: { maxConcurrent: 300, maxQueue: 10 } } };
    expect(loadConfig(env, bigBulkhead).admission.maxInFlight).toBe(300);
    const { expectedLoad: _unknown, ...business } = spec.business;
    expect(loadConfig(env, { ...spec, business }).admission.maxInFlight).toBe(256);
    expect(loadConfig({ ...env, MAX_IN_FLIGHT: '12' }, spec).admission).toMatchObject({ maxInFlight: 12, maxQueue: 12 });
    expect(configError(() => loadConfig({ ...env, MAX_IN_FLIGHT: 'lots' }, spec)).message).toContain('MAX_IN_FLIGHT');
    expect(loadConfig(env, spec)).toMatchObject({ maxConnections: 1024, requestReadTimeoutMs: 10_000 });
  });

  it('reads the business metrics and the drift features of the spec', () => {
    const config = loadConfig(env, spec);
    expect(config.businessMetrics).toEqual(['median_first_response_minutes', 'routing_accuracy']);
    expect(config.driftFeatures).toEqual(['ticket_chars', 'language']);
    expect(config.service).toEqual({ name: spec.metadata.name, version: '0.1.0', owner: spec.metadata.owner });
    expect(loadConfig({ ...env, SERVICE_VERSION: '1.4.2' }, spec).service.version).toBe('1.4.2');
  });

  it('aggregates the business metric as business.metric.aggregation says, and by its name where it says nothing', () => {
    const median = 'median_first_response_minutes';
    const declaring = (extra: { aggregation: 'mean' | 'percentile' | 'rate' | 'last'; quantile?: number }): ServiceSpec => ({
      ...spec,
      business: { ...spec.business, metric: { ...spec.business.metric, ...extra } },
    });
    // Nothing declared: a median_ name is the median, an accuracy the mean of right labels.
    expect(loadConfig(env, spec).businessAggregations).toEqual({
      [median]: { kind: 'percentile', quantile: 0.5 },
      routing_accuracy: { kind: 'mean' },
    });
    // Declared: the field wins over the name, for the business metric only.
    expect(loadConfig(env, declaring({ aggregation: 'mean' })).businessAggregations).toEqual({
      [median]: { kind: 'mean' },
      routing_accuracy: { kind: 'mean' },
    });
    expect(loadConfig(env, declaring({ aggregation: 'percentile', quantile: 0.9 })).businessAggregations[median]).toEqual({
      kind: 'percentile',
      quantile: 0.9,
    });
    expect(loadConfig(env, declaring({ aggregation: 'rate' })).businessAggregations[median]).toEqual({ kind: 'rate' });
    expect(loadConfig(env, declaring({ aggregation: 'last' })).businessAggregations[median]).toEqual({ kind: 'last' });
    expect(Object.keys(loadConfig(env, spec).businessAggregations)).toEqual(loadConfig(env, spec).businessMetrics);
  });

  it("loads this project's own spec once its variables are set", () => {
    const own: NodeJS.ProcessEnv = {};
    for (const tier of generatedSpec.models.tiers) {
      if (tier.endpoint) own[tier.endpoint.slice(2, -1)] = 'http://127.0.0.1:9/v1';
      if (tier.apiKey) own[tier.apiKey.slice(2, -1)] = 'test-key';
    }
    const config = loadConfig(own);
    expect(config.tiers.map((tier) => tier.name)).toEqual(generatedSpec.models.tiers.map((tier) => tier.name));
    expect(config.latencyBucketsMs).toContain(generatedSpec.slo.latency.p95Ms);
    expect(config.latencyBucketsMs).toContain(generatedSpec.slo.latency.p99Ms);
  });
});
