/**
 * `.shipshape/deployments.json`: the deployment history, one zod schema for the writer (`deploy`)
 * and the readers (`status`, `deploy status`, `deploy history`). Older and hand-written files
 * carry only `specHash`, `status`, `startedAt` and `finishedAt`; every other field is optional,
 * so they still read.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic.js';
import { ReadError, readTextBounded } from '../fs/read.js';

export const DEPLOYMENTS_FILE = '.shipshape/deployments.json';

export const DEPLOYMENT_STATUSES = ['promoted', 'rolled-back', 'failed', 'in-progress'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const VERDICTS = ['pass', 'fail', 'inconclusive'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * The schemas, built on first use: `check` and `status` load this module for every spec, and most
 * projects have no history to read.
 */
function buildSchemas() {
  /** The figures of one version over one analysis window, as the driver measured them. */
  const versionMetricsSchema = z.object({
    requests: z.number(),
    errors: z.number(),
    /** Undefined when the window had no request. */
    p95LatencyMs: z.number().optional(),
    p99LatencyMs: z.number().optional(),
    /** Business gauges scraped from the version's /metrics, by the spec's metric name. */
    business: z.record(z.string(), z.number()).optional(),
  });

  /** One metric of one analysis, against the spec's threshold. */
  const checkSchema = z.object({
    metric: z.string(),
    value: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    verdict: z.enum(VERDICTS),
    detail: z.string().optional(),
  });

  /** One analysis of the new version, every `analysis.intervalSeconds`. */
  const analysisSchema = z.object({
    at: z.string(),
    verdict: z.enum(VERDICTS),
    green: versionMetricsSchema,
    blue: versionMetricsSchema.optional(),
    checks: z.array(checkSchema),
  });

  const stepSchema = z.object({
    index: z.number(),
    weight: z.number(),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    verdict: z.enum(VERDICTS).optional(),
    analyses: z.array(analysisSchema),
  });

  /** What the drill measured: seconds from the first bad request. */
  const drillSchema = z.object({
    errorRate: z.number(),
    passed: z.boolean(),
    firstBadAt: z.string().optional(),
    secondsToDetection: z.number().optional(),
    secondsToBlue: z.number().optional(),
    failedRequests: z.number(),
    totalRequests: z.number(),
  });

  const deploymentSchema = z.object({
    id: z.string().optional(),
    specHash: z.string().catch(''),
    status: z.enum(DEPLOYMENT_STATUSES),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    version: z.string().optional(),
    /** Where the driver keeps the release (local: its folder), to start it again as blue or on rollback. */
    location: z.string().optional(),
    /** The version that served before this one (blue); none on a first deployment. */
    previousVersion: z.string().optional(),
    strategy: z.string().optional(),
    driver: z.string().optional(),
    /** Rolled out with --skip-validation, without a passing validation report. */
    skippedValidation: z.boolean().optional(),
    /** A rollback drill: never counts as a promotion. */
    drill: drillSchema.optional(),
    /** A manual `deploy rollback`, not a rollout. */
    kind: z.enum(['rollout', 'rollback']).optional(),
    /**
     * A rollout paused on a failed analysis (rollback.automatic: false): why, where traffic waited,
     * and the decision that ended the pause (deploy promote, deploy rollback, or none could be given).
     */
    paused: z
      .object({
        at: z.string(),
        reason: z.string(),
        holdAt: z.enum(['blue', 'step']),
        weight: z.number(),
        checks: z.array(checkSchema),
        decision: z.enum(['promote', 'rollback', 'abort']).optional(),
        decidedAt: z.string().optional(),
      })
      .optional(),
    /** Why it ended as it did. */
    reason: z.string().optional(),
    pid: z.number().optional(),
    steps: z.array(stepSchema).optional(),
    timings: z
      .object({
        prepareSeconds: z.number().optional(),
        rolloutSeconds: z.number().optional(),
        rollbackSeconds: z.number().optional(),
      })
      .optional(),
  });

  const historySchema = z.object({ deployments: z.array(deploymentSchema) });
  return { versionMetricsSchema, checkSchema, analysisSchema, stepSchema, drillSchema, deploymentSchema, historySchema };
}
type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | undefined;
const schemas = (): Schemas => (built ??= buildSchemas());

