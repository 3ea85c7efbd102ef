import { componentsEvidence } from './components.js';
import type { Project } from './project.js';
import { stateOf, type Evidence, type StageEvidence } from './types.js';

export const ORCHESTRATION_DIR = 'src/orchestration/';

/** Stage 4: the components of stage 3, resilience in the spec, and the orchestration layer generated from it. */
export async function orchestrationEvidence(project: Project): Promise<StageEvidence> {
  const [components, data, folder] = await Promise.all([componentsEvidence(project), project.data(), project.stat(ORCHESTRATION_DIR)]);
  const resilience = data?.['resilience'];
  const hasResilience = resilience !== null && typeof resilience === 'object';
  const hasFolder = Boolean(folder?.isDirectory());
  const evidence: Evidence[] = [
    {
      what: 'stage 3',
      ok: components.state === 'done',
      detail: components.state === 'done' ? 'stage 3 is done' : `stage 3 is ${components.state.replace('-', ' ')}`,
    },
    {
      what: 'resilience',
      file: project.specName,
      ok: hasResilience,
      detail: hasResilience ? `resilience is set in ${project.specName}` : `no resilience section in ${project.specName}`,
    },
    {
      what: 'orchestration layer',
      file: ORCHESTRATION_DIR,
      ok: hasFolder,
      detail: hasFolder ? `${ORCHESTRATION_DIR} exists` : `no ${ORCHESTRATION_DIR}`,
    },
  ];
  // `design` fills in resilience with defaults, so only the generated layer says the stage began.
  return { state: stateOf(hasFolder, evidence), evidence };
}
