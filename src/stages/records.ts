/**
 * The files later stages leave in the project, as status reads them. `generate`, `validate` and
 * `deploy` write them in these shapes; status only reads, and says what is wrong with a file
 * rather than failing on it.
 */
export const VALIDATION_REPORT_FILE = '.shipshape/reports/validation.json';
export const DEPLOYMENTS_FILE = '.shipshape/deployments.json';

/** `.shipshape/reports/validation.json`, written by `validate`. */
export interface ValidationReport {
  /** specHash of the spec the scenarios ran from. */
  specHash: string;
  passed: boolean;
  scenarios?: { id: string; passed: boolean }[];
}

export type DeploymentStatus = 'promoted' | 'rolled-back' | 'failed' | 'in-progress';

/** One rollout in `.shipshape/deployments.json`, written by `deploy`, oldest first. */
export interface DeploymentRecord {
  specHash: string;
  status: DeploymentStatus;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601; when a promotion completed, the date the 30-day review counts from. */
  finishedAt?: string;
}

type Parsed<T> = { value: T } | { error: string };

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

export function parseValidationReport(value: unknown): Parsed<ValidationReport> {
  if (!isObject(value)) return { error: 'is not a JSON object' };
  if (!isText(value['specHash'])) return { error: 'has no "specHash"' };
  if (typeof value['passed'] !== 'boolean') return { error: 'has no "passed" true or false' };
  const scenarios = Array.isArray(value['scenarios'])
    ? value['scenarios'].filter(isObject).map((s) => ({ id: String(s['id'] ?? '?'), passed: s['passed'] === true }))
    : undefined;
  return { value: { specHash: value['specHash'], passed: value['passed'], ...(scenarios ? { scenarios } : {}) } };
}

export function parseDeployments(value: unknown): Parsed<DeploymentRecord[]> {
  const list = Array.isArray(value) ? value : isObject(value) ? value['deployments'] : undefined;
  if (!Array.isArray(list)) return { error: 'has no "deployments" list' };
  const records: DeploymentRecord[] = [];
  for (const [i, entry] of list.entries()) {
    if (!isObject(entry) || !isText(entry['status'])) return { error: `entry ${i + 1} has no "status"` };
    const startedAt = isText(entry['startedAt']) ? entry['startedAt'] : isText(entry['finishedAt']) ? entry['finishedAt'] : '';
    records.push({
      specHash: isText(entry['specHash']) ? entry['specHash'] : '',
      status: entry['status'] as DeploymentStatus,
      startedAt,
      ...(isText(entry['finishedAt']) ? { finishedAt: entry['finishedAt'] } : {}),
    });
  }
  return { value: records };
}

/** When a deployment ended (or began, when it has no end), as a Date; undefined when neither parses. */
export function deploymentDate(record: DeploymentRecord): Date | undefined {
  const date = new Date(record.finishedAt ?? record.startedAt);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** YYYY-MM-DD of a date, in UTC. */
export const day = (date: Date): string => date.toISOString().slice(0, 10);
