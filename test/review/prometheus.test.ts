import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { metricQueries } from '../../src/review/actuals.js';
import { assessReview } from '../../src/review/assess.js';
import { instantValue, prometheusEndpoint, prometheusSource } from '../../src/review/sources/prometheus/index.js';
import { example } from '../check/rules/helpers.js';
import { fakePrometheus } from './fake-prometheus.js';
import { rejection } from '../helpers/errors.js';

const spec = example();
const queries = metricQueries(spec, spec);

/** What the fake answers: the values a real Prometheus would compute for a service 30 days in. */
function production(query: string): string | undefined | null {
  if (query.startsWith('avg(avg_over_time(ai_business_metric{metric="median_first_response_minutes"}[30d]))')) return '75';
  if (query.startsWith('avg(avg_over_time(ai_business_metric{metric="routing_accuracy"}[30d]))')) return '0.87';
  if (query.startsWith('100 * (1 - sum(increase(ai_requests_total{outcome="error"}[30d]))')) return '99.85';
  if (query.includes('histogram_quantile(0.95,')) return '900';
  if (query.includes('histogram_quantile(0.99,')) return '2700';
  if (query.startsWith('sum(increase(ai_cost_usd_total[30d])) / sum(increase(ai_requests_total[30d]))')) return '0.0015';
  if (query === 'sum(increase(ai_cost_usd_total[30d]))') return '11000';
  if (query === 'max(ai_drift_psi{feature="language"})') return '0.31';
  // ticket_chars: no series, as when the drift gauge is not exported.
  if (query === 'max(ai_drift_psi{feature="ticket_chars"})') return undefined;
  return null;
}

const read = (url: string, timeoutMs?: number) => prometheusSource.read({ url, queries, ...(timeoutMs ? { timeoutMs } : {}) });

describe('the Prometheus metric source', () => {
  it('fills the actuals from one instant query per value, an empty vector leaving a value unmeasured', async () => {
    const prometheus = await fakePrometheus(production);
    const actuals = await read(prometheus.url);
    expect(actuals).toEqual({
      metrics: { median_first_response_minutes: 75, routing_accuracy: 0.87 },
      slo: { availability: 99.85, p95Ms: 900, p99Ms: 2700 },
      cost: { perRequestUsd: 0.0015, monthlyUsd: 11000 },
      drift: { language: 0.31 },
    });
    expect(prometheus.received.map((r) => r.query).sort()).toEqual(queries.map((q) => q.promql).sort());
  });

  it('gives the review its arithmetic: progress, error budget, overruns and the backlog order', async () => {
    const prometheus = await fakePrometheus(production);
    const actuals = await read(prometheus.url);
    const a = assessReview({ spec, actuals, history: [], due: undefined, today: new Date('2026-03-01T00:00:00Z'), source: 'fake' });
    // (75 - 240) / (60 - 240) = 91.7% of the way; (100 - 99.85) / (100 - 99.9) = 150% of the budget.
    expect(a.business).toMatchObject({ actual: 75, progressPercent: 91.7, verdict: 'missed', worseThanBaseline: false });
    expect(a.slo).toMatchObject({ availability: 99.85, verdict: 'missed', errorBudgetSpentPercent: 150 });
    expect(a.criteria.map((c) => [c.name, c.verdict, c.overrunPercent])).toEqual([
      ['routing-accuracy', 'missed', 3.3],
      ['first-response', 'missed', 25],
    ]);
    expect(a.slo.latency.map((l) => [l.name, l.verdict, l.overrunPercent])).toEqual([
      ['p95', 'met', undefined],
      ['p99', 'missed', 8],
    ]);
    expect(a.cost.map((c) => [c.name, c.verdict, c.overrunPercent])).toEqual([
      ['per request', 'met', undefined],
      ['per month', 'missed', 10],
    ]);
    expect(a.drift.features.map((f) => [f.name, f.verdict])).toEqual([
      ['ticket_chars', 'not-measured'],
      ['language', 'missed'],
    ]);
    expect(a.decision).toBe('iterate');
    expect(a.backlog.map((b) => [b.kind, b.overrunPercent])).toEqual([
      ['criterion', 25],
      ['criterion', 3.3],
      ['business', 8.3],
      ['drift', 55],
      ['slo', 50],
      ['cost', 10],
      ['latency', 8],
      ['measurement', undefined],
    ]);
  });

  it('sends credentials in the URL as a Basic header and never shows them', async () => {
    const prometheus = await fakePrometheus(production);
    const url = prometheus.url.replace('http://', 'http://reviewer:s3cret@');
    await read(url);
    expect(prometheus.received[0]!.headers['authorization']).toBe(`Basic ${Buffer.from('reviewer:s3cret').toString('base64')}`);
    expect(prometheusSource.describe({ url, queries })).toBe(`Prometheus at ${prometheus.url}`);
    const error = await rejection(read(url.replace(/:(\d+)$/, ':1')));
    expect(error.message).not.toContain('s3cret');
  });

  it('says so when Prometheus cannot be reached', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await rejection(read(`http://127.0.0.1:${port}`));
    expect(error.message).toBe(`cannot reach Prometheus at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(error.exitCode).toBe(2);
  });

  it('gives up on a query that does not answer within its timeout', async () => {
    const server = createHttpServer(() => {
      // Takes the request and never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const error = await rejection(read(`http://127.0.0.1:${port}`, 200));
      expect(error.message).toMatch(/^Prometheus at http:\/\/127\.0\.0\.1:\d+ did not answer within 0\.2 s/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("reports Prometheus's own error for a query it refuses", async () => {
    const prometheus = await fakePrometheus((query) => (query.includes('histogram_quantile(0.99,') ? null : production(query)));
    const error = await rejection(read(prometheus.url));
    expect(error.message).toContain('refused the query for latency p99 over 30 days (ms) (bad_data: 1:1: parse error');
    expect(error.hint).toContain('histogram_quantile(0.99,');
  });

  it('refuses an answer that is not the Prometheus API: HTML, several series, a bad sample', async () => {
    const html = await fakePrometheus(() => ({ not: 'prometheus' }));
    expect((await rejection(read(html.url))).message).toContain('gave a malformed answer');
    const several = await fakePrometheus(() => ({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { a: '1' }, value: [1, '1'] },
          { metric: { a: '2' }, value: [1, '2'] },
        ],
      },
    }));
    expect((await rejection(read(several.url))).message).toContain('returned 2 series; the review expects one');
    const notFound = await fakePrometheus(production);
    expect((await rejection(read(`${notFound.url}/nothing-here`))).message).toContain('answered HTTP 404 without JSON');
  });

  it('reads scalars, and takes NaN and infinities as not measured', () => {
    expect(instantValue({ resultType: 'scalar', result: [1, '42'] })).toBe(42);
    expect(instantValue({ resultType: 'vector', result: [{ metric: {}, value: [1, 'NaN'] }] })).toBeUndefined();
    expect(instantValue({ resultType: 'vector', result: [{ metric: {}, value: [1, '+Inf'] }] })).toBeUndefined();
    expect(() => instantValue({ resultType: 'matrix', result: [] })).toThrow('not vector or scalar');
  });

  it('refuses a URL that is not http', () => {
    expect(() => prometheusEndpoint('ftp://example.com')).toThrow('must be an http or https URL');
    expect(() => prometheusEndpoint('not a url')).toThrow('is not a URL');
    expect(prometheusEndpoint('http://prom.example:9090/prometheus').display).toBe('http://prom.example:9090/prometheus');
  });
});
