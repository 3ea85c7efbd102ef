import { describe, expect, it } from 'vitest';
import { metricQueries } from '../../src/review/actuals.js';
import { interactiveSource } from '../../src/review/sources/interactive/index.js';
import { SOURCES } from '../../src/review/sources/index.js';
import { example } from '../check/rules/helpers.js';

describe('the interactive metric source', () => {
  it('asks once per value, in order, and takes an empty answer as not measured', async () => {
    const spec = example();
    const asked: string[] = [];
    const answers = new Map([
      ['median_first_response_minutes (the business metric, mean)', 58],
      ['availability over 30 days (%)', 99.93],
    ]);
    const actuals = await interactiveSource.read({
      queries: metricQueries(spec, spec),
      ask: async ({ message }) => {
        asked.push(message);
        return answers.get(message);
      },
    });
    expect(asked).toEqual([
      'median_first_response_minutes (the business metric, mean)',
      'routing_accuracy (success criterion routing-accuracy, mean)',
      'availability over 30 days (%)',
      'latency p95 over 30 days (ms)',
      'latency p99 over 30 days (ms)',
      'cost per request (USD)',
      'cost per 30-day month (USD)',
      'drift of ticket_chars (psi)',
      'drift of language (psi)',
    ]);
    expect(actuals).toEqual({ metrics: { median_first_response_minutes: 58 }, slo: { availability: 99.93 } });
  });

  it('is one of the registered sources', () => {
    expect(Object.keys(SOURCES)).toEqual(['prometheus', 'file', 'interactive']);
    for (const [kind, source] of Object.entries(SOURCES)) expect(source.kind).toBe(kind);
  });
});
