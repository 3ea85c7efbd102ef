/**
 * The eight stages with the evidence on disk that says each is done (DESIGN.md, Principle 2:
 * derived, never stored). Their names, commands and sections are the one table in ./table.ts.
 */
import { architectureEvidence } from './architecture.js';
import { componentsEvidence } from './components.js';
import { deploymentEvidence } from './deployment.js';
import { handoffEvidence } from './handoff.js';
import { orchestrationEvidence } from './orchestration.js';
import { requirementsEvidence } from './requirements.js';
import { reviewEvidence } from './review.js';
import { STAGE_TABLE, type StageNumber } from './table.js';
import type { Stage } from './types.js';
import { validationEvidence } from './validation.js';

const EVIDENCE = {
  1: requirementsEvidence,
  2: architectureEvidence,
  3: componentsEvidence,
  4: orchestrationEvidence,
  5: validationEvidence,
  6: deploymentEvidence,
  7: handoffEvidence,
  8: reviewEvidence,
} satisfies Record<StageNumber, Stage['evidence']>;

export const STAGES: readonly Stage[] = STAGE_TABLE.map((stage) => ({ ...stage, evidence: EVIDENCE[stage.number] }));
