/**
 * `shipshape deploy` and its subcommands as plain functions: the validation gate, the lock, the
 * recovery of a rollout whose process died, the driver from the registry, the controller, the
 * load of a drill, and the history written after every step.
 */
import { randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { locateSpec } from '../spec/locate.js';
import { UserError } from '../errors.js';
import { loadSpecText, requireValidSpec } from '../spec/load.js';
import type { Spec } from '../spec/schema.js';
import { specHash } from '../stages/hash.js';
import { Project } from '../stages/project.js';
import { validationEvidence } from '../stages/validation.js';
import { readHistory, saveDeployment, servingVersion, writeHistory, type Deployment, type DrillRecord } from '../state/deployments.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { runRollout, sleep, type Decision, type RolloutEvent } from './controller.js';
import type { DeploySpec, Driver, DriverKind, Release } from './driver.js';
import { DRIVERS, isPlatformDriver, PLATFORM_DRIVERS } from './drivers/index.js';
import type { ClusterStatus, KubernetesRunOptions } from './drivers/kubernetes/release.js';
import { control, deadRollout, reachRuntime, reapOrphans, warmth, type RuntimeState } from './drivers/local/runtime.js';
import { acquireLock, alive, clearStaleLock, exitsWithin, readLock, LOCK_FILE, type LockContent } from './lock.js';
import { runLoad, type LoadResult } from '../load/traffic.js';
import { readFileBounded, readTextBounded } from '../fs/read.js';

export interface DeployTarget {
  cwd: string;
  dir?: string;
  spec?: string;
  /** The Kubernetes driver's --context, --namespace (and, for deploy, --image, --timeout...). */
  kubernetes?: KubernetesRunOptions;
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
  const spec = requireValidSpec(loadSpecText(basename(specFile), bytes), 'deploy');
  if (!spec.deploy)
    throw new UserError('the spec has no deploy section', {
      file: basename(specFile),
      hint: 'Add deploy: (strategy, driver, steps); see examples/support-triage.yaml.',
    });
  return {
    root: dirname(specFile),
    specFile,
    specText: bytes.toString('utf8'),
    specHash: specHash(bytes),
    spec,
    deploy: spec.deploy,
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
    // The local supervisor outlives the deploy process: it says whether it put traffic back on blue, or had promoted.
    const local = record.driver === 'local' || record.driver === undefined ? await deadRollout(root, record) : undefined;
    const process_ = `the deploy process${record.pid ? ` (pid ${record.pid})` : ''}`;
    record.status = local?.promoted ? 'promoted' : 'failed';
    record.finishedAt = new Date().toISOString();
    record.reason = local?.promoted
      ? `${process_} died right after the promotion (a crash or kill -9): ${local.detail}`
      : `rollout aborted: ${process_} died mid-rollout (a crash or kill -9), nothing was promoted${local ? `; ${local.detail}` : ''}${killed.length ? `, and the ${killed.length} version process(es) it left were stopped` : ''}`;
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
  /**
   * rollback.automatic: false: wait for `deploy promote` or `deploy rollback` when an analysis
   * fails (the command says yes at a terminal or with --wait); otherwise the pause is aborted.
   */
  waitOnPause?: boolean;
}

/** `deploy promote` and `deploy rollback` answer a paused rollout through this file. */
export const DECISION_FILE = '.shipshape/deploy.decision';

/** Waits for the decision on a paused rollout: the file `deploy promote|rollback` writes, polled four times a second. */
async function awaitDecision(root: string, deployment: string, signal?: AbortSignal): Promise<Decision> {
  const path = join(root, DECISION_FILE);
  for (;;) {
    try {
      const decision = JSON.parse(await readTextBounded(path, { what: 'rollout decision' })) as { deployment?: string; action?: string };
      if (decision.deployment === deployment && (decision.action === 'promote' || decision.action === 'rollback')) {
        await unlink(path).catch(() => {});
        return decision.action;
      }
    } catch {
      // Not decided yet.
    }
    await sleep(250, signal);
  }
}

export interface DeployResult {
  record: Deployment;
  interrupted: boolean;
  recovered: Recovery[];
  /** The rollout paused on a failed analysis, and how that ended. */
  paused?: Decision;
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
  if (isPlatformDriver(kind)) {
    // --port is not refused: SHIPSHAPE_DEPLOY_PORT may be set for local deploys, and a cluster has no proxy port.
    const local = (['drill', 'serve', 'loadRps'] as const).find((option) => options[option] !== undefined && options[option] !== false);
    if (local)
      throw new UserError(`--${local === 'loadRps' ? 'load' : local} is for the local driver: on ${kind} the cluster serves the traffic`);
    const { deployKubernetes } = await PLATFORM_DRIVERS[kind]();
    const { root, spec, specHash } = project;
    const result = await deployKubernetes({
      ...options.kubernetes,
      root,
      spec,
      specHash,
      ...(options.skipValidation ? { skipValidation: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    return { ...result, recovered: [] };
  }
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
      decide: async () => (options.waitOnPause ? awaitDecision(project.root, id, options.signal) : 'abort'),
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
      ...(result.paused ? { paused: result.paused } : {}),
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
  /** The local driver's supervisor, when it runs: where it serves, what, and the release kept warm. */
  service?: Pick<RuntimeState, 'url' | 'pid' | 'weight' | 'live' | 'green' | 'warm'>;
  serving?: Deployment;
  last?: Deployment;
  recovered: Recovery[];
  /** The Kubernetes driver: what the cluster says now. */
  cluster?: ClusterStatus;
}

/** The driver of the last deployment, else the spec's. */
function lastDriver(records: readonly Deployment[], project: LoadedProject): string {
  return records.findLast((r) => r.driver)?.driver ?? project.deploy.driver;
}

/** `deploy status`: what serves, what ran last, and what happened to a rollout whose process died. */
export async function deployStatus(target: DeployTarget): Promise<DeployStatus> {
  const project = await loadProject(target);
  const history = await readHistory(project.root);
  const kind = lastDriver('records' in history ? history.records : [], project);
  if (isPlatformDriver(kind)) {
    const { kubernetesStatus } = await PLATFORM_DRIVERS[kind]();
    return kubernetesStatus(project.root, project.spec, target.kubernetes ?? {});
  }
  const held = await readLock(project.root);
  const running = held && held.pid > 0 && alive(held.pid) ? held : undefined;
  const recovered = running ? [] : await recover(project.root);
  const read = await readHistory(project.root);
  if ('error' in read) throw new UserError(`.shipshape/deployments.json ${read.error}`, { hint: 'Fix or move the file aside.' });
  const serving = servingVersion(read.records);
  const last = read.records[read.records.length - 1];
  const runtime = await reachRuntime(project.root);
  const service = runtime
    ? {
        url: runtime.url,
        pid: runtime.pid,
        weight: runtime.weight,
        ...(runtime.live ? { live: runtime.live } : {}),
        ...(runtime.green ? { green: runtime.green } : {}),
        ...(runtime.warm ? { warm: runtime.warm } : {}),
      }
    : undefined;
  return {
    ...(running ? { running } : {}),
    ...(service ? { service } : {}),
    ...(serving ? { serving } : {}),
    ...(last ? { last } : {}),
    recovered,
  };
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
export async function deployRollback(
  options: RollbackOptions,
): Promise<{ record: Deployment; recovered: Recovery[]; interrupted?: boolean }> {
  const project = await loadProject(options);
  const paused = await pausedRollout(project.root);
  if (paused) return { record: await decide(project.root, paused, 'rollback', options.log), recovered: [] };
  const recovered = await recover(project.root);
  const read = await readHistory(project.root);
  if ('error' in read) throw new UserError(`.shipshape/deployments.json ${read.error}`, { hint: 'Fix or move the file aside.' });
  const serving = servingVersion(read.records);
  const platform = serving?.driver ?? lastDriver(read.records, project);
  if (isPlatformDriver(platform)) {
    const { kubernetesRollback } = await PLATFORM_DRIVERS[platform]();
    const { root, spec } = project;
    const { record, interrupted } = await kubernetesRollback({
      ...options.kubernetes,
      root,
      spec,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    return { record, recovered, interrupted };
  }
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
  const kind = (serving.driver as Exclude<DriverKind, 'kubernetes'> | undefined) ?? 'local';
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
  // The local driver keeps the previous release warm for rollback.scaleDownDelaySeconds: say whether this is a switch or a cold start.
  const how = kind === 'local' ? await warmth(project.root, previous.version) : undefined;
  if (how) options.log?.(how);
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
      reason: `rolled back by hand from ${serving.version ?? '?'} to ${previous.version}${how ? ` (${how.includes('still warm') ? 'still warm: traffic switched' : 'cold start'})` : ''}`,
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

/** The rollout a live deploy process holds paused on a failed analysis, if any. */
async function pausedRollout(root: string): Promise<Deployment | undefined> {
  const held = await readLock(root);
  if (!held?.deployment || !(held.pid > 0 && alive(held.pid))) return undefined;
  const read = await readHistory(root);
  if ('error' in read) return undefined;
  const record = read.records.find((r) => r.id === held.deployment);
  return record?.status === 'in-progress' && record.paused && !record.paused.decision ? record : undefined;
}

/** Hands a decision to the paused deploy process and waits (at most two minutes) for the rollout to end. */
async function decide(
  root: string,
  paused: Deployment,
  action: 'promote' | 'rollback',
  log?: (message: string) => void,
): Promise<Deployment> {
  await writeFileAtomic(
    join(root, DECISION_FILE),
    `${JSON.stringify({ deployment: paused.id, action, pid: process.pid, at: new Date().toISOString() })}\n`,
  );
  log?.(`asked the paused deploy of ${paused.version ?? '?'} (pid ${paused.pid ?? '?'}) to ${action}`);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const read = await readHistory(root);
    const record = 'records' in read ? read.records.find((r) => r.id === paused.id) : undefined;
    if (record && record.status !== 'in-progress') return record;
    if (paused.pid && !alive(paused.pid)) break;
  }
  throw new UserError(`the paused deploy (pid ${paused.pid ?? '?'}) did not act on the decision`, {
    hint: 'Run `shipshape deploy status` to see what happened.',
  });
}

/** `deploy promote`: promotes a rollout paused on a failed analysis (rollback.automatic: false). */
export async function deployPromote(target: DeployTarget & { log?: (message: string) => void }): Promise<Deployment> {
  const project = await loadProject(target);
  const paused = await pausedRollout(project.root);
  if (!paused)
    throw new UserError('no rollout is paused', {
      hint: 'deploy promote answers a rollout paused on a failed analysis (deploy.rollback.automatic: false) while its deploy waits.',
    });
  return decide(project.root, paused, 'promote', target.log);
}

/** `deploy stop`: stops the local service (the supervisor, its proxy and every version it runs). */
export async function deployStop(target: DeployTarget): Promise<{ stopped: boolean; message: string }> {
  const project = await loadProject(target);
  const held = await readLock(project.root);
  if (held && held.pid > 0 && held.pid !== process.pid && alive(held.pid))
    throw new UserError(`a deploy (pid ${held.pid}) is running`, { hint: 'Wait for it to end, or stop it with Ctrl-C (it rolls back).' });
  const running = await reachRuntime(project.root);
  if (!running) {
    const orphans = reapOrphans(project.root);
    return {
      stopped: false,
      message: orphans?.killed.length
        ? `the local supervisor was gone; stopped the versions it left: ${orphans.killed.map((v) => v.version).join(', ')}`
        : 'the local service is not running',
    };
  }
  await control(running, { op: 'stop' });
  await exitsWithin(running.pid, 15_000);
  const versions = [running.live, running.green, running.warm].flatMap((v) => (v ? [v.version] : []));
  return { stopped: true, message: `stopped the local service on ${running.url}${versions.length ? ` (${versions.join(', ')})` : ''}` };
}
