import { defineRule } from './util.js';
import type { RuleReport } from '../types.js';
import { hasBusinessMetric, missingBusinessMetricPath } from './deploy-business-metric.js';

export const tier1Rollback = defineRule({
  id: 'tier1-rollback',
  description: 'A tier-1 service rolls back automatically, on an analysis that includes a business metric.',
  defaultSeverity: 'error',
  stage: 6,
  rationale:
    'A business-critical service cannot wait for a human to notice a bad release at 3 a.m. Error rate and latency catch a crashing release; only a business metric catches the one that answers fast and wrong, which is how model and prompt changes usually fail.',
  hint: 'Set `deploy.rollback.automatic: true` and add `{ name: business, metric: <metric>, min|max: N }` to deploy.analysis.metrics.',
  examples: {
    pass: `metadata: { name: support-triage, owner: lead@example.com, tier: 1 }
deploy:
  analysis:
    metrics:
      - { name: error-rate-percent, max: 1 }
      - { name: business, metric: routing_accuracy, min: 0.88 }
  rollback: { automatic: true }`,
    fail: `metadata: { name: support-triage, owner: lead@example.com, tier: 1 }
deploy:
  analysis:
    metrics: [{ name: error-rate-percent, max: 1 }]
  rollback: { automatic: false }`,
  },
  messages: {
    manualRollback:
      'metadata.tier is 1 but deploy.rollback.automatic is {{automatic}}: a bad release of a business-critical service would wait for a human to roll it back.',
    noBusinessMetric:
      'metadata.tier is 1 but the rollout analysis watches no business metric: a release that answers fast and wrong would be promoted.',
  },
  check({ spec }) {
    const { deploy } = spec;
    if (spec.metadata.tier !== 1 || !deploy) return [];
    const reports: RuleReport<'manualRollback' | 'noBusinessMetric'>[] = [];
    if (deploy.rollback?.automatic !== true) {
      reports.push({
        path: ['deploy', 'rollback', 'automatic'],
        messageId: 'manualRollback',
        data: { automatic: deploy.rollback ? 'false' : 'not set' },
        hint: 'Set `deploy.rollback.automatic: true`.',
      });
    }
    if (!hasBusinessMetric(deploy)) {
      reports.push({
        path: missingBusinessMetricPath(deploy),
        messageId: 'noBusinessMetric',
        hint: `Add \`{ name: business, metric: ${spec.business.metric.name}, ... }\` (or a successCriteria metric) to deploy.analysis.metrics.`,
      });
    }
    return reports;
  },
});
