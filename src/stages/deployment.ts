import type { Project } from './project.js';
import { servingVersion } from '../state/deployments.js';
import { day, deploymentDate, DEPLOYMENTS_FILE, parseDeployments, type DeploymentRecord } from './records.js';
import type { StageEvidence } from './types.js';

export type DeploymentsRead = { records: DeploymentRecord[] } | { error: string } | undefined;

/** The deployment history, read once for stages 6 and 8; undefined when there is none. */
export function readDeployments(project: Project): Promise<DeploymentsRead> {
  return project.cached('deployments', async () => {
    const read = await project.readJson(DEPLOYMENTS_FILE);
    if (!read.found) return undefined;
    if ('error' in read) return { error: read.error };
    const parsed = parseDeployments(read.value);
    return 'error' in parsed ? parsed : { records: parsed.value };
  });
}

const when = (record: DeploymentRecord): string => {
  const date = deploymentDate(record);
  return date ? ` on ${day(date)}` : '';
};

/** Stage 6: the last deployment promoted the spec as it is now. */
export async function deploymentEvidence(project: Project): Promise<StageEvidence> {
  const [history, spec] = await Promise.all([readDeployments(project), project.spec()]);
  const file = DEPLOYMENTS_FILE;
  if (!history || ('records' in history && history.records.length === 0)) {
    return {
      state: 'not-started',
      evidence: [{ what: 'deployment', file, ok: false, detail: history ? `${file} lists no deployment` : `no ${file}` }],
    };
  }
  if ('error' in history)
    return { state: 'in-progress', evidence: [{ what: 'deployment', file, ok: false, detail: `${file} ${history.error}` }] };

  // A drill never counts as a promotion, nor undoes one: it deploys a faulty copy on purpose.
  const real = history.records.filter((record) => !record.drill);
  const last = real[real.length - 1];
  if (!last) {
    return {
      state: 'not-started',
      evidence: [{ what: 'deployment', file, ok: false, detail: `${file} lists only rollback drills` }],
    };
  }
  if (last.status === 'in-progress') {
    return {
      state: 'in-progress',
      evidence: [
        {
          what: 'deployment',
          file,
          ok: false,
          detail: `a rollout started${when(last)} has not ended (if its process died, \`shipshape deploy status\` recovers it)`,
        },
      ],
    };
  }
  // What serves now: the last promotion, unless a rollback returned to an earlier release. A rollout
  // rolled back after it (the analysis caught a bad release) leaves it serving: the stage's point.
  // Records written by hand without versions cannot say what serves: only a promotion last counts.
  const serving = servingVersion(real) ?? (last.status === 'promoted' ? last : undefined);
  if (!serving) {
    return {
      state: 'in-progress',
      evidence: [
        { what: 'promoted deployment', file, ok: false, detail: `the last deployment${when(last)} ended ${last.status}, not promoted` },
      ],
    };
  }
  const current = serving.specHash.toLowerCase() === spec.hash;
  const how = serving.kind === 'rollback' ? 'rolled back to' : 'promoted';
  const later =
    serving === last
      ? ''
      : `; the later ${last.kind === 'rollback' ? 'rollback' : 'rollout'}${last.version ? ` of ${last.version}` : ''}${when(last)} ended ${last.status}`;
  const detail = current
    ? `the current ${project.specName} was ${how}${when(serving)}${serving !== last && serving.version ? ` (${serving.version} is the live release)` : ''}${later}`
    : `the last promotion${when(serving)} deployed another version of ${project.specName}${later}`;
  return {
    state: current ? 'done' : 'in-progress',
    evidence: [{ what: 'promoted deployment', file, ok: current, detail }],
  };
}
