import type { Spec } from '../../spec/schema.js';
import type { DocPath } from '../../spec/doc-path.js';
import { listOf } from '../../text/list.js';
import { defineRule } from './util.js';

type Deploy = NonNullable<Spec['deploy']>;

export function hasBusinessMetric(deploy: Deploy): boolean {
  return (deploy.analysis?.metrics ?? []).some((metric) => metric.name === 'business');
}

/** Where a business metric would go: the metrics list, or the analysis section when it has none. */
export function missingBusinessMetricPath(deploy: Deploy): DocPath {
  return deploy.analysis ? ['deploy', 'analysis', 'metrics'] : ['deploy', 'analysis'];
}

export const deployBusinessMetric = defineRule({
  id: 'deploy-business-metric',
  description: 'The rollout analysis watches a business metric, not only error rate and latency.',
  defaultSeverity: 'warn',
  stage: 6,
  rationale:
    'AI releases rarely crash; they get worse. A new prompt or model answers as fast as the old one with fewer right answers, and only the business metric (or a success criterion metric) sees it during the rollout, while the old version can still take the traffic back.',
  hint: 'Add `{ name: business, metric: <business or success criterion metric>, min|max: N }` to deploy.analysis.metrics.',
  examples: {
    pass: `metadata: { tier: 2 }
deploy:
  analysis:
    metrics:
      - { name: error-rate-percent, max: 1 }
      - { name: business, metric: routing_accuracy, min: 0.88 }`,
    fail: `metadata: { tier: 2 }
deploy:
  analysis:
    metrics:
      - { name: error-rate-percent, max: 1 }
      - { name: p95-latency-ms, max: 1200 }`,
  },
  messages: {
    notWatched: 'The rollout analysis watches {{metrics}} but no business metric: a release that answers fast and wrong would be promoted.',
    noAnalysis:
      'deploy has no analysis, so the rollout watches no business metric: a release that answers fast and wrong would be promoted.',
  },
  check({ spec }) {
    const { deploy } = spec;
    // Tier 1 is tier1-rollback's to report, as an error.
    if (!deploy || spec.metadata.tier === 1 || hasBusinessMetric(deploy)) return [];
    return [
      {
        path: missingBusinessMetricPath(deploy),
        ...(deploy.analysis
          ? { messageId: 'notWatched' as const, data: { metrics: listOf(deploy.analysis.metrics.map((metric) => metric.name)) } }
          : { messageId: 'noAnalysis' as const }),
        hint: `Add \`{ name: business, metric: ${spec.business.metric.name}, ... }\` (or a successCriteria metric) to deploy.analysis.metrics.`,
      },
    ];
  },
});
