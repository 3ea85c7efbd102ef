/**
 * The eight stages of the workflow, in order, as data: what each is called, the command that does
 * it, what it leaves, what proves it done, and the spec sections that belong to it. The one table
 * that status, walk, check and the rules' documentation read; the evidence that a stage is done
 * is attached in ./index.ts.
 */
import type { Spec } from '../spec/schema.js';

export type StageNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export interface StageInfo {
  number: StageNumber;
  id: string;
  title: string;
  /** The stage as the workflow names it (DESIGN.md's table). */
  summary: string;
  /** The shipshape command that does the stage. */
  command: string;
  /** What the command leaves behind. */
  leaves: string;
  /** What proves the stage done, in a sentence. */
  proof: string;
  /** The spec sections the stage writes or reads first (`check --stage N` asks for them from stage N on). */
  sections: readonly (keyof Spec)[];
}

export const STAGE_TABLE = [
  {
    number: 1,
    id: 'requirements',
    title: 'Requirements',
    summary: 'Translate business needs into requirements',
    command: 'init',
    leaves: 'shipshape.yaml: business metric, baseline, target, success criteria, SLOs, budget and failure modes',
    proof: 'shipshape.yaml exists and passes the check at stage 1.',
    sections: ['apiVersion', 'kind', 'metadata', 'business', 'slo', 'models', 'failureModes'],
  },
  {
    number: 2,
    id: 'architecture',
    title: 'Architecture',
    summary: 'Design the system architecture',
    command: 'design',
    leaves: 'patterns matched to the failure modes in the spec, docs/adr/0001-architecture.md, the latency and cost budget',
    proof: 'architecture.patterns is in the spec, docs/adr/0001-architecture.md exists, and the check at stage 2 has no errors.',
    sections: ['architecture'],
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
    sections: [],
  },
  {
    number: 4,
    id: 'orchestration',
    title: 'Circuit breakers and orchestration',
    summary: 'Implement circuit breakers and orchestration',
    command: 'generate',
    leaves: 'the orchestration layer wired from the spec: routing, timeouts, retries, circuit breaker, bulkhead, fallback',
    proof: 'Stage 3 is done, the spec has resilience, and src/orchestration/ was generated.',
    sections: ['resilience'],
  },
  {
    number: 5,
    id: 'validation',
    title: 'End-to-end validation',
    summary: 'End-to-end validation',
    command: 'validate',
    leaves: 'failure scenarios run against the real service with injected faults and load; JSON and JUnit reports',
    proof: '.shipshape/reports/validation.json passed, for the spec as it is now (same spec hash).',
    sections: ['scenarios'],
  },
  {
    number: 6,
    id: 'deploy',
    title: 'Blue-green deploy',
    summary: 'Deploy with blue-green',
    command: 'deploy',
    leaves: 'a staged traffic shift with analysis and automatic rollback; the deployment history',
    proof: 'The last entry of .shipshape/deployments.json is a promotion of the spec as it is now.',
    sections: ['deploy'],
  },
  {
    number: 7,
    id: 'handoff',
    title: 'Handoff',
    summary: 'Handoff and documentation',
    command: 'runbook',
    leaves: 'docs/runbook.md, Prometheus alert and recording rules, a Grafana dashboard',
    proof: 'docs/runbook.md and monitoring/prometheus-rules.yaml are both newer than the spec.',
    sections: ['monitoring', 'handoff'],
  },
  {
    number: 8,
    id: 'review',
    title: 'Iterative improvement',
    summary: 'Iterative improvement cycles',
    command: 'review',
    leaves: 'the 30-day review: actuals against the targets of stage 1, and the backlog of the next iteration',
    proof: 'A review in docs/reviews/*.md is dated on or after the last promotion plus review.afterDays.',
    sections: ['review'],
  },
] as const satisfies readonly StageInfo[];

/** The stage's title as it reads inside a sentence: `modular components`. */
export const stageTitle = (number: StageNumber): string => STAGE_TABLE[number - 1]!.title.toLowerCase();
