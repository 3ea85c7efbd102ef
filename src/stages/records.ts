/**
 * The files later stages leave in the project, as status reads them. `generate`, `validate` and
 * `deploy` write them in these shapes; status only reads, and says what is wrong with a file
 * rather than failing on it.
 */
import { DEPLOYMENTS_FILE, parseHistory, type Deployment } from '../state/deployments.js';

export const VALIDATION_REPORT_FILE = '.shipshape/reports/validation.json';
export { DEPLOYMENTS_FILE };

/** `.shipshape/reports/validation.json`, written by `validate`. */
export interface ValidationReport {
  /** specHash of the spec the scenarios ran from. */
  specHash: string;
  passed: boolean;
  scenarios?: { id: string; passed: boolean }[];
}

/** One rollout in `.shipshape/deployments.json`, written by `deploy`, oldest first (see src/state/deployments.ts). */
export type DeploymentRecord = Deployment;

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

/** The history read through the one schema of src/state/deployments.ts, leniently. */
export const parseDeployments = (value: unknown): Parsed<DeploymentRecord[]> => parseHistory(value);

/** When a deployment ended (or began, when it has no end), as a Date; undefined when neither parses. */
export function deploymentDate(record: DeploymentRecord): Date | undefined {
  const date = new Date(record.finishedAt ?? record.startedAt);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** YYYY-MM-DD of a date, in UTC. */
export const day = (date: Date): string => date.toISOString().slice(0, 10);
