/**
 * The local runtime: one detached supervisor process per project (supervisor.ts) that owns the
 * weighted proxy and the version processes, so they outlive the `deploy` command that started
 * them. A deploy (or rollback) process drives it over a loopback control port; the supervisor
 * writes what it runs to `.shipshape/local/runtime.json` (pids, ports, weight, the warm previous
 * release, a rollout it aborted). This module is that file's shape and the client's side.
 */
import { spawn } from 'node:child_process';
// eslint-disable-next-line no-restricted-imports -- the supervisor's log is its stdout and stderr, appended by the child (an open fd, not a file shipshape writes)
import { openSync, closeSync, mkdirSync, readlinkSync } from 'node:fs';
import { ReadError, readTextBoundedSync } from '../../../fs/read.js';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../../errors.js';
import { packageRoot } from '../../../scaffold/package-root.js';
import { alive, exitsWithin } from '../../lock.js';

export const RUNTIME_DIR = '.shipshape/local';
export const RUNTIME_FILE = `${RUNTIME_DIR}/runtime.json`;
export const SUPERVISOR_LOG = `${RUNTIME_DIR}/supervisor.log`;

const versionSchema = z.object({
  version: z.string(),
  location: z.string(),
  pid: z.number().optional(),
  port: z.number(),
  url: z.string(),
  /** Live only: how often the supervisor restarted it after it died, and whether it gave up. */
  restarts: z.object({ count: z.number(), lastAt: z.string(), lastExit: z.string(), gaveUp: z.boolean().optional() }).optional(),
});
export type RuntimeVersion = z.infer<typeof versionSchema>;

export const runtimeSchema = z.object({
  /** The supervisor's pid. */
  pid: z.number(),
  /** The proxy: where clients reach the service. */
  port: z.number(),
  url: z.string(),
  control: z.object({ port: z.number(), token: z.string() }),
  startedAt: z.string(),
  /** Percent of new requests sent to green. */
  weight: z.number(),
  /** The deploy process driving a rollout now; when it dies mid-rollout, traffic goes back to live. */
  owner: z.number().optional(),
  deployment: z.string().optional(),
  /** What serves (blue). */
  live: versionSchema.optional(),
  /** The version being rolled out. */
  green: versionSchema.optional(),
  /** The release that served before the last promotion, kept warm until `until` (rollback.scaleDownDelaySeconds). */
  warm: versionSchema.extend({ until: z.string() }).optional(),
  /** The last rollout the supervisor aborted because its deploy process died. */
  aborted: z
    .object({ deployment: z.string().optional(), owner: z.number(), version: z.string().optional(), at: z.string(), reason: z.string() })
    .optional(),
});
export type RuntimeState = z.infer<typeof runtimeSchema>;

/** What the supervisor answers to each control operation. */
export type ControlRequest =
  | { op: 'status' }
  | { op: 'attach'; owner: number; deployment?: string }
  | { op: 'detach' }
  | {
      op: 'launch';
      role: 'live' | 'green';
      version: string;
      location: string;
      env: Record<string, string>;
      readyTimeoutMs: number;
      drillErrorRate?: number;
    }
  | { op: 'weight'; weight: number }
  | { op: 'take' }
  | { op: 'health' }
  | { op: 'promote'; warmMs: number }
  | { op: 'rollback' }
  | { op: 'stop' };

/**
 * When a live release that died is started again: after 1, 2, 4, 8 and 16 s, counted over the last
 * ten minutes (a release that ran that long since its last restart starts counting afresh), then
 * never: a release that dies five times in a row is broken, and restarting it for ever hides that.
 */
export const RESTART_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 16_000] as const;
const RESTART_WINDOW_MS = 600_000;

/** How many times the release was restarted lately (the last one within ten minutes of `now`). */
export function recentRestarts(restarts: RuntimeVersion['restarts'], now: number): number {
  return restarts && now - Date.parse(restarts.lastAt) < RESTART_WINDOW_MS ? restarts.count : 0;
}

