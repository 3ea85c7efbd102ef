import type { Project } from './project.js';
import { count, type Evidence, type StageEvidence } from './types.js';

/** Stage 1: the spec exists and passes the check at stage 1. */
export async function requirementsEvidence(project: Project): Promise<StageEvidence> {
  const check = await project.check(1);
  const spec: Evidence = { what: 'spec', file: project.specName, ok: true, detail: `${project.specName} exists` };
  const passes = check.errors === 0 && !check.failure;
  const checked: Evidence = {
    what: 'check at stage 1',
    file: project.specName,
    ok: passes,
    detail: check.failure
      ? `the check could not run: ${check.failure}`
      : passes
        ? `${project.specName} passes the check at stage 1`
        : `${count(check.errors, 'error')} at stage 1, first: ${check.first ?? '?'}`,
  };
  return {
    state: passes ? 'done' : 'in-progress',
    evidence: [spec, checked],
    ...(passes
      ? {}
      : {
          next: {
            command: 'check',
            args: ['--stage', '1'],
            manual: true,
            why: check.failure ? `fix what stops the check: ${check.failure}` : `fix the errors in ${project.specName}`,
          },
        }),
  };
}
