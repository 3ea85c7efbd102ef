import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { aggregationOf, metricQueries } from '../../src/review/actuals.js';
import { businessQuery, SERVICE_METRICS } from '../../src/review/metrics.js';
import { example } from '../check/rules/helpers.js';
import { ROOT, tempDir } from '../helpers/temp.js';

const PACK_METRICS = readFileSync(join(ROOT, 'templates/service-ts/files/src/monitoring/metrics.ts'), 'utf8');

describe('the metrics the review queries', () => {
  it('are the names the generated service exports (read from the pack)', () => {
    const { driftPsi, ...exported } = SERVICE_METRICS;
    for (const name of Object.values(exported)) expect(PACK_METRICS, name).toContain(`name: '${name}'`);
    // Not exported by the service yet: drift is then reported as not measured.
    expect(PACK_METRICS).not.toContain(driftPsi);
  });

  it('aggregate the business metric as business.metric.aggregation says, the mean by default', () => {
    const spec = example();
    expect(aggregationOf(spec)).toEqual({ aggregation: 'mean' });
    const raw = { business: { metric: { aggregation: 'percentile', quantile: 0.9 } } };
    expect(aggregationOf(raw)).toEqual({ aggregation: 'percentile', quantile: 0.9 });
    expect(aggregationOf({ business: { metric: { aggregation: 'median' } } })).toEqual({ aggregation: 'mean' });
    expect(metricQueries(spec, raw)[0]!.promql).toBe(
      'avg(quantile_over_time(0.9, ai_business_metric{metric="median_first_response_minutes"}[30d]))',
    );
    expect(businessQuery('x', { aggregation: 'last' }, 30)).toBe('avg(ai_business_metric{metric="x"})');
    expect(businessQuery('x', { aggregation: 'rate' }, 7)).toBe('sum(rate(ai_business_observations_total{metric="x"}[7d]))');
  });

  it('are valid PromQL: promtool accepts each as a recording rule', async () => {
    const spec = example();
    const queries = [
      ...metricQueries(spec, spec),
      ...(['last', 'rate', 'percentile'] as const).map((aggregation) => ({
        promql: businessQuery('median_first_response_minutes', { aggregation, quantile: 0.9 }, 30),
      })),
    ];
    const rules = [
      'groups:',
      '  - name: review',
      '    rules:',
      ...queries.map((q, i) => `      - record: review:query_${i}\n        expr: ${JSON.stringify(q.promql)}`),
      '',
    ].join('\n');
    const file = join(tempDir(), 'review-rules.yaml');
    writeFileSync(file, rules);
    const result = await execa('promtool', ['check', 'rules', file], { reject: false });
    expect(result.stderr + result.stdout).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(result.exitCode).toBe(0);
  });
});
