/**
 * `shipshape deploy` and its subcommands as plain functions: the validation gate, the lock, the
 * recovery of a rollout whose process died, the driver from the registry, the controller, the
 * load of a drill, and the history written after every step.
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { locateSpec } from '../spec/locate.js';
import { UserError } from '../errors.js';
import { loadSpecText } from '../spec/load.js';
import type { Spec } from '../spec/schema.js';
import { specHash } from '../stages/hash.js';
import { Project } from '../stages/project.js';
import { validationEvidence } from '../stages/validation.js';
import { readHistory, saveDeployment, servingVersion, writeHistory, type Deployment, type DrillRecord } from '../state/deployments.js';
import { runRollout, type RolloutEvent } from './controller.js';
import type { DeploySpec, Driver, DriverKind, Release } from './driver.js';
import { DRIVERS } from './drivers/index.js';
import { acquireLock, alive, clearStaleLock, readLock, LOCK_FILE, type LockContent } from './lock.js';
import { runLoad, type LoadResult } from './traffic.js';
import { readFileBounded } from '../fs/read.js';

export interface DeployTarget {
  cwd: string;
  dir?: string;
  spec?: string;
}

interface LoadedProject {
  root: string;
  specFile: string;
  specText: string;
  specHash: string;
  spec: Spec;
  deploy: DeploySpec;
}

async function loadProject(target: DeployTarget): Promise<LoadedProject> {
  const specFile = await locateSpec(target);
  const bytes = await readFileBounded(specFile, { what: 'spec' });
  const loaded = loadSpecText(basename(specFile), bytes);
  const first = loaded.diagnostics[0];
  if (!loaded.spec)
    throw new UserError(first ? first.message : 'the spec is not valid', {
      file: basename(specFile),
      ...(first ? { position: { line: first.line, column: first.column } } : {}),
      hint: 'Run `shipshape check` to see every problem.',
    });
  if (!loaded.spec.deploy)
    throw new UserError('the spec has no deploy section', {
      file: basename(specFile),
      hint: 'Add deploy: (strategy, driver, steps); see examples/support-triage.yaml.',
    });
  return {
    root: dirname(specFile),
    specFile,
    specText: bytes.toString('utf8'),
    specHash: specHash(bytes),
    spec: loaded.spec,
    deploy: loaded.spec.deploy,
  };
}

/** What recovery found: a rollout whose process died, now recorded as failed. */
export interface Recovery {
  message: string;
  deployment?: string;
  killed: number[];
}

/**
 * Clears a stale lock and records any rollout left in progress by a process that is gone (a crash,
 * a kill -9). Throws a UserError when a live deploy holds the lock.
 */
export async function recover(root: string): Promise<Recovery[]> {
  const stale = await clearStaleLock(root);
  const read = await readHistory(root);
  if ('error' in read) return [];
  const found: Recovery[] = [];
  let changed = false;
  for (const record of read.records) {
    if (record.status !== 'in-progress' || (record.pid !== undefined && record.pid !== process.pid && alive(record.pid))) continue;
    const killed = stale && stale.stale.deployment === record.id ? stale.killed : [];
    record.status = 'failed';
    record.finishedAt = new Date().toISOString();
    record.reason = `the deploy process${record.pid ? ` (pid ${record.pid})` : ''} died mid-rollout (a crash or kill -9): nothing was promoted${killed.length ? `, and the ${killed.length} version process(es) it left were stopped` : ''}`;
    found.push({
      message: `deployment ${record.id ?? '?'} of ${record.version ?? 'an unknown version'}: ${record.reason}`,
      ...(record.id ? { deployment: record.id } : {}),
      killed,
    });
    changed = true;
  }
  if (changed) await writeHistory(root, read.records);
  if (stale && found.length === 0)
    found.push({ message: `cleared a stale ${LOCK_FILE} of pid ${stale.stale.pid}, a process that is gone`, killed: stale.killed });
  return found;
}

