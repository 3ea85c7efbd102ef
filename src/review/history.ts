/**
 * The deployment history the review counts from, read in this one function so it can be
 * re-pointed when `deploy` moves the schema of .shipshape/deployments.json (src/state/).
 */
import { UserError } from '../errors.js';
import { readDeployments } from '../stages/deployment.js';
import type { Project } from '../stages/project.js';
import { DEPLOYMENTS_FILE, type DeploymentRecord } from '../stages/records.js';

export { DEPLOYMENTS_FILE };

/** The deployments, oldest first; none when there is no history yet; a malformed history is a UserError. */
export async function deploymentHistory(project: Project): Promise<DeploymentRecord[]> {
  const read = await readDeployments(project);
  if (!read) return [];
  if ('error' in read) {
    throw new UserError(`${DEPLOYMENTS_FILE} ${read.error}`, { hint: 'Restore it from version control; `shipshape deploy` writes it.' });
  }
  return read.records;
}
