// The HTTP service: the prediction and feedback endpoints, and what operators and orchestrators
// read (metrics, liveness, readiness, version). Built from plain parts, so tests start it in
// process with their own tiers.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import type { Config } from './config/index.js';
import { generatedBy } from './config/spec.js';
import { BusinessMetrics } from './monitoring/business.js';
import { OutputChecks } from './monitoring/checks.js';
import type { Logger } from './monitoring/logger.js';
import { createMetrics, type Metrics } from './monitoring/metrics.js';
import { NoAnswerError, Router, type Answer } from './orchestration/router.js';
import { hasVisibleText, normalise, parsePredictRequest } from './pipeline/input.js';
import { inputStats } from './pipeline/stats.js';
import { Admission, ShedError } from './serving/admission.js';
import { classifyFields, openApiDocument } from './serving/contract.js';
import type { ModelTier } from './serving/tier.js';
import { TASK_KIND, answerJsonSchema, observeServed, taskFields } from './task/index.js';

/** Request bodies above this are refused (413) before they are parsed. */
const MAX_BODY_BYTES = 256 * 1024;
/** The most error details an error response lists: a body of 20,000 unknown keys gets a short answer. */
const MAX_ERROR_DETAILS = 20;
/** Predictions remembered for feedback, the oldest dropped first. */
const PREDICTIONS_KEPT = 50_000;

const feedbackSchema = z
  .strictObject({
    predictionId: z.string().min(1).max(200),
    /** The true label (the queue the ticket really belonged in). */
    label: z.string().min(1).max(200).optional(),
    /** Whether the prediction was right, when the true label is not known. */
    correct: z.boolean().optional(),
    /** Values of business metrics observed for this prediction, e.g. { "median_first_response_minutes": 42 }. */
    metrics: z.record(z.string(), z.number().finite()).optional(),
  })
  .refine((body) => body.label !== undefined || body.correct !== undefined || body.metrics !== undefined, {
    message: 'needs label, correct or metrics',
  });

export interface AppOptions {
  config: Config;
  tiers: ModelTier[];
  logger?: Logger;
  /** A registry of the app's own by default. */
  metrics?: Metrics;
  /** Where the task's checks of the tiers' answers are counted (the tiers were given it): attached to the app's metrics. */
  checks?: OutputChecks;
}

