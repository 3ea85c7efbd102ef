/**
 * The check engine: resolve the files, find the policy for each, check every file (sharing the
 * work with worker threads when there are many: parsing YAML is the cost, and it is CPU-bound),
 * then sum up.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedSpec } from '../spec/load.js';
import { checkFile } from './check-file.js';
import { displayPath } from '../fs/paths.js';
import { resolveSpecFiles } from './files.js';
import { findPolicy, loadPolicy, POLICY_RULES, type ResolvedPolicy } from './policy.js';
import { RULE_META } from './rules/index.js';
import { SEVERITY_RANK, type CheckResult, type FileResult, type RuleMeta, type Severity, type StageNumber, type Summary } from './types.js';

export interface CheckOptions {
  /** Files, folders and globs; empty: the shipshape.yaml found from cwd upward. */
  paths: readonly string[];
  cwd: string;
  stage?: StageNumber;
  /** An explicit policy file; otherwise shipshape.policy.yaml is looked for upward from each spec. */
  policy?: string;
  /** Ignore policy files found upward. */
  noPolicy?: boolean;
  failSeverity: Severity;
  maxWarnings?: number;
  today?: Date;
  /** Worker threads to use; default: one per core beyond the first, when there are many files. */
  jobs?: number;
  /**
   * Specs the caller has already read and parsed, by absolute path: `status` checks one spec at
   * several stages and parses it once. Files found here are checked in this thread.
   */
  preloaded?: ReadonlyMap<string, LoadedSpec>;
}

export const ALL_RULES: readonly RuleMeta[] = [...RULE_META, ...POLICY_RULES];
const KNOWN_RULE_IDS = ALL_RULES.map((rule) => rule.id);

/** Below this many files a worker's start-up costs more than it saves. */
const PARALLEL_THRESHOLD = 64;
const BATCH = 16;

export interface WorkerTask {
  absolute: string;
  display: string;
  policy?: string;
}

export interface WorkerRequest {
  tasks: WorkerTask[];
  stage?: StageNumber;
  today: string;
}

/** Loads each policy file once per run (a policy may change between runs of a long-lived process). */
export function policyLoader(): (path: string) => Promise<ResolvedPolicy> {
  const cache = new Map<string, Promise<ResolvedPolicy>>();
  return (path) => {
    let policy = cache.get(path);
    if (!policy) {
      policy = loadPolicy(path, { knownRuleIds: KNOWN_RULE_IDS });
      cache.set(path, policy);
    }
    return policy;
  };
}

/** The worker entry of the bundled build (workers run built code only). */
function workerEntry(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'dist', 'cli', 'check-worker.cjs');
    if (existsSync(join(dir, 'package.json'))) return existsSync(candidate) ? candidate : undefined;
    dir = dirname(dir);
  }
  return undefined;
}

async function checkAll(
  tasks: WorkerTask[],
  options: CheckOptions,
  today: Date,
  policyFor: (path: string) => Promise<ResolvedPolicy>,
): Promise<FileResult[]> {
  const runLocal = async (task: WorkerTask) =>
    checkFile(task.absolute, task.display, {
      today,
      ...(options.stage ? { stage: options.stage } : {}),
      ...(task.policy ? { policy: await policyFor(task.policy) } : {}),
      ...(options.preloaded?.has(task.absolute) ? { loaded: options.preloaded.get(task.absolute)! } : {}),
    });

  const entry = options.preloaded ? undefined : workerEntry();
  const workers = options.jobs ?? Math.min(availableParallelism() - 1, Math.floor(tasks.length / PARALLEL_THRESHOLD));
  if (!entry || workers < 1 || tasks.length < 2) {
    const results: FileResult[] = [];
    for (const task of tasks) results.push(await runLocal(task));
    return results;
  }

  // node:worker_threads costs a few ms to load: only runs that use workers pay for it.
  const { shareWork } = await import('./pool.js');
  return shareWork(tasks, {
    entry,
    workers,
    batchSize: BATCH,
    local: runLocal,
    request: (batch): WorkerRequest => ({ tasks: batch, today: today.toISOString(), ...(options.stage ? { stage: options.stage } : {}) }),
  });
}

function summarize(results: FileResult[]): Summary {
  const summary: Summary = { files: results.length, errors: 0, warnings: 0, infos: 0, exceptions: 0, unreadable: 0 };
  for (const result of results) {
    if (result.unreadable) summary.unreadable++;
    for (const finding of result.findings) {
      if (finding.exception) summary.exceptions++;
      else if (finding.severity === 'error') summary.errors++;
      else if (finding.severity === 'warn') summary.warnings++;
      else summary.infos++;
    }
  }
  return summary;
}

export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const cwd = resolve(options.cwd);
  const today = options.today ?? new Date();
  const files = await resolveSpecFiles(options.paths, cwd);

  const explicitPolicy = options.policy ? resolve(cwd, options.policy) : undefined;
  const policyDirs = new Map<string, string | undefined>();
  const tasks: WorkerTask[] = files.map((file) => {
    const policy = explicitPolicy ?? (options.noPolicy ? undefined : findPolicy(dirname(file), policyDirs));
    return { absolute: file, display: displayPath(file, cwd), ...(policy ? { policy } : {}) };
  });
  // Load every policy once up front, so a broken policy fails before any work (exit 2).
  const loadPolicyOnce = policyLoader();
  const policies = [...new Set(tasks.flatMap((task) => (task.policy ? [task.policy] : [])))];
  const loaded = await Promise.all(policies.map((path) => loadPolicyOnce(path)));

  const results = await checkAll(tasks, options, today, loadPolicyOnce);
  // Expired exceptions are findings in the policy files that declare them; policies sharing a
  // base report the base's once.
  const seen = new Set<string>();
  for (const finding of loaded.flatMap((policy) => policy.expiredExceptions(today, cwd))) {
    const key = `${finding.file}:${finding.range.line}:${finding.range.column}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const existing = results.find((result) => result.file === finding.file);
    if (existing) existing.findings.push(finding);
    else results.push({ file: finding.file, stage: null, unreadable: false, findings: [finding] });
  }

  const summary = summarize(results);
  const failRank = SEVERITY_RANK[options.failSeverity];
  const failing = results.some((result) =>
    result.findings.some((finding) => !finding.exception && SEVERITY_RANK[finding.severity] >= failRank),
  );
  const tooManyWarnings = options.maxWarnings !== undefined && summary.warnings > options.maxWarnings;
  const failed = failing || tooManyWarnings || summary.unreadable > 0;
  const exitCode = summary.unreadable > 0 ? 2 : failed ? 1 : 0;
  return { results, summary, rules: [...ALL_RULES], failed, failSeverity: options.failSeverity, tooManyWarnings, exitCode };
}
