/**
 * The weighted reverse proxy of the local driver, on http-proxy-3: the current weight's share of the
 * new requests goes to green, exactly and evenly spread (evenShare), the rest to blue. It measures
 * each version's requests, errors (5xx or no answer) and latency itself. Changing the weight or
 * retiring a version drops nothing: the weight applies to requests not yet routed, and a retired
 * version is only stopped once its requests in flight have finished.
 */
import { createServer, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import type { VersionMetrics } from '../../../state/deployments.js';
import { percentile } from '../../analysis.js';

export type Role = 'blue' | 'green';

interface Upstream {
  url: string;
  agent: Agent;
  inFlight: number;
  drained: (() => void)[];
}

interface Window {
  requests: number;
  errors: number;
  latencies: number[];
}

const emptyWindow = (): Window => ({ requests: 0, errors: 0, latencies: [] });

export interface WeightedProxy {
  /** The port the proxy listens on. */
  port: number;
  url: string;
  setUpstream(role: Role, url: string | undefined): void;
  /** Percent of new requests sent to green. */
  setWeight(weight: number): void;
  /** The drill: the fraction (0..1) of green's requests answered 500 on purpose from now on. */
  setGreenErrorRate(rate: number): void;
  /** Each role's figures since the last call. */
  take(): Record<Role, VersionMetrics>;
  /** Resolves once no request to `role` is in flight. */
  drain(role: Role): Promise<void>;
  /** ms since the epoch of green's first error since it was set (the drill's "first bad request"). */
  firstGreenErrorAt(): number | undefined;
  /** Stops accepting, lets requests in flight finish, then closes every connection. */
  close(): Promise<void>;
}

export interface ProxyOptions {
  port?: number;
  /** Makes this fraction (0..1) of green's requests fail with a 500 on purpose: the drill. */
  greenErrorRate?: number;
}

/**
 * An exact share of a stream of events, spread evenly: with a share of 25%, every fourth. A random draw per request would
 * give a one-second window at 25% of 10 rps anywhere from 0 to 10 requests, and an analysis too few to judge.
 */
export function evenShare(): (percent: number) => boolean {
  let credit = 0;
  return (percent) => {
    // Not a number is none: a credit of NaN would send everything to green from then on.
    credit += Number.isNaN(percent) ? 0 : Math.max(0, Math.min(100, percent));
    if (credit < 100) return false;
    credit -= 100;
    return true;
  };
}

/** Starts the proxy on 127.0.0.1 and resolves once it listens. */
export async function startProxy(options: ProxyOptions = {}): Promise<WeightedProxy> {
  const toGreen = evenShare();
  const failOnPurpose = evenShare();
  const proxy = createProxyServer({ xfwd: true, proxyTimeout: 120_000 });
  const upstreams: Partial<Record<Role, Upstream>> = {};
  let windows: Record<Role, Window> = { blue: emptyWindow(), green: emptyWindow() };
  let weight = 0;
  let firstGreenError: number | undefined;
  let greenErrorRate = options.greenErrorRate ?? 0;

  const record = (role: Role, started: number, failed: boolean) => {
    const window = windows[role];
    window.requests++;
    if (failed) {
      window.errors++;
      if (role === 'green') firstGreenError ??= Date.now();
    }
    window.latencies.push(performance.now() - started);
  };

  const settle = (upstream: Upstream) => {
    if (--upstream.inFlight === 0) for (const resolve of upstream.drained.splice(0)) resolve();
  };

  const pick = (): Role | undefined => {
    if (!upstreams.blue) return upstreams.green ? 'green' : undefined;
    if (!upstreams.green) return 'blue';
    return toGreen(weight) ? 'green' : 'blue';
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const role = pick();
    const upstream = role ? upstreams[role] : undefined;
    if (!role || !upstream) {
      res
        .writeHead(503, { 'content-type': 'application/json' })
        .end('{"error":{"code":"no-upstream","message":"no version is serving"}}\n');
      return;
    }
    const started = performance.now();
    upstream.inFlight++;
    let done = false;
    const finish = (failed: boolean) => {
      if (done) return;
      done = true;
      record(role, started, failed);
      settle(upstream);
    };
    res.on('finish', () => finish(res.statusCode >= 500));
    res.on('close', () => finish(!res.writableFinished));
    if (role === 'green' && greenErrorRate > 0 && failOnPurpose(greenErrorRate * 100)) {
      req.resume();
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end('{"error":{"code":"drill","message":"fault injected by shipshape deploy --drill"}}\n');
      return;
    }
    proxy.web(req, res, { target: upstream.url, agent: upstream.agent }, () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"bad-gateway","message":"the version did not answer"}}\n');
    });
  };

  const server: Server = createServer(handle);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const drain = (role: Role): Promise<void> => {
    const upstream = upstreams[role];
    if (!upstream || upstream.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => upstream.drained.push(resolve));
  };

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    setUpstream(role, url) {
      const old = upstreams[role];
      if (old) void drain(role).then(() => old.agent.destroy());
      if (role === 'green') firstGreenError = undefined;
      if (!url) delete upstreams[role];
      else upstreams[role] = { url, agent: new Agent({ keepAlive: true, maxSockets: 256 }), inFlight: 0, drained: [] };
    },
    setWeight(value) {
      weight = Math.max(0, Math.min(100, value));
    },
    setGreenErrorRate(rate) {
      greenErrorRate = Math.max(0, Math.min(1, rate));
    },
    take() {
      const taken = windows;
      windows = { blue: emptyWindow(), green: emptyWindow() };
      const figures = (w: Window): VersionMetrics => {
        const p95 = percentile(w.latencies, 95);
        const p99 = percentile(w.latencies, 99);
        return {
          requests: w.requests,
          errors: w.errors,
          ...(p95 === undefined ? {} : { p95LatencyMs: Math.round(p95 * 100) / 100 }),
          ...(p99 === undefined ? {} : { p99LatencyMs: Math.round(p99 * 100) / 100 }),
        };
      };
      return { blue: figures(taken.blue), green: figures(taken.green) };
    },
    drain,
    firstGreenErrorAt: () => firstGreenError,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.race([Promise.all([drain('blue'), drain('green')]), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      server.closeAllConnections();
      await closed;
      for (const upstream of Object.values(upstreams)) upstream?.agent.destroy();
    },
  };
}
