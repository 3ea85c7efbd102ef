import type { Project } from './project.js';
import { stateOf, type Evidence, type StageEvidence } from './types.js';

export const RUNBOOK_FILE = 'docs/runbook.md';
export const PROMETHEUS_RULES_FILE = 'monitoring/prometheus-rules.yaml';

/** Stage 7: the runbook and the alert rules, both written since the spec last changed. */
export async function handoffEvidence(project: Project): Promise<StageEvidence> {
  const spec = await project.spec();
  const files = [
    { what: 'runbook', file: RUNBOOK_FILE },
    { what: 'Prometheus rules', file: PROMETHEUS_RULES_FILE },
  ];
  const stats = await Promise.all(files.map(({ file }) => project.stat(file)));
  const evidence: Evidence[] = files.map(({ what, file }, i) => {
    const info = stats[i];
    if (!info?.isFile()) return { what, file, ok: false, detail: `no ${file}` };
    // Written in the same instant as the spec counts as written from it.
    const fresh = info.mtimeMs >= spec.mtimeMs;
    return {
      what,
      file,
      ok: fresh,
      detail: fresh ? `${file} is newer than ${project.specName}` : `${file} is older than ${project.specName}`,
    };
  });
  return {
    state: stateOf(
      stats.some((info) => info?.isFile()),
      evidence,
    ),
    evidence,
  };
}
