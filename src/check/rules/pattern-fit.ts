import { PATTERNS_BY_ID, patternAddresses } from '../../design/catalog.js';
import { defineRule } from './util.js';
import type { RuleReport } from '../types.js';
import { listOf } from '../../text/list.js';

export const patternFit = defineRule({
  id: 'pattern-fit',
  description: 'A pattern only claims failure modes whose kind the pattern catalog says it addresses.',
  defaultSeverity: 'warn',
  stage: 2,
  rationale:
    'Drift monitoring does not keep an LLM outage from taking the service down, and a circuit breaker does not catch a bad release. A mismatched claim makes the architecture look covered when it is not; the catalog records which failure kinds each pattern really mitigates.',
  hint: "Remove the failure mode from this pattern's addresses, and address it with a pattern that fits its kind.",
  examples: {
    pass: `failureModes: [{ id: ticket-mix-shift, kind: data-drift, likelihood: medium, impact: medium }]
architecture:
  patterns: [{ pattern: drift-monitoring, addresses: [ticket-mix-shift] }]`,
    fail: `failureModes: [{ id: llm-outage, kind: upstream-failure, likelihood: medium, impact: high }]
architecture:
  patterns: [{ pattern: drift-monitoring, addresses: [llm-outage] }]`,
  },
  messages: {
    misfit: 'Pattern {{pattern}} claims to address "{{id}}" ({{kind}}), but it addresses {{covers}} only.',
  },
  check({ spec }) {
    const modes = new Map((spec.failureModes ?? []).map((mode) => [mode.id, mode]));
    const reports: RuleReport[] = [];
    (spec.architecture?.patterns ?? []).forEach((entry, index) => {
      entry.addresses.forEach((id, position) => {
        const mode = modes.get(id);
        // Unknown ids are the references rule's to report.
        if (!mode || patternAddresses(entry.pattern, mode.kind)) return;
        const covers = PATTERNS_BY_ID.get(entry.pattern)?.addresses ?? [];
        reports.push({
          path: ['architecture', 'patterns', index, 'addresses', position],
          messageId: 'misfit',
          data: { pattern: entry.pattern, id, kind: mode.kind, covers: covers.length > 0 ? listOf([...covers]) : 'no failure kind' },
        });
      });
    });
    return reports;
  },
});
