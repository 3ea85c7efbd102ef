/**
 * The files later stages leave in the project, as status reads them. `generate`, `validate` and
 * `deploy` write them in these shapes; status only reads, and says what is wrong with a file
 * rather than failing on it.
 */
import { OWNERSHIPS, PROJECT_MANIFEST, type Ownership } from '../scaffold/types.js';
import { lenientValidationReportSchema, type ValidationReport } from '../state/validation-report.js';

export const MANIFEST_FILE = PROJECT_MANIFEST;
export const VALIDATION_REPORT_FILE = '.shipshape/reports/validation.json';
export const DEPLOYMENTS_FILE = '.shipshape/deployments.json';

/**
 * `.shipshape/manifest.json`, written by `generate` (ProjectManifest): every generated file with
 * its ownership and hash. Read strictly where the checks depend on it (ownership, hashes, the
 * format version) and leniently elsewhere (a pack without a version is shown without one).
 */
export interface Manifest {
  /** The format of the file; a manifest that does not say is read as 1. */
  version: 1;
  pack: { name: string; version: string };
  specHash: string;
  /** ISO 8601, as written. */
  generatedAt?: string;
  /** Project-relative paths with forward slashes; sha256 in lower case. */
  files: Record<string, { ownership: Ownership; sha256: string }>;
}

/** `.shipshape/reports/validation.json`, written by `validate`: its one shape is src/state/validation-report.ts. */
export type { ValidationReport };

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

/** `.shipshape/deployments.json`: `{ deployments: [...] }` (a bare array is read too). */
export interface DeploymentHistory {
  deployments: DeploymentRecord[];
}

type Parsed<T> = { value: T } | { error: string };

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

const SHA256 = /^[0-9a-f]{64}$/i;
const isOwnership = (value: unknown): value is Ownership => (OWNERSHIPS as readonly unknown[]).includes(value);

export function parseManifest(value: unknown): Parsed<Manifest> {
  if (!isObject(value)) return { error: 'is not a JSON object' };
  const { version, pack, specHash, generatedAt, files } = value;
  // A later format may mean something else by the same fields: better to say so than to misread it.
  if (version !== undefined && version !== 1)
    return { error: `is format version ${JSON.stringify(version)}; this shipshape reads version 1` };
  if (!isObject(files)) return { error: 'has no "files" object' };
  const entries: [string, Manifest['files'][string]][] = [];
  for (const [path, entry] of Object.entries(files)) {
    if (!isObject(entry) || !isText(entry['sha256'])) return { error: `has no sha256 for ${path}` };
    if (!SHA256.test(entry['sha256'])) return { error: `has a sha256 for ${path} that is not 64 hex digits` };
    const ownership = entry['ownership'];
    if (!isOwnership(ownership)) {
      const given = ownership === undefined ? 'no ownership' : `the ownership ${JSON.stringify(ownership)}`;
      return { error: `gives ${path} ${given}; expected managed, seeded or merged` };
    }
    entries.push([path, { ownership, sha256: entry['sha256'].toLowerCase() }]);
  }
  return {
    value: {
      version: 1,
      pack: isObject(pack) ? { name: String(pack['name'] ?? ''), version: String(pack['version'] ?? '') } : { name: '', version: '' },
      specHash: isText(specHash) ? specHash : '',
      ...(isText(generatedAt) ? { generatedAt } : {}),
      // fromEntries defines each path as its own property, even one called __proto__.
      files: Object.fromEntries(entries),
    },
  };
}

/** Reads a validation report through its schema, leniently (see lenientValidationReportSchema); the first problem as an error. */
export function parseValidationReport(value: unknown): Parsed<ValidationReport> {
  if (!isObject(value)) return { error: 'is not a JSON object' };
  const parsed = lenientValidationReportSchema.safeParse(value);
  if (parsed.success) return { value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 && !issue.message.startsWith('has ') ? ` at ${issue.path.join('.')}` : '';
  return { error: `${issue?.message ?? 'is not a validation report'}${where}` };
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
