/**
 * The eight stages of the workflow, in order: what each is called, the command that does it, what
 * it leaves, and the evidence on disk that says it is done (DESIGN.md, Principle 2: derived,
 * never stored).
 */
import { architectureEvidence } from './architecture.js';
import { componentsEvidence } from './components.js';
import { deploymentEvidence } from './deployment.js';
import { handoffEvidence } from './handoff.js';
import { orchestrationEvidence } from './orchestration.js';
import { requirementsEvidence } from './requirements.js';
import { reviewEvidence } from './review.js';
import type { Stage } from './types.js';
import { validationEvidence } from './validation.js';

export { specHash } from './hash.js';
export type { Evidence, NextStep, Stage, StageEvidence, StageNumber, StageState } from './types.js';

export const STAGES = [
  {
    number: 1,
    id: 'requirements',
    title: 'Requirements',
    summary: 'Translate business needs into requirements',
    command: 'init',
    leaves: 'shipshape.yaml: business metric, baseline, target, success criteria, SLOs, budget and failure modes',
    proof: 'shipshape.yaml exists and passes the check at stage 1.',
    evidence: requirementsEvidence,
  },
  {
    number: 2,
    id: 'architecture',
    title: 'Architecture',
    summary: 'Design the system architecture',
    command: 'design',
    leaves: 'patterns matched to the failure modes in the spec, docs/adr/0001-architecture.md, the latency and cost budget',
    proof: 'architecture.patterns is in the spec, docs/adr/0001-architecture.md exists, and the check at stage 2 has no errors.',
    evidence: architectureEvidence,
  },
  {
    number: 3,
    id: 'components',
    title: 'Modular components',
    summary: 'Build modular components',
    command: 'generate',
    leaves: 'a project skeleton from a template pack: pipeline, serving, orchestration and monitoring as separate modules',
    proof:
      '.shipshape/manifest.json exists and was generated from the spec as it is now (same spec hash), every managed file it lists still has its recorded sha256, and every seeded or merged file is still there.',
    evidence: componentsEvidence,
  },
  {
    number: 4,
    id: 'orchestration',
    title: 'Circuit breakers and orchestration',
    summary: 'Implement circuit breakers and orchestration',
    command: 'generate',
    leaves: 'the orchestration layer wired from the spec: routing, timeouts, retries, circuit breaker, bulkhead, fallback',
    proof: 'Stage 3 is done, the spec has resilience, and src/orchestration/ was generated.',
    evidence: orchestrationEvidence,
  },
  {
    number: 5,
    id: 'validation',
    title: 'End-to-end validation',
    summary: 'End-to-end validation',
    command: 'validate',
    leaves: 'failure scenarios run against the real service with injected faults and load; JSON and JUnit reports',
    proof: '.shipshape/reports/validation.json passed, for the spec as it is now (same spec hash).',
    evidence: validationEvidence,
  },
  {
    number: 6,
    id: 'deploy',
    title: 'Blue-green deploy',
    summary: 'Deploy with blue-green',
    command: 'deploy',
    leaves: 'a staged traffic shift with analysis and automatic rollback; the deployment history',
    proof: 'The last entry of .shipshape/deployments.json is a promotion of the spec as it is now.',
    evidence: deploymentEvidence,
  },
  {
    number: 7,
    id: 'handoff',
    title: 'Handoff',
    summary: 'Handoff and documentation',
    command: 'runbook',
    leaves: 'docs/runbook.md, Prometheus alert and recording rules, a Grafana dashboard',
    proof: 'docs/runbook.md and monitoring/prometheus-rules.yaml are both newer than the spec.',
    evidence: handoffEvidence,
  },
  {
    number: 8,
    id: 'review',
    title: 'Iterative improvement',
    summary: 'Iterative improvement cycles',
    command: 'review',
    leaves: 'the 30-day review: actuals against the targets of stage 1, and the backlog of the next iteration',
    proof: 'A review in docs/reviews/*.md is dated on or after the last promotion plus review.afterDays.',
    evidence: reviewEvidence,
  },
] as const satisfies readonly Stage[];

export type StageId = (typeof STAGES)[number]['id'];
