/**
 * The files later stages leave in the project, as status reads them. `generate`, `validate` and
 * `deploy` write them in these shapes; status only reads, and says what is wrong with a file
 * rather than failing on it.
 */
import { OWNERSHIPS, PROJECT_MANIFEST, type Ownership } from '../scaffold/types.js';
import { DEPLOYMENTS_FILE, parseHistory, type Deployment, type DeploymentStatus } from '../state/deployments.js';

export const MANIFEST_FILE = PROJECT_MANIFEST;
export const VALIDATION_REPORT_FILE = '.shipshape/reports/validation.json';
export { DEPLOYMENTS_FILE };

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

/** `.shipshape/reports/validation.json`, written by `validate`. */
export interface ValidationReport {
  /** specHash of the spec the scenarios ran from. */
  specHash: string;
  passed: boolean;
  scenarios?: { id: string; passed: boolean }[];
}

/** One rollout in `.shipshape/deployments.json`, written by `deploy`, oldest first (see src/state/deployments.ts). */
export type DeploymentRecord = Deployment;
export type { DeploymentStatus };

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
