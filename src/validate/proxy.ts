/**
 * The fault-injecting proxy `validate` puts in front of each http tier: plain HTTP (node:http, a keep-alive agent to the
 * upstream), passing every request on, except a seeded `rate` share of those that arrive while the fault is on, which
 * the fault's handler answers instead (faults/). Built on node:http rather than mockttp: at 500 requests per second on
 * a 2-core machine mockttp kept up with about a fifth of the rate (see README, "validate").
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mulberry32 } from '../../templates/service-ts/files/src/dev/fake-llm.js';
import { FAULTS, type Fault, type UpstreamAnswer } from './faults/index.js';

export interface FaultProxyOptions {
  /** The upstream's base URL (http only), e.g. http://127.0.0.1:8099/v1; the proxy's URL keeps its path. */
  upstream: string;
  /** Seeds which requests a fault hits (1 by default). */
  seed?: number;
  host?: string;
}

export interface FaultWindow {
  /** performance.now() of the moment the fault's `after` and `for` count from; now by default. */
  startedAt?: number;
}

export interface FaultProxyStats {
  /** Requests received. */
  requests: number;
  /** Of those, the ones a fault answered. */
  faulted: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** The URL to give the service instead of the upstream's: same path, the proxy's host and port. */
  readonly url: string;
  /** Faults the requests that arrive from now on (within the fault's `after`/`for` window); null for none. */
  setFault(fault: Fault | null, window?: FaultWindow): void;
  readonly stats: FaultProxyStats;
  /** Stops listening, drops held requests and open connections. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts a fault-injecting proxy in front of `options.upstream`, listening on an ephemeral port of 127.0.0.1. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:') throw new TypeError(`the proxy forwards to http upstreams only, not ${upstream.protocol}`);
  const basePath = upstream.pathname.replace(/\/+$/, '');
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const random = mulberry32(options.seed ?? 1);
  const stats: FaultProxyStats = { requests: 0, faulted: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let fault: Fault | null = null;
  let window = { from: 0, to: Number.POSITIVE_INFINITY };
  let closing = false;

  const outgoing = (req: IncomingMessage, onAnswer: (answer: IncomingMessage) => void, onError: () => void) => {
    const headers = { ...req.headers, host: upstream.host };
    const out = httpRequest(
      { hostname: upstream.hostname, port: upstream.port || 80, method: req.method, path: req.url, headers, agent },
      onAnswer,
    );
    out.on('error', onError);
    req.pipe(out);
    return out;
  };
  const badGateway = (res: ServerResponse) => {
    if (res.headersSent || res.destroyed) return res.destroy();
    const body = JSON.stringify({
      error: { message: 'the upstream behind the shipshape proxy did not answer', type: 'server_error', param: null, code: null },
    });
    res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const forward = (req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const out = outgoing(
        req,
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', resolve);
          answer.on('error', () => (res.destroy(), resolve()));
        },
        () => (badGateway(res), resolve()),
      );
      res.on('close', () => {
        if (!res.writableFinished) out.destroy();
        resolve();
      });
    });
  const fetch = (req: IncomingMessage, res: ServerResponse) =>
    new Promise<UpstreamAnswer | undefined>((resolve) => {
      outgoing(
        req,
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () =>
            resolve({ status: answer.statusCode ?? 502, headers: { ...answer.headers }, body: Buffer.concat(chunks) }),
          );
          answer.on('error', () => resolve(undefined));
        },
        () => (badGateway(res), resolve(undefined)),
      );
    });
  const sleep = (ms: number, res: ServerResponse) =>
    new Promise<boolean>((resolve) => {
      if (closing || res.destroyed) return resolve(false);
      const onClose = () => {
        if (timer) {
          clearTimeout(timer);
          timers.delete(timer);
        }
        resolve(false);
      };
      const timer = Number.isFinite(ms)
        ? setTimeout(() => {
            timers.delete(timer!);
            res.off('close', onClose);
            resolve(!res.destroyed && !closing);
          }, ms)
        : undefined;
      if (timer) timers.add(timer);
      res.once('close', onClose);
    });

  const server = createServer((req, res) => {
    stats.requests++;
    // Drawn for every request, fault or not, so whether the n-th request is hit depends on the seed alone.
    const draw = random();
    const now = performance.now();
    const active = fault !== null && now >= window.from && now < window.to && draw < fault.rate ? fault : null;
    if (active === null) {
      void forward(req, res);
      return;
    }
    stats.faulted++;
    FAULTS[active.type]
      .handle({
        fault: active,
        req,
        res,
        count: stats.faulted,
        random,
        forward: () => forward(req, res),
        fetch: () => fetch(req, res),
        sleep: (ms) => sleep(ms, res),
      })
      .catch(() => badGateway(res));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client that resets its own connection is no failure of the proxy.
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${address.address}:${address.port}${basePath}`,
    stats,
    setFault(next, { startedAt = performance.now() } = {}) {
      fault = next === null ? null : { ...next };
      const from = startedAt + (next?.after ?? 0) * 1000;
      window = { from, to: next?.for === undefined ? Number.POSITIVE_INFINITY : from + next.for * 1000 };
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        agent.destroy();
      });
      return closed;
    },
  };
}
