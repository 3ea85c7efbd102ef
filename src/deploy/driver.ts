/**
 * What a deploy driver does. The rollout controller (controller.ts) is the same for every driver:
 * it decides when to shift traffic, when an analysis fails and when to promote or roll back; a
 * driver only carries those decisions out on its platform (child processes and a proxy for
 * `local`, a cluster for `kubernetes`) and reports what it measures.
 *
 * The order of calls, on every path:
 *
 *     prepare → start → (setWeight → health* → metrics)* → promote | rollback → cleanup
 *
 * `cleanup` is always called last, in a `finally`, even when `prepare` or `start` threw, and must
 * leave nothing running that the driver started (unless the command asked to keep serving).
 */
import type { Spec } from '../spec/schema.js';
import type { VersionMetrics } from '../state/deployments.js';
import type { DEPLOY_DRIVERS } from '../spec/schema.js';

export type DriverKind = (typeof DEPLOY_DRIVERS)[number];
export type DeploySpec = NonNullable<Spec['deploy']>;

/** A built, startable version of the project. */
export interface Release {
  /** The git commit, else the spec hash plus a counter, else what --version said. */
  version: string;
  /** Where the driver keeps it (a folder for local, an image reference for kubernetes). */
  location: string;
}

/** What every driver is given when it is created: its slice of the context, nothing more. */
export interface DriverContext {
  /** The project root (the folder of shipshape.yaml); a driver writes nothing outside it. */
  root: string;
  spec: Spec;
  /** The spec file's text: its `${VAR}` references name the environment the service needs. */
  specText: string;
  specHash: string;
  /** Versions already in the history, so a new one is never reused. */
  knownVersions: readonly string[];
  /** The port clients reach the service on (local: the weighted proxy's port; 0 picks one). */
  port?: number;
  /** A rollback drill: the fraction (0..1) of green's requests made to fail on purpose. */
  drillErrorRate?: number;
  /** Reports a child process the driver started, so a later run can clean up after a kill -9. */
  track?: (pid: number) => void;
  /** A line of progress for the user (standard error). */
  log?: (message: string) => void;
}

/** Each version's figures since the previous call of `metrics()`. */
export interface MetricsWindow {
  green: VersionMetrics;
  /** Undefined on a first deployment, when there is no blue. */
  blue?: VersionMetrics;
}

export type Health = { ok: true } | { ok: false; reason: string };

/** One driver: a platform on which to run blue and green and shift traffic between them. */
export interface Driver {
  readonly kind: DriverKind;
  /**
   * Builds the new release (local: a copy of the project under .shipshape/releases/<version>,
   * built). `version` is the user's --version; the driver picks one when it is undefined.
   */
  prepare(options: { version?: string; signal?: AbortSignal }): Promise<Release>;
  /**
   * Starts green beside blue (blue undefined on a first deployment) with no traffic on green,
   * and resolves once green is ready. Throws when green cannot start or never gets ready.
   */
  start(plan: { green: Release; blue?: Release; signal?: AbortSignal }): Promise<void>;
  /** Sends `weight` percent of new requests to green; requests in flight finish where they are. */
  setWeight(weight: number): Promise<void>;
  /** Whether green is alive and passes its readiness check; called about once a second. */
  health(): Promise<Health>;
  /** Each version's requests, errors, latency and business gauges since the last call. */
  metrics(): Promise<MetricsWindow>;
  /** All traffic on green; blue kept warm for `rollback.scaleDownDelaySeconds`, then stopped. */
  promote(): Promise<void>;
  /** All traffic back on blue (or none, on a first deployment); green stopped once drained. */
  rollback(): Promise<void>;
  /** Where clients reach the service now (local: the proxy's URL), when the driver can say. */
  endpoint(): string | undefined;
  /** Keeps serving whatever holds the traffic until the signal aborts (`--serve`). */
  serve(signal: AbortSignal): Promise<void>;
  /** For the drill: when green first failed a request (ms since the epoch), if the driver can tell. */
  firstBadAt?(): number | undefined;
  /** Stops everything the driver started. Safe to call twice, and after a failed start. */
  cleanup(): Promise<void>;
}

/** Makes a driver for one deployment. */
export type DriverFactory = (context: DriverContext) => Driver;
