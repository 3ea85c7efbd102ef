import type { RuleReport } from '../types.js';
import { listOf } from '../../text/list.js';
import { defineRule, quoted, suggestion } from './util.js';

function known(what: string, names: readonly string[]): string {
  return names.length === 0 ? `the spec has no ${what}` : `known: ${listOf(quoted(names))}`;
}

export const references = defineRule({
  id: 'references',
  description:
    'References resolve: scenario failure modes and fault targets, the failure modes a pattern addresses, and the metric of a business analysis metric.',
  defaultSeverity: 'error',
  stage: 1,
  rationale:
    'A scenario that names a failure mode that does not exist proves nothing, a fault aimed at an unknown tier is injected nowhere, and a rollout that watches a metric nobody reports never rolls back. A typo in an id turns a safety net into decoration without any error at run time.',
  hint: 'Use an id defined in the spec: failure modes under `failureModes`, tiers under `models.tiers`, metrics in `business`.',
  examples: {
    pass: `# llm-outage is in failureModes, strong in models.tiers
scenarios:
  - id: outage
    failureMode: llm-outage
    fault: { target: strong, type: error, rate: 1.0 }
    load: { rps: 30, durationSeconds: 15 }
    expect: { availability: { min: 99.5 } }`,
    fail: `scenarios:
  - id: outage
    failureMode: llm-outgae     # no such failure mode
    fault: { target: stronk, type: error, rate: 1.0 }   # no such tier
    load: { rps: 30, durationSeconds: 15 }
    expect: { availability: { min: 99.5 } }`,
  },
  messages: {
    scenarioFailureMode: 'Scenario "{{scenario}}" proves failure mode "{{id}}", which is not in failureModes{{suggestion}}; {{known}}.',
    faultTarget: 'Scenario "{{scenario}}" injects its fault into tier "{{tier}}", which is not in models.tiers{{suggestion}}; {{known}}.',
    patternFailureMode: 'Pattern {{pattern}} addresses failure mode "{{id}}", which is not in failureModes{{suggestion}}; {{known}}.',
    businessMetricUnnamed: 'deploy.analysis.metrics[{{index}}] is a business metric but does not say which one: add `metric` ({{known}}).',
    businessMetricUnknown:
      'The rollout analysis watches business metric "{{metric}}", which is neither business.metric.name nor a successCriteria metric{{suggestion}}; {{known}}.',
  },
  check({ spec }) {
    const reports: RuleReport[] = [];
    const failureModeIds = (spec.failureModes ?? []).map((mode) => mode.id);
    const tierNames = (spec.models?.tiers ?? []).map((tier) => tier.name);

    (spec.scenarios ?? []).forEach((scenario, index) => {
      if (!failureModeIds.includes(scenario.failureMode)) {
        reports.push({
          path: ['scenarios', index, 'failureMode'],
          messageId: 'scenarioFailureMode',
          data: {
            scenario: scenario.id,
            id: scenario.failureMode,
            suggestion: suggestion(scenario.failureMode, failureModeIds),
            known: known('failure modes', failureModeIds),
          },
        });
      }
      if (scenario.fault && !tierNames.includes(scenario.fault.target)) {
        reports.push({
          path: ['scenarios', index, 'fault', 'target'],
          messageId: 'faultTarget',
          data: {
            scenario: scenario.id,
            tier: scenario.fault.target,
            suggestion: suggestion(scenario.fault.target, tierNames),
            known: known('model tiers', tierNames),
          },
        });
      }
    });

    (spec.architecture?.patterns ?? []).forEach((pattern, index) => {
      pattern.addresses.forEach((id, position) => {
        if (failureModeIds.includes(id)) return;
        reports.push({
          path: ['architecture', 'patterns', index, 'addresses', position],
          messageId: 'patternFailureMode',
          data: { pattern: pattern.pattern, id, suggestion: suggestion(id, failureModeIds), known: known('failure modes', failureModeIds) },
        });
      });
    });

    const metrics = [spec.business.metric.name, ...(spec.business.successCriteria ?? []).map((criterion) => criterion.metric)];
    const businessMetrics = [...new Set(metrics)];
    (spec.deploy?.analysis?.metrics ?? []).forEach((metric, index) => {
      if (metric.name !== 'business') return;
      if (metric.metric === undefined) {
        reports.push({
          path: ['deploy', 'analysis', 'metrics', index],
          messageId: 'businessMetricUnnamed',
          data: { index, known: known('business metrics', businessMetrics) },
        });
      } else if (!businessMetrics.includes(metric.metric)) {
        reports.push({
          path: ['deploy', 'analysis', 'metrics', index, 'metric'],
          messageId: 'businessMetricUnknown',
          data: {
            metric: metric.metric,
            suggestion: suggestion(metric.metric, businessMetrics),
            known: known('business metrics', businessMetrics),
          },
        });
      }
    });
    return reports;
  },
});
