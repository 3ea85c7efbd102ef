import type { Spec } from '../../spec/schema.js';
import { defineRule } from './util.js';
import type { RuleReport, StageNumber } from '../types.js';

interface Requirement {
  section: keyof Spec;
  stage: StageNumber;
  what: string;
  hint: string;
}

const DESIGN = 'Run `shipshape design` to write';

const REQUIREMENTS: readonly Requirement[] = [
  {
    section: 'models',
    stage: 2,
    what: 'the model tiers and routing that the architecture, latency and cost budgets are worked out from',
    hint: 'Add a `models` section: `tiers` (name, kind, model, timeoutMs, costPerRequestUsd) and `routing`, as in examples/support-triage.yaml; `shipshape design` works its latency and cost budgets out from it.',
  },
  {
    section: 'failureModes',
    stage: 2,
    what: 'the failure modes the architecture is chosen to mitigate',
    hint: 'List what can go wrong in production under `failureModes` (id, kind, likelihood, impact); `shipshape init` asks for them.',
  },
  {
    section: 'architecture',
    stage: 2,
    what: 'the patterns matched to the failure modes',
    hint: `${DESIGN} the architecture from your failure modes.`,
  },
  {
    section: 'resilience',
    stage: 4,
    what: 'the timeouts, retries, breaker and fallback of the orchestration layer',
    hint: `${DESIGN} resilience defaults derived from the SLO.`,
  },
  {
    section: 'scenarios',
    stage: 5,
    what: 'the failure scenarios that must pass before deploy',
    hint: `${DESIGN} a scenario for each failure mode.`,
  },
  {
    section: 'deploy',
    stage: 6,
    what: 'the staged rollout, its analysis and its rollback',
    hint: `${DESIGN} a blue-green rollout with automatic rollback.`,
  },
  {
    section: 'monitoring',
    stage: 7,
    what: 'the alerts and drift checks the on-call engineer will rely on',
    hint: `${DESIGN} alert thresholds derived from the SLO.`,
  },
  {
    section: 'handoff',
    stage: 7,
    what: 'who is on call and how to escalate',
    hint: `${DESIGN} a handoff section, then fill in the on-call rotation.`,
  },
  {
    section: 'review',
    stage: 8,
    what: 'who runs the 30-day review of actuals against the targets',
    hint: `${DESIGN} a review section, then name its owner.`,
  },
];

export const sectionRequired = defineRule({
  id: 'section-required',
  description:
    'Each section is present once the check runs at its stage: models, failureModes and architecture (2), resilience (4), scenarios (5), deploy (6), monitoring and handoff (7), review (8).',
  defaultSeverity: 'error',
  stage: 2,
  rationale:
    'A stage is not done until it has left its artifact. A spec that claims to be at the deploy stage without failure scenarios, or at handoff without alerts, skipped the work that makes the next stage safe; the check says which section is missing and which command writes a default.',
  hint: 'Run `shipshape design` to write defaults for the missing sections, derived from the ones you have.',
  examples: {
    pass: `# checked at stage 2
models: { tiers: [{ name: fast, kind: local, model: router-v1, timeoutMs: 50, costPerRequestUsd: 0 }] }
failureModes: [{ id: llm-outage, kind: upstream-failure, likelihood: medium, impact: high }]
architecture:
  patterns: [{ pattern: circuit-breaker, addresses: [llm-outage] }]`,
    fail: `# checked at stage 2: no architecture section
models: { tiers: [{ name: fast, kind: local, model: router-v1, timeoutMs: 50, costPerRequestUsd: 0 }] }
failureModes: [{ id: llm-outage, kind: upstream-failure, likelihood: medium, impact: high }]`,
  },
  messages: {
    missing: 'The spec is checked at stage {{stage}} but has no `{{section}}` section (stage {{sectionStage}}): {{what}}.',
  },
  check({ spec, stage, misspeltSections }) {
    const reports: RuleReport[] = [];
    for (const requirement of REQUIREMENTS) {
      if (requirement.stage > stage || spec[requirement.section] !== undefined) continue;
      // Misspelt, not missing: the unknown-key error already says how to fix it.
      if (misspeltSections?.has(requirement.section)) continue;
      reports.push({
        path: [requirement.section],
        messageId: 'missing',
        data: { stage, section: requirement.section, sectionStage: requirement.stage, what: requirement.what },
        hint: requirement.hint,
      });
    }
    return reports;
  },
});
