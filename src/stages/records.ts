/**
 * The files later stages leave in the project, as status reads them. `generate`, `validate` and
 * `deploy` write them in these shapes; status only reads, and says what is wrong with a file
 * rather than failing on it.
 */
import { DEPLOYMENTS_FILE, parseHistory, type Deployment } from '../state/deployments.js';
import { reportSchemas, type ValidationReport } from '../state/validation-report.js';

export const VALIDATION_REPORT_FILE = '.shipshape/reports/validation.json';
export { DEPLOYMENTS_FILE };

/** `.shipshape/reports/validation.json`, written by `validate`: its one shape is src/state/validation-report.ts. */
export type { ValidationReport };

/** One rollout in `.shipshape/deployments.json`, written by `deploy`, oldest first (see src/state/deployments.ts). */
export type DeploymentRecord = Deployment;

type Parsed<T> = { value: T } | { error: string };

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Reads a validation report through its schema, leniently (see lenientValidationReportSchema); the first problem as an error. */
export function parseValidationReport(value: unknown): Parsed<ValidationReport> {
  if (!isObject(value)) return { error: 'is not a JSON object' };
  const parsed = reportSchemas().lenientValidationReportSchema.safeParse(value);
  if (parsed.success) return { value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 && !issue.message.startsWith('has ') ? ` at ${issue.path.join('.')}` : '';
  return { error: `${issue?.message ?? 'is not a validation report'}${where}` };
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
