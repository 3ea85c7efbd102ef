import { PATTERNS, patternAddresses } from '../../design/catalog.js';
import { defineRule } from './util.js';
import type { RuleReport } from '../types.js';
import { listOf } from '../../text/list.js';

export const failureModeMitigation = defineRule({
  id: 'failure-mode-mitigation',
  description: 'Every failure mode is addressed by at least one pattern in architecture.patterns whose catalog entry covers its kind.',
  defaultSeverity: 'error',
  stage: 2,
  rationale:
    'Listing a failure mode is the easy half; the architecture is where it gets a mitigation. A failure mode no fitting pattern addresses is a known way to go down that the design accepted without saying so.',
  hint: 'Add a pattern that addresses the failure mode to architecture.patterns, or run `shipshape design` to have one recommended.',
  examples: {
    pass: `failureModes: [{ id: llm-outage, kind: upstream-failure, likelihood: medium, impact: high }]
architecture:
  patterns: [{ pattern: circuit-breaker, addresses: [llm-outage] }]`,
    fail: `failureModes: [{ id: llm-outage, kind: upstream-failure, likelihood: medium, impact: high }]
architecture:
  patterns: [{ pattern: drift-monitoring, addresses: [llm-outage] }]   # does not address upstream failures`,
  },
  messages: {
    unmitigated: 'Failure mode "{{id}}" ({{kind}}) has no mitigation: {{listed}}.',
  },
  check({ spec }) {
    // Without an architecture section, section-required reports the whole section once.
    const patterns = spec.architecture?.patterns;
    if (!patterns || !spec.failureModes) return [];
    const reports: RuleReport<'unmitigated'>[] = [];
    spec.failureModes.forEach((mode, index) => {
      const claimed = patterns.filter((entry) => entry.addresses.includes(mode.id));
      if (claimed.some((entry) => patternAddresses(entry.pattern, mode.kind))) return;
      const fitting = PATTERNS.filter((pattern) => pattern.addresses.includes(mode.kind)).map((pattern) => pattern.id);
      const listed =
        claimed.length === 0
          ? 'no pattern in architecture.patterns addresses it'
          : `it is listed only under ${listOf(claimed.map((entry) => entry.pattern))}, which ${claimed.length === 1 ? 'does' : 'do'} not address ${mode.kind}`;
      reports.push({
        path: ['failureModes', index],
        messageId: 'unmitigated',
        data: { id: mode.id, kind: mode.kind, listed },
        hint: `Add one of ${listOf(fitting, 'or')} to architecture.patterns with \`addresses: [${mode.id}]\`, or run \`shipshape design\`.`,
      });
    });
    return reports;
  },
});