/** The delay before the next restart of a live release that died, or undefined to give up. */
export function nextRestartDelay(restarts: RuntimeVersion['restarts'], now: number): number | undefined {
  return RESTART_DELAYS_MS[recentRestarts(restarts, now)];
}

/**
 * Reads the runtime file; undefined when there is none or it does not parse (a half-written one is
 * never left: atomic). One that cannot be read at all (a named pipe, a link to /dev/zero or to a
 * file outside the project, no permission) is a UserError: exit 2, one line.
 */
export function readRuntime(root: string): RuntimeState | undefined {
  let text: string;
  try {
    text = readTextBoundedSync(join(root, RUNTIME_FILE), { what: 'runtime file', display: RUNTIME_FILE, links: 'refuse' });
  } catch (error) {
    if (error instanceof ReadError && error.reason !== 'missing') throw error;
    return undefined;
  }
  try {
    const parsed = runtimeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A version process recorded in the runtime file that is still this release (not a reused pid). */
export function stillRunning(version: RuntimeVersion | undefined): boolean {
  if (!version?.pid || !alive(version.pid)) return false;
  // On Linux the process's working folder tells a reused pid from the release: it runs in its folder.
  try {
    return readlinkSync(`/proc/${version.pid}/cwd`) === version.location;
  } catch {
    return process.platform !== 'linux';
  }
}

export class ControlError extends Error {
  override name = 'ControlError';
}

/** Sends one operation to the supervisor; throws a ControlError with its message when it refuses. */
export async function control<T = RuntimeState>(state: RuntimeState, request: ControlRequest, timeoutMs = 120_000): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${state.control.port}/op`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${state.control.token}` },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as { error?: string } & T;
  if (!response.ok) throw new ControlError(body.error ?? `the local supervisor answered ${response.status}`);
  return body;
}

/** The running supervisor of a project, if its process is alive and answers; else undefined. */
export async function reachRuntime(root: string): Promise<RuntimeState | undefined> {
  const state = readRuntime(root);
  if (!state || !alive(state.pid)) return undefined;
  try {
    return await control(state, { op: 'status' }, 5_000);
  } catch {
    return undefined;
  }
}

/**
 * Version processes a dead supervisor left behind (it was killed): stopped, so the next one starts
 * clean. Returns what it found, for a message.
 */
export function reapOrphans(root: string): { supervisor: number; killed: RuntimeVersion[] } | undefined {
  const state = readRuntime(root);
  if (!state || alive(state.pid)) return undefined;
  const killed: RuntimeVersion[] = [];
  for (const version of [state.live, state.green, state.warm]) {
    if (!version || !stillRunning(version)) continue;
    try {
      process.kill(version.pid!, 'SIGKILL');
      killed.push(version);
    } catch {
      // Gone in the meantime.
    }
  }
  return { supervisor: state.pid, killed };
}

/** The supervisor's entry point: bundled as dist/deploy/drivers/local/supervisor.js. */
const supervisorEntry = (): string => join(packageRoot(), 'dist', 'deploy', 'drivers', 'local', 'supervisor.js');

/**
 * How long a supervisor that no longer answers may take to exit: one that closed its control port is shutting down
 * (nothing left to serve after a rollback, or `deploy stop`), and stops its versions with 5 s of grace each, together.
 */
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * The project's supervisor: the running one, else a new one, detached (its own process group, so
 * a Ctrl-C or kill -9 of the deploy does not reach it), logging to .shipshape/local/supervisor.log.
 */
