/**
 * The local supervisor: a detached process, one per project, that owns the weighted proxy and the
 * version processes (live = blue, green, and the warm previous release), so they outlive the
 * `deploy` command that started them. Started by runtime.ts as
 *
 *     node dist/deploy/drivers/local/supervisor.js <project root> <port>
 *
 * it prints one JSON line on standard output once the proxy listens (or why it could not), then
 * logs to standard error (.shipshape/local/supervisor.log). Operations come over a loopback
 * control port guarded by a token kept in .shipshape/local/runtime.json (mode 0600).
 *
 * Safety: when the deploy process driving a rollout dies (a crash, kill -9), the supervisor puts
 * all traffic back on live and stops green within a quarter of a second; the warm previous
 * release is stopped once its scale-down delay is over; with nothing left to serve, or when its
 * runtime file is removed (the project deleted), it stops everything and exits. A live release
 * that dies is started again from its folder, with a growing delay (nextRestartDelay), and the
 * runtime file says how often and why; after five deaths in a row it stays down and says so.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../fs/atomic.js';
import { alive } from '../../lock.js';
import { startVersion, waitReady, type VersionProcess } from './process.js';
import { startProxy, type WeightedProxy } from './proxy.js';
import { nextRestartDelay, recentRestarts, RUNTIME_FILE, type ControlRequest, type RuntimeState, type RuntimeVersion } from './runtime.js';

const OWNER_CHECK_MS = 250;
const LIVE_CHECK_MS = 500;
const ROOT_CHECK_MS = 2_000;

interface Running {
  meta: RuntimeVersion;
  process: VersionProcess;
  /** How it was started, to start it again when it dies while live. */
  start: { env: Record<string, string>; readyTimeoutMs: number };
}

const log = (line: string) => process.stderr.write(`${new Date().toISOString()} supervisor ${process.pid}: ${line}\n`);

