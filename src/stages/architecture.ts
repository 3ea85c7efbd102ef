import type { Project } from './project.js';
import { count, stateOf, type Evidence, type StageEvidence } from './types.js';

export const ADR_FILE = 'docs/adr/0001-architecture.md';

/** Stage 2: patterns in the spec, the ADR beside it, and a check at stage 2 without errors. */
export async function architectureEvidence(project: Project): Promise<StageEvidence> {
  const [data, adr, check] = await Promise.all([project.data(), project.stat(ADR_FILE), project.check(2)]);
  const architecture = data?.['architecture'] as { patterns?: unknown } | undefined;
  const patterns = Array.isArray(architecture?.patterns) ? architecture.patterns.length : 0;
  const hasAdr = Boolean(adr?.isFile());
  const passes = check.errors === 0 && !check.failure;
  const evidence: Evidence[] = [
    {
      what: 'architecture.patterns',
      file: project.specName,
      ok: patterns > 0,
      detail: patterns > 0 ? `${count(patterns, 'pattern')} in architecture.patterns` : `no architecture.patterns in ${project.specName}`,
    },
    { what: 'ADR', file: ADR_FILE, ok: hasAdr, detail: hasAdr ? `${ADR_FILE} exists` : `no ${ADR_FILE}` },
    {
      what: 'check at stage 2',
      file: project.specName,
      ok: passes,
      detail: check.failure
        ? `the check could not run: ${check.failure}`
        : passes
          ? 'no errors at stage 2'
          : `${count(check.errors, 'error')} at stage 2, first: ${check.first ?? '?'}`,
    },
  ];
  const state = stateOf(patterns > 0 || hasAdr, evidence);
  // With the patterns and the ADR in place, what is left is an edit by hand.
  const manual = state === 'in-progress' && patterns > 0 && hasAdr;
  return {
    state,
    evidence,
    ...(manual ? { next: { command: 'check', args: ['--stage', '2'], manual: true, why: `fix the errors in ${project.specName}` } } : {}),
  };
}
