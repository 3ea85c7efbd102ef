import { fallbackGap } from '../../design/fallback.js';
import { defineRule } from './util.js';

export const fallbackAnswer = defineRule({
  id: 'fallback-answer',
  description: 'A fallback has something to answer with: a static answer, or a lower tier to fall to.',
  defaultSeverity: 'error',
  stage: 4,
  rationale:
    'A fallback exists for the moment every tier fails. A static fallback without a static answer, or a lower-tier or cache fallback with no second tier and no static answer, has nothing to return then: the request fails as if there were no fallback, while the availability budget and the ADR count on it.',
  hint: 'Give the fallback an answer: `resilience.fallback.static` with a `label` (and a `reply`), or a second tier for lower-tier and cache.',
  examples: {
    pass: `models:
  tiers:
    - { name: main, kind: http, endpoint: '\${LLM_URL}', model: gpt-4o-mini, timeoutMs: 900, costPerRequestUsd: 0.004 }
resilience:
  timeoutMs: 2000
  fallback:
    strategy: static
    static: { label: needs-review, reply: null }`,
    fail: `models:
  tiers:
    - { name: main, kind: http, endpoint: '\${LLM_URL}', model: gpt-4o-mini, timeoutMs: 900, costPerRequestUsd: 0.004 }
resilience:
  timeoutMs: 2000
  fallback: { strategy: static }     # nothing to answer with`,
  },
  messages: {
    noStaticAnswer:
      'resilience.fallback.strategy is static but there is no resilience.fallback.static: when every tier fails, the fallback has no answer to give.',
    noStaticText:
      'resilience.fallback.static has no text field to answer with: the service needs a `label` (or another text field, such as a queue) to return.',
    noLowerTier:
      'resilience.fallback.strategy is lower-tier but there is only {{tiers}} tier and no static answer: when it fails, there is nothing to fall to.',
    coldCache:
      'resilience.fallback.strategy is cache but there is only {{tiers}} tier and no static answer: a request the cache has not seen fails when the tier does.',
  },
  check({ spec }) {
    const gap = fallbackGap(spec);
    if (gap === undefined) return [];
    const tiers = spec.models?.tiers.length ?? 0;
    const path = gap === 'noStaticText' ? ['resilience', 'fallback', 'static'] : ['resilience', 'fallback', 'strategy'];
    return [{ path, messageId: gap, data: { tiers } }];
  },
});