export type VersionMetrics = z.infer<Schemas['versionMetricsSchema']>;
export type AnalysisCheck = z.infer<Schemas['checkSchema']>;
export type AnalysisRecord = z.infer<Schemas['analysisSchema']>;
export type StepRecord = z.infer<Schemas['stepSchema']>;
export type DrillRecord = z.infer<Schemas['drillSchema']>;
export type Deployment = z.infer<Schemas['deploymentSchema']>;
export type DeploymentHistory = z.infer<Schemas['historySchema']>;

type Parsed<T> = { value: T } | { error: string };

/**
 * Reads the history's shape leniently, as status always has: `{ deployments: [...] }` or a bare
 * array; an entry without a start date takes its end date; the first entry that does not fit is
 * named in the error.
 */
export function parseHistory(value: unknown): Parsed<Deployment[]> {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const list = Array.isArray(value) ? value : isObject(value) ? value['deployments'] : undefined;
  if (!Array.isArray(list)) return { error: 'has no "deployments" list' };
  const records: Deployment[] = [];
  for (const [i, entry] of list.entries()) {
    if (!isObject(entry) || typeof entry['status'] !== 'string' || entry['status'] === '')
      return { error: `entry ${i + 1} has no "status"` };
    const startedAt = [entry['startedAt'], entry['finishedAt']].find((v): v is string => typeof v === 'string' && v !== '') ?? '';
    const parsed = schemas().deploymentSchema.safeParse({ ...entry, startedAt });
    if (parsed.success) {
      records.push(parsed.data);
      continue;
    }
    const issue = parsed.error.issues[0];
    // An unknown status is shown as it is rather than refused: status says what it is not.
    if (issue?.path[0] === 'status' && parsed.error.issues.length === 1) {
      const withStatus = schemas().deploymentSchema.safeParse({ ...entry, startedAt, status: 'failed' });
      if (withStatus.success) {
        records.push({ ...withStatus.data, status: entry['status'] as DeploymentStatus });
        continue;
      }
    }
    return { error: `entry ${i + 1} has ${issue ? `a bad "${issue.path.join('.')}"` : 'a bad shape'}` };
  }
  return { value: records };
}

export type HistoryRead = { records: Deployment[] } | { error: string };

/** Reads the history of a project root: an empty list when there is none yet. */
export async function readHistory(root: string): Promise<HistoryRead> {
  let text: string;
  try {
    text = await readTextBounded(join(root, DEPLOYMENTS_FILE), { what: 'state file', display: DEPLOYMENTS_FILE, links: 'refuse' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { records: [] };
    if (error instanceof ReadError) return { error: `cannot be read: ${error.detail}` };
    return { error: `cannot be read (${code ?? String(error)})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { error: `is not valid JSON (${(error as Error).message})` };
  }
  const parsed = parseHistory(json);
  return 'error' in parsed ? parsed : { records: parsed.value };
}

/** Writes the whole history atomically: a crash leaves the previous file or this one. */
export async function writeHistory(root: string, records: readonly Deployment[]): Promise<void> {
  const path = join(root, DEPLOYMENTS_FILE);
  await mkdir(dirname(path), { recursive: true });
  const history: DeploymentHistory = { deployments: [...records] };
  await writeFileAtomic(path, `${JSON.stringify(schemas().historySchema.parse(history), null, 2)}\n`);
}

/**
 * Replaces the record with the same id (or appends it), then writes: what `deploy` calls after
 * every step, so a crash loses at most the step in progress.
 */
export async function saveDeployment(root: string, record: Deployment): Promise<void> {
  const read = await readHistory(root);
  const records = 'records' in read ? read.records : [];
  const at = records.findIndex((r) => r.id !== undefined && r.id === record.id);
  if (at >= 0) records[at] = record;
  else records.push(record);
  await writeHistory(root, records);
}

/**
 * The deployment that serves now: the last promotion that was not a drill, or the last manual
 * rollback that completed (it serves the version it went back to).
 */
export function servingVersion(records: readonly Deployment[]): Deployment | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (!r.version || r.drill) continue;
    if (r.kind === 'rollback' ? r.status === 'rolled-back' : r.status === 'promoted') return r;
  }
  return undefined;
}
