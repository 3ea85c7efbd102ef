import { listOf } from '../../text/list.js';
import { defineRule, warn, type Report } from './util.js';

export const routing = defineRule({
  id: 'routing',
  description:
    'Routing is complete: http tiers have an endpoint, a cascade has two tiers or more and an escalateWhen, and a single strategy uses every tier.',
  defaultSeverity: 'error',
  stage: 1,
  rationale:
    'The orchestration layer is generated from models: an http tier without an endpoint cannot be called, a cascade without escalateWhen never escalates (or always does), and a tier that no route reaches costs attention and suggests the routing is not what the author meant.',
  hint: 'Complete models.routing: strategy cascade with escalateWhen and two tiers or more, or strategy single with one tier (plus a lower tier for fallback).',
  examples: {
    pass: `models:
  tiers:
    - { name: fast, kind: local, model: router-v1, timeoutMs: 50, costPerRequestUsd: 0 }
    - { name: strong, kind: http, endpoint: '\${LLM_URL}', model: gpt-4o-mini, timeoutMs: 900, costPerRequestUsd: 0.004 }
  routing: { strategy: cascade, escalateWhen: { confidenceBelow: 0.75 }, expectedEscalationRate: 0.35 }`,
    fail: `models:
  tiers:
    - { name: strong, kind: http, model: gpt-4o-mini, timeoutMs: 900, costPerRequestUsd: 0.004 }   # no endpoint
  routing: { strategy: cascade }   # one tier, no escalateWhen`,
  },
  messages: {
    noEndpoint: 'Tier "{{tier}}" is an http tier without an endpoint: the generated client has nothing to call.',
    oneTierCascade: 'models.routing.strategy is cascade but there is only {{tiers}} tier: a cascade escalates from one tier to the next.',
    noEscalation: 'The cascade has no escalation condition{{implied}}: nothing says when a request moves on to the next tier.',
    unusedTiers: 'models.routing.strategy is single, so {{noun}} {{unused}} {{verb}} never called{{fallback}}.',
  },
  check({ spec }) {
    const { models } = spec;
    if (!models) return [];
    const reports: Report[] = [];
    models.tiers.forEach((tier, index) => {
      if (tier.kind === 'http' && tier.endpoint === undefined) {
        reports.push({
          path: ['models', 'tiers', index],
          messageId: 'noEndpoint',
          data: { tier: tier.name },
          hint: `Add \`endpoint: \${${tier.name.toUpperCase().replace(/-/g, '_')}_URL}\` (an environment reference; the URL itself stays out of the spec).`,
        });
      }
    });

    const strategy = models.routing?.strategy ?? (models.tiers.length > 1 ? 'cascade' : 'single');
    const strategyPath = models.routing ? ['models', 'routing', 'strategy'] : ['models'];
    if (strategy === 'cascade') {
      if (models.tiers.length < 2) {
        reports.push({
          path: strategyPath,
          messageId: 'oneTierCascade',
          data: { tiers: models.tiers.length },
          hint: 'Add a stronger tier to models.tiers, or use `strategy: single`.',
        });
      }
      const conditions = models.routing?.escalateWhen;
      if (!conditions || Object.values(conditions).every((value) => value === undefined)) {
        const implied = models.routing ? '' : ` (the cascade is implied by ${models.tiers.length} tiers without models.routing)`;
        reports.push({
          path: models.routing ? ['models', 'routing', ...(conditions ? ['escalateWhen'] : [])] : ['models'],
          messageId: 'noEscalation',
          data: { implied },
          hint: 'Add `models.routing.escalateWhen`, e.g. { confidenceBelow: 0.75, inputCharsAbove: 4000 }.',
        });
      }
    } else if (models.tiers.length > 1) {
      const lowerTier = spec.resilience?.fallback?.strategy === 'lower-tier';
      const unused = models.tiers.slice(lowerTier ? 2 : 1);
      if (unused.length > 0) {
        const first = models.tiers.length - unused.length;
        reports.push(
          warn({
            path: ['models', 'tiers', first],
            messageId: 'unusedTiers',
            data: {
              noun: unused.length === 1 ? 'tier' : 'tiers',
              unused: listOf(unused.map((tier) => `"${tier.name}"`)),
              verb: unused.length === 1 ? 'is' : 'are',
              fallback: lowerTier ? ' (the lower-tier fallback uses only the second tier)' : '',
            },
            hint: lowerTier
              ? 'Remove the unused tiers, or use `strategy: cascade`.'
              : 'Remove the unused tiers, use `strategy: cascade`, or set `resilience.fallback.strategy: lower-tier` to fall back to the second tier.',
          }),
        );
      }
    }
    return reports;
  },
});