export async function ensureRuntime(
  root: string,
  options: { port?: number; log?: (message: string) => void; shutdownWaitMs?: number; signal?: AbortSignal },
): Promise<RuntimeState> {
  const running = await reachRuntime(root);
  if (running) {
    if (options.port && options.port !== running.port)
      throw new UserError(`the local service already serves on port ${running.port} (supervisor pid ${running.pid}), not ${options.port}`, {
        hint: `Deploy with --port ${running.port}, or run \`shipshape deploy stop\` first.`,
      });
    return running;
  }
  const before = readRuntime(root);
  const wait = options.shutdownWaitMs ?? SHUTDOWN_WAIT_MS;
  // Alive but silent: most likely finishing its shutdown right after the last rollout or a stop. Give it that time.
  if (before && alive(before.pid) && !(await exitsWithin(before.pid, wait, options.signal)))
    throw new UserError(`the local supervisor (pid ${before.pid}) is alive but has not answered on its control port for ${wait / 1000} s`, {
      hint: `Stop it (kill ${before.pid}) and deploy again.`,
    });
  const orphans = reapOrphans(root);
  if (orphans)
    options.log?.(
      `the local supervisor (pid ${orphans.supervisor}) is gone${orphans.killed.length ? `; stopped the versions it left: ${orphans.killed.map((v) => `${v.version} (pid ${v.pid})`).join(', ')}` : ''}`,
    );
  mkdirSync(join(root, RUNTIME_DIR), { recursive: true });
  const logFd = openSync(join(root, SUPERVISOR_LOG), 'a');
  try {
    const child = spawn(process.execPath, [supervisorEntry(), root, String(options.port ?? 0)], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', logFd],
    });
    const ready = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('the local supervisor did not start within 30 s')), 30_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out.split('\n')[0]!);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the local supervisor exited with code ${code ?? '?'} (see ${SUPERVISOR_LOG})`));
      });
    });
    child.stdout!.destroy();
    child.removeAllListeners('exit');
    child.unref();
    const started = JSON.parse(ready) as { error?: string; code?: string };
    if (started.error)
      throw new UserError(`the local proxy cannot start: ${started.error}`, {
        ...(started.code === 'EADDRINUSE' ? { hint: 'Choose another --port, or stop what listens there.' } : {}),
      });
    const state = readRuntime(root);
    if (!state) throw new Error(`the local supervisor started but wrote no ${RUNTIME_FILE}`);
    return state;
  } finally {
    closeSync(logFd);
  }
}

/**
 * What became of a rollout whose deploy process died, as the supervisor saw it: traffic back on
 * live (it aborted the rollout), or the version already promoted. Waits a moment for a supervisor
 * that has not noticed the death yet (it looks four times a second).
 */
export async function deadRollout(
  root: string,
  record: { pid?: number; version?: string },
): Promise<{ promoted: boolean; detail: string } | undefined> {
  let state = readRuntime(root);
  for (let i = 0; i < 20 && state && alive(state.pid) && state.owner !== undefined && state.owner === record.pid; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = readRuntime(root);
  }
  if (!state || !alive(state.pid)) return state ? { promoted: false, detail: 'the local service is not running' } : undefined;
  if (record.version && state.live?.version === record.version && state.aborted?.version !== record.version)
    return { promoted: true, detail: `the supervisor had promoted ${record.version}, which serves on ${state.url}` };
  if (state.aborted && (record.pid === undefined || state.aborted.owner === record.pid))
    return { promoted: false, detail: state.aborted.reason };
  return { promoted: false, detail: state.live ? `${state.live.version} serves on ${state.url}` : 'nothing serves' };
}

/** Whether `version` is still warm in the running supervisor, for `deploy rollback` to say what it does. */
export async function warmth(root: string, version: string): Promise<string> {
  const running = await reachRuntime(root);
  const state = running ?? readRuntime(root);
  if (!running)
    return state
      ? `the local supervisor (pid ${state.pid}) is gone, so ${version} is not warm: starting it cold`
      : `the local service is not running, so ${version} is not warm: starting it cold`;
  if (running.warm?.version === version) {
    if (stillRunning(running.warm)) return `${version} is still warm (pid ${running.warm.pid}): switching traffic back to it`;
    return `the warm ${version}'s pid ${running.warm.pid ?? '?'} is stale (the process is gone): starting it cold`;
  }
  return `${version} is not warm any more (kept for rollback.scaleDownDelaySeconds after the promotion that replaced it): starting it cold`;
}
