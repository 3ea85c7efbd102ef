// business.metric.aggregation and quantile: how the business metric is summarised, declared
// rather than guessed from its name.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { specSchema } from '../../src/spec/schema.js';
import { EXAMPLE } from '../helpers/temp.js';

const example = parse(readFileSync(EXAMPLE, 'utf8')) as { business: { metric: Record<string, unknown> } };
const withMetric = (extra: Record<string, unknown>) => ({
  ...example,
  business: { ...example.business, metric: { ...example.business.metric, ...extra } },
});
const issues = (value: unknown) => {
  const result = specSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('business.metric.aggregation', () => {
  it('is optional, and takes each kind', () => {
    expect(issues(example)).toEqual([]);
    for (const aggregation of ['mean', 'rate', 'last']) expect(issues(withMetric({ aggregation }))).toEqual([]);
    expect(issues(withMetric({ aggregation: 'percentile', quantile: 0.5 }))).toEqual([]);
  });

  it('needs a quantile with percentile, and only there', () => {
    expect(issues(withMetric({ aggregation: 'percentile' }))).toEqual([
      'business.metric.quantile: needs quantile with aggregation: percentile (0.5 for a median)',
    ]);
    expect(issues(withMetric({ aggregation: 'mean', quantile: 0.5 }))).toEqual([
      'business.metric.quantile: quantile applies only to aggregation: percentile',
    ]);
  });

  it('refuses an unknown kind and a quantile outside (0, 1)', () => {
    expect(issues(withMetric({ aggregation: 'median' }))[0]).toContain('must be one of mean, percentile, rate, last');
    expect(issues(withMetric({ aggregation: 'percentile', quantile: 1 }))[0]).toContain('between 0 and 1');
  });
});
