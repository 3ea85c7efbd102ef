import type { FAULT_TYPES, FailureMode, FailureModeKind, Spec } from '../../spec/schema.js';
import { listOf } from '../../text/list.js';
import { defineRule, warn, type Report } from './util.js';

type FaultType = (typeof FAULT_TYPES)[number];

/** The fault types that reproduce each kind a scenario can prove; traffic surges are load alone. */
const FITTING_FAULTS: Partial<Record<FailureModeKind, readonly FaultType[]>> = {
  'upstream-failure': ['error', 'reset', 'timeout'],
  'latency-spike': ['latency', 'timeout', 'slow-body'],
  'bad-output': ['malformed'],
};
const SCENARIO_KINDS: readonly FailureModeKind[] = ['upstream-failure', 'latency-spike', 'bad-output', 'traffic-surge'];

function scenarioProof(spec: Spec, mode: FailureMode, index: number): Report[] {
  // Without a scenarios section, section-required reports the whole section once.
  if (!spec.scenarios) return [];
  const matching = spec.scenarios
    .map((scenario, position) => ({ scenario, position }))
    .filter(({ scenario }) => scenario.failureMode === mode.id);
  if (matching.length === 0) {
    const fits = FITTING_FAULTS[mode.kind];
    return [
      {
        path: ['failureModes', index],
        messageId: 'noScenario',
        data: { id: mode.id, kind: mode.kind },
        hint: fits
          ? `Add a scenario with \`failureMode: ${mode.id}\` and a fault of type ${listOf([...fits], 'or')}, or run \`shipshape design\`.`
          : `Add a load scenario with \`failureMode: ${mode.id}\` at the surge rate, or run \`shipshape design\`.`,
      },
    ];
  }
  const fits = FITTING_FAULTS[mode.kind];
  if (!fits) return [];
  const reports: Report[] = [];
  for (const { scenario, position } of matching) {
    if (!scenario.fault) {
      reports.push(
        warn({
          path: ['scenarios', position],
          messageId: 'loadAlone',
          data: { scenario: scenario.id, kind: mode.kind, id: mode.id },
          hint: `Add a fault of type ${listOf([...fits], 'or')}.`,
        }),
      );
    } else if (!fits.includes(scenario.fault.type)) {
      reports.push(
        warn({
          path: ['scenarios', position, 'fault', 'type'],
          messageId: 'wrongFault',
          data: { scenario: scenario.id, kind: mode.kind, id: mode.id, fault: scenario.fault.type },
          hint: `Use a fault of type ${listOf([...fits], 'or')}.`,
        }),
      );
    }
  }
  return reports;
}

export const failureModeProof = defineRule({
  id: 'failure-mode-proof',
  description:
    'Every failure mode has its proof once the stage that gives it is reached: a scenario (upstream-failure, latency-spike, bad-output, traffic-surge; stage 5), automatic rollback (bad-deploy; 6), drift monitoring (data-drift; 7), a budget (cost-overrun; 1).',
  defaultSeverity: 'error',
  stage: 1,
  rationale:
    'A mitigation nobody has seen work is a hope. Each kind of failure has its own evidence: an injected fault the service survives, a rollout that rolls itself back, a drift check that would fire, a budget to overrun. A scenario whose fault does not match its failure mode (a latency fault for an outage) proves something else.',
  hint: 'Add the proof for the failure mode, or run `shipshape design` to derive it.',
  examples: {
    pass: `failureModes:
  - { id: llm-outage, kind: upstream-failure, likelihood: medium, impact: high }
scenarios:
  - id: llm-outage
    failureMode: llm-outage
    fault: { target: strong, type: error, status: 503, rate: 1.0 }
    load: { rps: 30, durationSeconds: 15 }
    expect: { availability: { min: 99.5 } }`,
    fail: `failureModes:
  - { id: llm-outage, kind: upstream-failure, likelihood: medium, impact: high }
scenarios: []     # nothing proves llm-outage`,
  },
  messages: {
    noScenario:
      'Failure mode "{{id}}" ({{kind}}) has no scenario: no entry in scenarios has `failureMode: {{id}}`, so nothing proves the service survives it before deploy.',
    loadAlone:
      'Scenario "{{scenario}}" proves {{kind}} failure mode "{{id}}" with load alone: without a fault it cannot show the service surviving it.',
    wrongFault: 'Scenario "{{scenario}}" proves {{kind}} failure mode "{{id}}" with a {{fault}} fault, which does not reproduce it.',
    noRollback:
      'Failure mode "{{id}}" (bad-deploy) has no proof: deploy.rollback.automatic is {{automatic}}, so a bad release stays until someone notices.',
    noDrift: 'Failure mode "{{id}}" (data-drift) has no proof: monitoring.drift is not set, so a shift in the inputs goes unseen.',
    noBudget:
      'Failure mode "{{id}}" (cost-overrun) has no proof: business.budget sets no costPerRequestUsd or monthlyUsd, so there is nothing to overrun or alert on.',
  },
  check({ spec, stage }) {
    const reports: Report[] = [];
    (spec.failureModes ?? []).forEach((mode, index) => {
      const path = ['failureModes', index] as const;
      if (SCENARIO_KINDS.includes(mode.kind)) {
        if (stage >= 5) reports.push(...scenarioProof(spec, mode, index));
      } else if (mode.kind === 'bad-deploy') {
        if (stage >= 6 && spec.deploy && spec.deploy.rollback?.automatic !== true) {
          reports.push({
            path,
            messageId: 'noRollback',
            data: { id: mode.id, automatic: spec.deploy.rollback ? 'false' : 'not set' },
            hint: 'Set `deploy.rollback.automatic: true` with analysis metrics that catch a bad release.',
          });
        }
      } else if (mode.kind === 'data-drift') {
        if (stage >= 7 && spec.monitoring && !spec.monitoring.drift) {
          reports.push({
            path,
            messageId: 'noDrift',
            data: { id: mode.id },
            hint: 'Add `monitoring.drift` with the features to watch, a method (psi or ks) and a threshold.',
          });
        }
      } else if (mode.kind === 'cost-overrun') {
        const budget = spec.business.budget;
        if (budget?.costPerRequestUsd === undefined && budget?.monthlyUsd === undefined) {
          reports.push({
            path,
            messageId: 'noBudget',
            data: { id: mode.id },
            hint: 'Add `business.budget` with costPerRequestUsd and/or monthlyUsd.',
          });
        }
      }
    });
    return reports;
  },
});