export interface DeployOptions extends DeployTarget {
  driver?: DriverKind;
  version?: string;
  skipValidation?: boolean;
  drill?: boolean;
  /** The fraction (0..1) of green's requests a drill makes fail. */
  drillErrorRate?: number;
  /** Requests per second of synthetic load during the rollout (a drill sends 50 when not said). */
  loadRps?: number;
  port?: number;
  serve?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: RolloutEvent) => void;
  log?: (message: string) => void;
  /** Called once the service is reachable (before the rollout starts). */
  onEndpoint?: (url: string) => void;
}

export interface DeployResult {
  record: Deployment;
  interrupted: boolean;
  recovered: Recovery[];
  drill?: DrillRecord;
  load?: { sent: number; failed: number; statuses: Record<string, number> };
}

async function gate(project: LoadedProject): Promise<void> {
  const evidence = await validationEvidence(new Project(project.specFile));
  if (evidence.state === 'done') return;
  const problem = evidence.evidence.find((e) => !e.ok)?.detail ?? 'no passing validation report';
  throw new UserError(`deploy needs a passing validation of the current spec: ${problem}`, {
    hint: 'Run `shipshape validate` first, or pass --skip-validation (the history records it).',
  });
}

export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const project = await loadProject(options);
  const kind = options.driver ?? project.deploy.driver;
  if (!options.skipValidation) await gate(project);
  const recovered = await recover(project.root);
  for (const r of recovered) options.log?.(r.message);
  const id = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const lock = await acquireLock(project.root, id);
  let driver: Driver | undefined;
  const loadStop = new AbortController();
  let load: Promise<LoadResult> | undefined;
  let record: Deployment | undefined;
  const save = (r: Deployment) => saveDeployment(project.root, r);
  try {
    const read = await readHistory(project.root);
    if ('error' in read) throw new UserError(`.shipshape/deployments.json ${read.error}`, { hint: 'Fix or move the file aside.' });
    const serving = servingVersion(read.records);
    const blue: Release | undefined =
      serving?.version && serving.location ? { version: serving.version, location: serving.location } : undefined;
    driver = DRIVERS[kind]({
      root: project.root,
      spec: project.spec,
      specText: project.specText,
      specHash: project.specHash,
      knownVersions: read.records.flatMap((r) => (r.version && r.kind !== 'rollback' ? [r.version] : [])),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.drill ? { drillErrorRate: options.drillErrorRate ?? 0.5 } : {}),
      track: (pid) => void lock.track(pid).catch(() => {}),
      ...(options.log ? { log: options.log } : {}),
    });
    record = {
      id,
      kind: 'rollout',
      specHash: project.specHash,
      status: 'in-progress',
      startedAt: new Date().toISOString(),
      strategy: project.deploy.strategy,
      driver: kind,
      pid: process.pid,
      ...(blue ? { previousVersion: blue.version } : {}),
      ...(options.skipValidation ? { skippedValidation: true } : {}),
    };
    await save(record);
    const prepared = Date.now();
    const green = await driver.prepare({
      ...(options.version ? { version: options.version } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    record = { ...record, version: green.version, location: green.location, timings: { prepareSeconds: (Date.now() - prepared) / 1000 } };
    await save(record);
    await driver.start({ green, ...(blue ? { blue } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    const endpoint = driver.endpoint();
    if (endpoint) options.onEndpoint?.(endpoint);
    const rps = options.loadRps ?? (options.drill ? 50 : 0);
    if (rps > 0 && endpoint) load = runLoad({ url: endpoint, rps, signal: loadStop.signal });

    const result = await runRollout({
      deploy: project.deploy,
      driver,
      record,
      ...(options.drill ? { drill: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      save,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    record = result.record;
    loadStop.abort();
    const traffic = load ? await load : undefined;
    let drill: DrillRecord | undefined;
    if (options.drill) {
      drill = drillReport(result, traffic, driver.firstBadAt?.(), options.drillErrorRate ?? 0.5);
      record = { ...record, drill };
      await save(record);
    }
    if (options.serve && !result.interrupted && options.signal && endpoint) {
      options.log?.(`serving on ${endpoint} until Ctrl-C`);
      await driver.serve(options.signal);
    }
    return {
      record,
      interrupted: result.interrupted,
      recovered,
      ...(drill ? { drill } : {}),
      ...(traffic ? { load: { sent: traffic.sent, failed: traffic.failed, statuses: countStatuses(traffic) } } : {}),
    };
  } catch (error) {
    if (record && record.status === 'in-progress') {
      const interrupted = options.signal?.aborted === true;
      record = {
        ...record,
        status: interrupted ? 'rolled-back' : 'failed',
        finishedAt: new Date().toISOString(),
        reason: interrupted ? 'interrupted (Ctrl-C) before the rollout began' : (error as Error).message,
      };
      await driver?.rollback().catch(() => {});
      await save(record);
      if (interrupted) return { record, interrupted: true, recovered };
      if (!(error instanceof UserError)) return { record, interrupted: false, recovered };
    }
    throw error;
  } finally {
    loadStop.abort();
    await load?.catch(() => undefined);
    await driver?.cleanup();
    await lock.release();
  }
}

/** How many answers of each status the load got (0: no answer). */
function countStatuses(traffic: LoadResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of traffic.results) counts[String(r.status)] = (counts[String(r.status)] ?? 0) + 1;
  return counts;
}

/** The drill's figures, from the load's own view of the requests and the controller's times. */
export function drillReport(
  result: { record: Deployment; interrupted: boolean; detectedAt?: number; blueAt?: number },
  traffic: LoadResult | undefined,
  firstBadAtDriver: number | undefined,
  errorRate: number,
): DrillRecord {
  const results = traffic?.results ?? [];
  const firstFailed = results
    .filter((r) => !r.ok)
    .reduce<number | undefined>((min, r) => (min === undefined || r.at < min ? r.at : min), undefined);
  const firstBadAt = [firstFailed, firstBadAtDriver]
    .filter((t): t is number => t !== undefined)
    .reduce<number | undefined>((a, b) => (a === undefined ? b : Math.min(a, b)), undefined);
  const fired = result.record.status === 'rolled-back' && !result.interrupted && result.detectedAt !== undefined;
  const seconds = (t: number | undefined) =>
    t === undefined || firstBadAt === undefined ? undefined : Math.round((t - firstBadAt) / 10) / 100;
  const toDetection = seconds(result.detectedAt);
  const toBlue = seconds(result.blueAt);
  return {
    errorRate,
    passed: fired,
    ...(firstBadAt === undefined ? {} : { firstBadAt: new Date(firstBadAt).toISOString() }),
    ...(toDetection === undefined ? {} : { secondsToDetection: toDetection }),
    ...(toBlue === undefined ? {} : { secondsToBlue: toBlue }),
    failedRequests: results.filter(
      (r) => !r.ok && (firstBadAt === undefined || r.at >= firstBadAt) && (result.blueAt === undefined || r.at <= result.blueAt),
    ).length,
    totalRequests: results.length,
  };
}

export interface DeployStatus {
  /** The deploy running now, if any. */
  running?: LockContent;
  serving?: Deployment;
  last?: Deployment;
  recovered: Recovery[];
}

/** `deploy status`: what serves, what ran last, and what happened to a rollout whose process died. */
export async function deployStatus(target: DeployTarget): Promise<DeployStatus> {
  const project = await loadProject(target);
  const held = await readLock(project.root);
  const running = held && held.pid > 0 && alive(held.pid) ? held : undefined;
  const recovered = running ? [] : await recover(project.root);
  const read = await readHistory(project.root);
  if ('error' in read) throw new UserError(`.shipshape/deployments.json ${read.error}`, { hint: 'Fix or move the file aside.' });
  const serving = servingVersion(read.records);
  const last = read.records[read.records.length - 1];
  return { ...(running ? { running } : {}), ...(serving ? { serving } : {}), ...(last ? { last } : {}), recovered };
}

/** `deploy history`: every deployment, oldest first. */
export async function deployHistory(target: DeployTarget): Promise<Deployment[]> {
  const project = await loadProject(target);
  const read = await readHistory(project.root);
  if ('error' in read) throw new UserError(`.shipshape/deployments.json ${read.error}`, { hint: 'Fix or move the file aside.' });
  return read.records;
}

export interface RollbackOptions extends DeployTarget {
  port?: number;
  serve?: boolean;
  signal?: AbortSignal;
  log?: (message: string) => void;
  onEndpoint?: (url: string) => void;
}

/**
 * `deploy rollback`: back to the release that served before the current one. The driver starts it
 * and checks it is ready before the history says it serves; `--serve` keeps it serving.
 */
export async function deployRollback(options: RollbackOptions): Promise<{ record: Deployment; recovered: Recovery[] }> {
  const project = await loadProject(options);
  const recovered = await recover(project.root);
  const read = await readHistory(project.root);
  if ('error' in read) throw new UserError(`.shipshape/deployments.json ${read.error}`, { hint: 'Fix or move the file aside.' });
  const serving = servingVersion(read.records);
  if (!serving)
    throw new UserError('nothing was promoted yet, so there is nothing to roll back', { hint: 'Run `shipshape deploy` first.' });
  const previous = read.records
    .slice(0, read.records.indexOf(serving))
    .reverse()
    .find((r) => servingVersion([r]) === r && r.version !== serving.version && r.location);
  if (!previous?.version || !previous.location)
    throw new UserError(`no release served before ${serving.version ?? 'the current one'}`, {
      hint: 'A rollback needs an earlier promoted release.',
    });
  const kind = (serving.driver as DriverKind | undefined) ?? project.deploy.driver;
  const id = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const lock = await acquireLock(project.root, id);
  const driver = DRIVERS[kind]({
    root: project.root,
    spec: project.spec,
    specText: project.specText,
    specHash: project.specHash,
    knownVersions: [],
    ...(options.port === undefined ? {} : { port: options.port }),
    track: (pid) => void lock.track(pid).catch(() => {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const started = Date.now();
  let record: Deployment = {
    id,
    kind: 'rollback',
    specHash: previous.specHash,
    status: 'in-progress',
    startedAt: new Date(started).toISOString(),
    driver: kind,
    pid: process.pid,
    version: previous.version,
    location: previous.location,
    ...(serving.version ? { previousVersion: serving.version } : {}),
  };
  try {
    await saveDeployment(project.root, record);
    await driver.start({
      green: { version: previous.version, location: previous.location },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const health = await driver.health();
    if (!health.ok) throw new Error(health.reason);
    await driver.setWeight(100);
    await driver.promote();
    const endpoint = driver.endpoint();
    if (endpoint) options.onEndpoint?.(endpoint);
    record = {
      ...record,
      status: 'rolled-back',
      finishedAt: new Date().toISOString(),
      reason: `rolled back by hand from ${serving.version ?? '?'} to ${previous.version}`,
      timings: { rollbackSeconds: (Date.now() - started) / 1000 },
    };
    await saveDeployment(project.root, record);
    if (options.serve && options.signal && endpoint) {
      options.log?.(`serving ${previous.version} on ${endpoint} until Ctrl-C`);
      await driver.serve(options.signal);
    }
    return { record, recovered };
  } catch (error) {
    record = {
      ...record,
      status: 'failed',
      finishedAt: new Date().toISOString(),
      reason: `the rollback to ${previous.version} failed: ${(error as Error).message}`,
    };
    await saveDeployment(project.root, record);
    if (error instanceof UserError) throw error;
    return { record, recovered };
  } finally {
    await driver.cleanup();
    await lock.release();
  }
}