export interface App {
  server: Server;
  router: Router;
  metrics: Metrics;
  business: BusinessMetrics;
  /** False until listening, and again once shutting down: what /readyz says. */
  ready: boolean;
  /** True once close() began: every response asks its client to close the connection. */
  draining: boolean;
  admission: Admission;
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Stops taking requests, lets those in flight finish for up to `graceMs`, then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** At most MAX_ERROR_DETAILS details, and how many more there were. */
function capDetails(details: unknown): unknown {
  if (!Array.isArray(details) || details.length <= MAX_ERROR_DETAILS) return details;
  return [...details.slice(0, MAX_ERROR_DETAILS), { path: '(more)', message: `and ${details.length - MAX_ERROR_DETAILS} more` }];
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new HttpError(415, 'unsupported-media-type', 'send a JSON body (content-type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'too-large', `the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'invalid-json', `the body is not JSON: ${(error as Error).message}`);
  }
}

export function createApp(options: AppOptions): App {
  const { config, logger } = options;
  const metrics = options.metrics ?? createMetrics(config);
  const router = new Router(options.tiers, config, metrics, logger);
  const admission = new Admission(config.admission);
  const business = new BusinessMetrics(metrics, config.businessAggregations);
  const checks = options.checks ?? new OutputChecks();
  checks.attach(metrics, business);
  let openApi: string | undefined;
  const predictions = new Map<string, { label: string; tier: string }>();
  let inFlight = 0;
  /** Responses not yet sent: told to close their connection once draining begins. */
  const responses = new Set<ServerResponse>();
  let idle: (() => void) | undefined;

  const remember = (id: string, answer: Answer) => {
    predictions.set(id, { label: answer.prediction.label, tier: answer.tier });
    if (predictions.size > PREDICTIONS_KEPT) predictions.delete(predictions.keys().next().value!);
  };

  async function predict(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    // A client that hangs up stops the work it asked for, and its wait for a turn.
    const abandoned = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abandoned.abort();
    });
    // Admission first, before the body is read: a refusal costs next to nothing.
    let release: () => void;
    try {
      release = await admission.admit(abandoned.signal);
    } catch (error) {
      if (abandoned.signal.aborted) return;
      if (!(error instanceof ShedError)) throw error;
      metrics.shed.inc({ reason: error.reason });
      metrics.requests.inc({ outcome: 'error', tier: 'none', fallback: 'none' });
      metrics.requestDuration.observe({ outcome: 'error' }, (performance.now() - started) / 1000);
      return send(res, 503, { error: { code: 'overloaded', message: error.message, reason: error.reason } }, { 'retry-after': '1' });
    }
    metrics.inFlight.inc();
    try {
      await answer(req, res, started, abandoned.signal);
    } finally {
      metrics.inFlight.dec();
      release();
    }
  }

  async function answer(req: IncomingMessage, res: ServerResponse, started: number, abandoned: AbortSignal): Promise<void> {
    const parsed = parsePredictRequest(await readJson(req));
    if (!parsed.ok) throw new HttpError(400, 'invalid-request', 'the request does not match the schema', parsed.errors);
    const text = normalise(parsed.value.text);
    // Invisible characters only (zero-width spaces, joiners, marks): nothing for a tier to read, and a paid call wasted.
    if (!hasVisibleText(text))
      throw new HttpError(400, 'invalid-request', 'the request does not match the schema', [
        { path: 'text', message: 'has no visible characters' },
      ]);
    const stats = inputStats(text, config.driftFeatures, parsed.value.features);
    for (const [feature, value] of Object.entries(stats.numeric)) metrics.inputFeature.observe({ feature }, value);
    for (const [feature, value] of Object.entries(stats.categorical)) metrics.countCategory(feature, value);

    const predictionId = parsed.value.id ?? randomUUID();
    let answer: Answer;
    try {
      answer = await router.route(text, abandoned);
    } catch (error) {
      // The client hung up: nobody is left to answer, and the service did nothing wrong.
      if (abandoned.aborted) return;
      const seconds = (performance.now() - started) / 1000;
      metrics.requestDuration.observe({ outcome: 'error' }, seconds);
      metrics.requests.inc({ outcome: 'error', tier: 'none', fallback: 'none' });
      if (error instanceof NoAnswerError) {
        const retryAfter = String(config.resilience.circuitBreaker?.halfOpenAfterSeconds ?? 1);
        logger?.error({ predictionId, reason: error.reason }, 'no answer');
        return send(
          res,
          503,
          { error: { code: 'unavailable', message: error.message, reason: error.reason } },
          { 'retry-after': retryAfter },
        );
      }
      throw error;
    }
    const latencyMs = performance.now() - started;
    metrics.requestDuration.observe({ outcome: 'success' }, latencyMs / 1000);
    metrics.requests.inc({ outcome: 'success', tier: answer.tier, fallback: answer.fallback });
    metrics.answers.inc({ quality: answer.fallback === 'none' ? 'good' : 'degraded' });
    metrics.requestCost.observe(answer.costUsd);
    remember(predictionId, answer);
    observeServed(answer, checks);
    if (config.predictionLogSampleRate > 0 && Math.random() < config.predictionLogSampleRate) {
      // Statistics of the input, never its text: tickets carry personal data.
      logger?.info(
        {
          predictionId,
          label: answer.prediction.label,
          confidence: answer.prediction.confidence,
          tier: answer.tier,
          fallback: answer.fallback,
          tiers: answer.tiers,
          stats,
          latencyMs,
        },
        'prediction',
      );
    }
    send(
      res,
      200,
      {
        predictionId,
        // The task's own fields (src/task/): a label; an answer and its citations; the extracted object. A classifier's
        // configuration (the tests' triage spec) answers as one in any project.
        ...(config.task.kind === 'classify' ? classifyFields(answer) : taskFields(answer)),
        tier: answer.tier,
        fallback: answer.fallback !== 'none',
        fallbackStrategy: answer.fallback === 'none' ? null : answer.fallback,
        fallbackReason: answer.fallbackReason ?? null,
        ...(answer.fields && config.task.kind === 'classify' ? { static: answer.fields } : {}),
        latencyMs: Math.round(latencyMs * 10) / 10,
      },
      { 'x-model-tier': answer.tier, 'x-fallback': answer.fallback },
    );
  }

  async function feedback(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = feedbackSchema.safeParse(await readJson(req));
    if (!parsed.success) {
      // One error per unknown key (zod's own message lists them all in one string, however many), capped when sent.
      const errors = parsed.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ path: [...issue.path, key].join('.'), message: 'is not a known field' }))
          : [{ path: issue.path.join('.') || '(body)', message: issue.message }],
      );
      throw new HttpError(400, 'invalid-request', 'the feedback does not match the schema', errors);
    }
    const body = parsed.data;
    const prediction = predictions.get(body.predictionId);
    let correct = body.correct;
    if (body.label !== undefined) {
      if (!prediction) throw new HttpError(404, 'unknown-prediction', `no recent prediction has the id ${body.predictionId}`);
      correct = body.label === prediction.label;
    }
    // Check every name first, so a bad one records nothing.
    const unknown = Object.keys(body.metrics ?? {}).filter((name) => !business.names.includes(name));
    if (unknown.length > 0)
      throw new HttpError(
        400,
        'unknown-metric',
        `not a business metric of the spec: ${unknown.join(', ')} (it has ${business.names.join(', ')})`,
      );
    if (correct !== undefined) business.recordCorrect(correct, prediction?.tier ?? 'unknown');
    for (const [name, value] of Object.entries(body.metrics ?? {})) business.observe(name, value);
    send(res, 202, { accepted: true, ...(correct === undefined ? {} : { correct }) });
  }

  const routes: Record<string, Partial<Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>>> = {
    '/v1/predict': { POST: predict },
    '/v1/feedback': { POST: feedback },
    '/metrics': {
      GET: async (_req, res) => {
        business.refresh();
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      },
    },
    '/openapi.json': {
      GET: (_req, res) => {
        openApi ??= JSON.stringify(openApiDocument(config.service, TASK_KIND, answerJsonSchema(config.task)));
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(openApi);
      },
    },
    '/healthz': { GET: (_req, res) => send(res, 200, { status: 'ok' }) },
    '/readyz': {
      GET: (_req, res) => send(res, app.ready ? 200 : 503, { status: app.ready ? 'ready' : 'not-ready', breakers: router.breakerStates() }),
    },
    '/version': {
      GET: (_req, res) =>
        send(res, 200, { service: config.service.name, version: config.service.version, ...generatedBy, node: process.version }),
    },
  };

  const server = createServer(
    {
      // A client that sends its request slowly is cut off (Node's default waits 300 s), and checked every second.
      requestTimeout: config.requestReadTimeoutMs,
      headersTimeout: Math.round(config.requestReadTimeoutMs / 2),
      connectionsCheckingInterval: 1000,
    },
    (req, res) => {
      inFlight++;
      responses.add(res);
      // Draining: answer, and have the client (or the proxy) take its next request elsewhere.
      if (app.draining) res.setHeader('connection', 'close');
      res.on('close', () => {
        responses.delete(res);
        if (--inFlight === 0) idle?.();
      });
      const path = (req.url ?? '/').split('?')[0]!;
      const methods = routes[path];
      const handler = methods?.[req.method ?? 'GET'];
      if (!methods) return send(res, 404, { error: { code: 'not-found', message: `no route ${path}` } });
      if (!handler)
        return send(
          res,
          405,
          { error: { code: 'method-not-allowed', message: `${path} takes ${Object.keys(methods).join(', ')}` } },
          { allow: Object.keys(methods).join(', ') },
        );
      Promise.resolve(handler(req, res)).catch((error: unknown) => {
        if (res.headersSent) return res.destroy();
        if (error instanceof HttpError)
          return send(res, error.status, {
            error: { code: error.code, message: error.message, ...(error.details ? { details: capDetails(error.details) } : {}) },
          });
        logger?.error({ err: error, path }, 'unexpected error');
        send(res, 500, { error: { code: 'internal', message: 'internal error' } });
      });
    },
  );
  server.keepAliveTimeout = 5_000;
  server.maxConnections = config.maxConnections;

  const app: App = {
    server,
    router,
    metrics,
    business,
    admission,
    ready: false,
    draining: false,
    async listen(port = config.port, host = config.host) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      app.ready = true;
      return server.address() as AddressInfo;
    },
    async close(graceMs = config.shutdownGraceMs) {
      const deadline = performance.now() + graceMs;
      app.ready = false;
      app.draining = true;
      admission.close();
      // Requests in flight are finished, on connections that close after them.
      for (const res of responses) if (!res.headersSent) res.setHeader('connection', 'close');
      // Linger, still listening, for the first part of the grace period. Closing now would close the idle kept-alive
      // connections at once (server.close() does), under a request a client or a proxy may be sending on one: a reset.
      // Meanwhile each connection's next request is answered with `connection: close`, and a new connection (from a
      // balancer that has not yet seen /readyz fail) is answered the same way.
      const lingerMs = Math.min(config.shutdownLingerMs, graceMs);
      if (lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, lingerMs));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        const drained = new Promise<void>((resolve) => (idle = resolve));
        let timer: NodeJS.Timeout | undefined;
        const left = Math.max(0, deadline - performance.now());
        await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, left)))]);
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await closed;
    },
  };
  return app;
}