async function main(root: string, port: number): Promise<void> {
  let proxy: WeightedProxy;
  try {
    proxy = await startProxy({ port });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    process.stdout.write(`${JSON.stringify({ error: e.code === 'EADDRINUSE' ? `port ${port} is in use` : e.message, code: e.code })}\n`);
    process.exit(2);
  }
  const token = randomBytes(24).toString('hex');
  let live: Running | undefined;
  let green: Running | undefined;
  let warm: (Running & { until: number; timer: NodeJS.Timeout }) | undefined;
  let owner: number | undefined;
  let deployment: string | undefined;
  let weight = 0;
  let aborted: RuntimeState['aborted'];
  let controlPort = 0;
  let stopping = false;
  const startedAt = new Date().toISOString();

  const state = (): RuntimeState => ({
    pid: process.pid,
    port: proxy.port,
    url: proxy.url,
    control: { port: controlPort, token },
    startedAt,
    weight,
    ...(owner === undefined ? {} : { owner }),
    ...(deployment === undefined ? {} : { deployment }),
    ...(live ? { live: live.meta } : {}),
    ...(green ? { green: green.meta } : {}),
    ...(warm ? { warm: { ...warm.meta, until: new Date(warm.until).toISOString() } } : {}),
    ...(aborted ? { aborted } : {}),
  });
  const persist = () => writeFileAtomic(join(root, RUNTIME_FILE), `${JSON.stringify(state(), null, 2)}\n`, { mode: 0o600 });

  // One operation at a time: the owner watch and the control port never interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };

  const alsoRunning = (): Running[] => [live, green, warm].filter((r): r is Running => r !== undefined);

  const retireWarm = async () => {
    const old = warm;
    if (!old) return;
    clearTimeout(old.timer);
    warm = undefined;
    log(`the warm ${old.meta.version} is stopped (scale-down delay over)`);
    await old.process.stop();
  };

  const dropGreen = async () => {
    const old = green;
    weight = 0;
    proxy.setWeight(0);
    proxy.setUpstream('green', undefined);
    green = undefined;
    await proxy.drain('green');
    await old?.process.stop();
  };

  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${why}`);
    clearInterval(ownerWatch);
    clearInterval(rootWatch);
    clearInterval(liveWatch);
    if (warm) clearTimeout(warm.timer);
    controlServer.close();
    await proxy.close();
    await Promise.all(alsoRunning().map((r) => r.process.stop()));
    await unlink(join(root, RUNTIME_FILE)).catch(() => {});
    process.exit(0);
  };

  /** With no deploy attached and nothing to serve, there is no reason to stay. */
  const idle = () => owner === undefined && !live && !green && !warm;

  const launch = async (request: Extract<ControlRequest, { op: 'launch' }>): Promise<{ reused?: string; version: RuntimeVersion }> => {
    if (request.role === 'green') proxy.setGreenErrorRate(request.drillErrorRate ?? 0);
    // A release still running (live, or warm after its promotion) is switched to, not started again.
    if (request.role === 'green' && warm?.meta.version === request.version && !warm.process.exited()) {
      clearTimeout(warm.timer);
      green = { meta: warm.meta, process: warm.process, start: warm.start };
      warm = undefined;
      proxy.setWeight((weight = 0));
      proxy.setUpstream('green', green.meta.url);
      proxy.take(); // A new rollout's analyses start from nothing: no figures of the last one.
      return { reused: 'warm', version: green.meta };
    }
    if (request.role === 'live' && live?.meta.version === request.version && !live.process.exited())
      return { reused: 'live', version: live.meta };
    if (request.role === 'green' && green) await dropGreen();
    const proc = await startVersion({
      dir: request.location,
      version: request.version,
      role: request.role === 'live' ? 'blue' : 'green',
      variables: [],
      env: request.env,
    });
    try {
      await waitReady(proc, request.readyTimeoutMs);
    } catch (error) {
      await proc.stop(1000);
      throw error;
    }
    const meta: RuntimeVersion = {
      version: request.version,
      location: request.location,
      ...(proc.pid === undefined ? {} : { pid: proc.pid }),
      port: proc.port,
      url: proc.url,
    };
    const start = { env: request.env, readyTimeoutMs: request.readyTimeoutMs };
    if (request.role === 'live') {
      const old = live;
      live = { meta, process: proc, start };
      proxy.setUpstream('blue', meta.url);
      if (old) void proxy.drain('blue').then(() => old.process.stop());
    } else {
      green = { meta, process: proc, start };
      proxy.setWeight((weight = 0));
      proxy.setUpstream('green', meta.url);
      proxy.take(); // A new rollout's analyses start from nothing: no figures of the last one.
    }
    log(`${meta.version} started as ${request.role} (pid ${meta.pid ?? '?'}, ${meta.url})`);
    return { version: meta };
  };

  const promote = async (warmMs: number) => {
    if (!green) throw new Error('nothing to promote: no green runs');
    proxy.setWeight(100);
    const old = live;
    // All new requests already go to green: it takes the blue slot, the old blue drains.
    live = green;
    green = undefined;
    proxy.setUpstream('blue', live.meta.url);
    proxy.setWeight((weight = 0));
    proxy.setUpstream('green', undefined);
    await retireWarm();
    if (old && !old.process.exited()) {
      const timer = setTimeout(() => void serial(retireWarm).then(persistSafe), warmMs);
      warm = { ...old, until: Date.now() + warmMs, timer };
      log(`${live.meta.version} promoted; ${old.meta.version} kept warm for ${warmMs / 1000} s`);
    } else log(`${live.meta.version} promoted`);
  };

  const persistSafe = () => persist().catch((error: unknown) => log(`cannot write ${RUNTIME_FILE}: ${(error as Error).message}`));

  const handle = async (request: ControlRequest): Promise<unknown> => {
    switch (request.op) {
      case 'status':
        return state();
      case 'attach':
        if (owner !== undefined && owner !== request.owner && alive(owner)) throw new Error(`a deploy (pid ${owner}) drives this service`);
        owner = request.owner;
        deployment = request.deployment;
        return state();
      case 'detach':
        owner = undefined;
        deployment = undefined;
        return state();
      case 'launch':
        return launch(request);
      case 'weight':
        if (!green) throw new Error('no green runs to send traffic to');
        proxy.setWeight((weight = Math.max(0, Math.min(100, request.weight))));
        return state();
      case 'take':
        return { windows: proxy.take(), firstGreenErrorAt: proxy.firstGreenErrorAt() };
      case 'health': {
        const firstGreenErrorAt = proxy.firstGreenErrorAt();
        if (!green) return { ok: false, exited: true, detail: 'is not running' };
        const exited = green.process.exited();
        if (exited) return { ok: false, exited: true, detail: exited, firstGreenErrorAt };
        return { ...(await green.process.ready(2000)), firstGreenErrorAt };
      }
      case 'promote':
        await promote(request.warmMs);
        return state();
      case 'rollback': {
        const firstGreenErrorAt = proxy.firstGreenErrorAt();
        await dropGreen();
        return { ...state(), firstGreenErrorAt };
      }
      case 'stop':
        // Shut down once the reply is out (below): exiting first left the caller with "fetch failed".
        return state();
    }
  };

  const controlServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'POST' || req.url !== '/op' || req.headers.authorization !== `Bearer ${token}`)
      return reply(403, { error: 'forbidden' });
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text = (text + chunk).slice(0, 1_000_000)));
    req.on('end', () => {
      let request: ControlRequest;
      try {
        request = JSON.parse(text) as ControlRequest;
      } catch {
        return reply(400, { error: 'not JSON' });
      }
      void serial(async () => {
        const result = await handle(request);
        if (!stopping) await persistSafe();
        return result;
      }).then(
        (result) => {
          reply(200, result);
          if (request.op === 'stop') res.once('finish', () => void serial(() => shutdown('asked to stop')));
          else if (idle()) void serial(() => shutdown('nothing left to serve'));
        },
        (error: unknown) => reply(409, { error: (error as Error).message }),
      );
    });
  });
  await new Promise<void>((resolve) => controlServer.listen(0, '127.0.0.1', resolve));
  controlPort = (controlServer.address() as AddressInfo).port;

  // Live died (a crash, an OOM kill): started again from its folder after a growing delay, on a new
  // port the proxy switches to; after five deaths in a row it stays down, and the runtime file says so.
  let revive: { of: Running; at: number; busy: boolean } | undefined;
  const reviveLive = async () => {
    const crashed = revive?.of;
    const exit = crashed?.process.exited();
    if (stopping || !crashed || crashed !== live || !exit) return;
    const restarts = { count: recentRestarts(crashed.meta.restarts, Date.now()) + 1, lastAt: new Date().toISOString(), lastExit: exit };
    const { version, location } = crashed.meta;
    let proc: VersionProcess | undefined;
    try {
      proc = await startVersion({ dir: location, version, role: 'blue', variables: [], env: crashed.start.env });
      await waitReady(proc, crashed.start.readyTimeoutMs);
    } catch (error) {
      await proc?.stop(1000);
      crashed.meta = { ...crashed.meta, restarts: { ...restarts, lastExit: `${exit}; restarting failed: ${(error as Error).message}` } };
      log(`live ${version} could not be restarted (${restarts.count}): ${(error as Error).message}`);
      revive = undefined;
      return;
    }
    if (stopping || crashed !== live) return void (await proc.stop(1000));
    const meta: RuntimeVersion = {
      version,
      location,
      ...(proc.pid === undefined ? {} : { pid: proc.pid }),
      port: proc.port,
      url: proc.url,
      restarts,
    };
    live = { meta, process: proc, start: crashed.start };
    proxy.setUpstream('blue', meta.url);
    revive = undefined;
    log(`live ${version} ${exit}: restarted (pid ${meta.pid ?? '?'}, ${meta.url}; restart ${restarts.count})`);
  };
  const liveWatch = setInterval(() => {
    const exit = live?.process.exited();
    if (stopping || !live || !exit || live.meta.restarts?.gaveUp) return;
    if (revive?.of !== live) {
      const delay = nextRestartDelay(live.meta.restarts, Date.now());
      if (delay === undefined) {
        live.meta = { ...live.meta, restarts: { ...live.meta.restarts!, lastExit: exit, gaveUp: true } };
        log(`live ${live.meta.version} ${exit} again after ${live.meta.restarts!.count} restarts: it stays down`);
        void serial(persistSafe);
        return;
      }
      revive = { of: live, at: Date.now() + delay, busy: false };
      log(`live ${live.meta.version} ${exit}: restarting it in ${delay / 1000} s`);
      return;
    }
    if (revive.busy || Date.now() < revive.at) return;
    revive.busy = true;
    void serial(reviveLive).then(persistSafe);
  }, LIVE_CHECK_MS);
  liveWatch.unref();

  // The deploy process died mid-rollout: all traffic back on live, green stopped, and the file says so.
  const ownerWatch = setInterval(() => {
    if (owner === undefined || alive(owner)) return;
    void serial(async () => {
      if (owner === undefined || alive(owner)) return;
      const dead = owner;
      if (green) {
        const at = weight;
        const version = green.meta.version;
        await dropGreen();
        aborted = {
          ...(deployment ? { deployment } : {}),
          owner: dead,
          version,
          at: new Date().toISOString(),
          reason: `${at}% was on ${version}: the local supervisor put all traffic back on ${live ? live.meta.version : 'nothing (no blue)'} and stopped ${version}`,
        };
        log(`the deploy process (pid ${dead}) died mid-rollout: ${aborted.reason}`);
      }
      owner = undefined;
      deployment = undefined;
      await persistSafe();
      if (idle()) await shutdown('nothing left to serve');
    });
  }, OWNER_CHECK_MS);
  ownerWatch.unref();
  // The project is gone (a temp folder removed, even if a late writer made .shipshape again): nothing here is anyone's any more.
  const rootWatch = setInterval(() => {
    if (!existsSync(join(root, RUNTIME_FILE))) void serial(() => shutdown(`${join(root, RUNTIME_FILE)} is gone`));
  }, ROOT_CHECK_MS);

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void serial(() => shutdown(signal)));
  await persist();
  log(`proxy on ${proxy.url}, control on 127.0.0.1:${controlPort}`);
  process.stdout.write(`${JSON.stringify({ pid: process.pid, port: proxy.port })}\n`);
}

const [root, port] = process.argv.slice(2);
if (!root) {
  process.stderr.write('usage: supervisor.js <project root> <port>\n');
  process.exit(2);
}
main(root, Number(port ?? 0)).catch((error: unknown) => {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
  process.exit(1);
});
