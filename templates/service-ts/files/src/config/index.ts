// The service's runtime configuration: the spec's numbers (src/config/spec.ts, each read from the
// field its comment names) and, from the environment, what never goes in a spec: endpoints,
// keys, the port.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spec as defaultSpec } from './spec.js';
import type { ServiceSpec, TierSpec } from './types.js';
import type { AdmissionLimits } from '../serving/admission.js';
import { aggregationFromName, type Aggregation } from '../monitoring/business.js';

export interface TierConfig {
  name: string;
  kind: 'local' | 'http';
  model: string;
  /** models.tiers[].timeoutMs: one attempt of this tier. */
  timeoutMs: number;
  /** models.tiers[].costPerRequestUsd */
  costPerRequestUsd: number;
  /** http tiers: the base URL, from the variable models.tiers[].endpoint names. */
  baseUrl?: string;
  /** http tiers: the key, from the variable models.tiers[].apiKey names. */
  apiKey?: string;
}

export interface ResilienceConfig {
  /** resilience.timeoutMs: the whole request, every tier and retry included. */
  requestTimeoutMs: number;
  /** resilience.retry (http tiers only; local tiers are in-process and are not retried). */
  retry?: { maxAttempts: number; backoff: 'exponential' | 'fixed'; initialDelayMs: number; maxDelayMs: number };
  /** resilience.circuitBreaker: one breaker per tier. */
  circuitBreaker?: { failureRateThreshold: number; minimumRequests: number; windowSeconds: number; halfOpenAfterSeconds: number };
  /** resilience.bulkhead: the calls in flight to each http tier, and those waiting. */
  bulkhead?: { maxConcurrent: number; maxQueue: number };
  /** resilience.fallback */
  fallback?: {
    strategy: 'lower-tier' | 'static' | 'cache';
    static?: { label: string; reply: string | null; fields: Record<string, unknown> };
    cacheTtlSeconds: number;
  };
}

/** What the service does (task), with every default filled in. */
export type TaskConfig =
  | {
      kind: 'classify';
      /** The labelled examples of the local tiers and the labels of all tiers (EXAMPLES_FILE; data/examples.jsonl by default). */
      examplesFile: string;
    }
  | {
      kind: 'rag';
      /** task.rag.corpus, resolved from the project folder (CORPUS_DIR overrides it). */
      corpusDir: string;
      /** task.rag.chunking: 800 and 100 characters when absent. */
      chunking: { maxChars: number; overlapChars: number };
      /** task.rag.retriever: the embedded index and 4 passages when absent; a vector store's URL from its variable. */
      retriever: { kind: 'embedded' | 'opensearch'; topK: number; url?: string; collection: string };
      /** task.rag.citations.min: 1 when absent. */
      citationsMin: number;
      /** task.rag.grounding.minSupport: 0.5 when absent. */
      minSupport: number;
    }
  | {
      kind: 'extract';
      /** task.extract.schema, resolved from the project folder (SCHEMA_FILE overrides it). */
      schemaFile: string;
      /** task.extract.onViolation: escalate when absent. */
      onViolation: 'retry' | 'escalate' | 'fallback';
    };

/** The configuration's task, which must be of `kind`: each task's module (src/task/) reads its own settings through it. */
export function taskOf<K extends TaskConfig['kind']>(config: { task: TaskConfig }, kind: K): Extract<TaskConfig, { kind: K }> {
  if (config.task.kind !== kind) throw new Error(`this service is built for task.kind ${kind}, not ${config.task.kind}`);
  return config.task as Extract<TaskConfig, { kind: K }>;
}

/** The project folder (this file is src/config/index.ts, or dist/config/index.js once built): the spec's paths are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Config {
  service: { name: string; version: string; owner: string };
  port: number;
  host: string;
  logLevel: string;
  tiers: TierConfig[];
  /** task: what the service does. */
  task: TaskConfig;
  routing: {
    /** models.routing.strategy (cascade with more than one tier, single otherwise, when absent). */
    strategy: 'cascade' | 'single';
    /** models.routing.escalateWhen.confidenceBelow */
    confidenceBelow?: number;
    /** models.routing.escalateWhen.inputCharsAbove */
    inputCharsAbove?: number;
  };
  resilience: ResilienceConfig;
  /** The latency histogram's buckets, in milliseconds: one at each latency threshold of the spec. */
  latencyBucketsMs: number[];
  /** business.metric and successCriteria[].metric: what POST /v1/feedback feeds. */
  businessMetrics: string[];
  /**
   * How each of them is aggregated: business.metric.aggregation (with business.metric.quantile)
   * for the business metric; from its name where the spec declares none (see aggregationFromName).
   */
  businessAggregations: Record<string, Aggregation>;
  /** monitoring.drift.features */
  driftFeatures: string[];
  /** monitoring.predictionLogging.sampleRate: the share of predictions logged in full. */
  predictionLogSampleRate: number;
  /** How long SIGTERM waits for requests in flight. */
  shutdownGraceMs: number;
  /**
   * The first part of the grace period, still listening (SHUTDOWN_LINGER_MS): every answer closes its connection, so a
   * client on a kept-alive connection learns of the drain from an answer, not from a reset under its next request.
   */
  shutdownLingerMs: number;
  /** Admission control of POST /v1/predict (load shedding): see admissionLimits(). */
  admission: AdmissionLimits;
  /** Open connections the server holds at most (MAX_CONNECTIONS). */
  maxConnections: number;
  /** The longest a client may take to send a whole request (REQUEST_READ_TIMEOUT_MS); its headers get half of it. */
  requestReadTimeoutMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const ENV_REFERENCE = /^\$\{([A-Z_][A-Z0-9_]*)\}$/;

/** The variable a spec reference like `${TRIAGE_LLM_URL}` names (TRIAGE_LLM_URL); undefined for anything else. */
export function envVariable(reference: string | undefined): string | undefined {
  return reference === undefined ? undefined : ENV_REFERENCE.exec(reference)?.[1];
}

/** The value of the variable a spec reference like `${TRIAGE_LLM_URL}` names. */
function fromEnvironment(reference: string | undefined, field: string, env: NodeJS.ProcessEnv): string | undefined {
  if (reference === undefined) return undefined;
  const name = envVariable(reference);
  if (!name) throw new ConfigError(`${field} must be an environment reference like \${LLM_URL}, not ${JSON.stringify(reference)}`);
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is not set: ${field} reads it`);
  return value;
}

function tierConfig(tier: TierSpec, index: number, env: NodeJS.ProcessEnv): TierConfig {
  const base = {
    name: tier.name,
    kind: tier.kind,
    model: tier.model,
    timeoutMs: tier.timeoutMs,
    costPerRequestUsd: tier.costPerRequestUsd,
  };
  if (tier.kind !== 'http') return base;
  const field = `models.tiers[${index}]`;
  if (tier.endpoint === undefined) throw new ConfigError(`${field} (${tier.name}) is an http tier without an endpoint`);
  const baseUrl = fromEnvironment(tier.endpoint, `${field}.endpoint`, env)!;
  let protocol: string | undefined;
  try {
    protocol = new URL(baseUrl).protocol;
  } catch {
    // Not a URL at all.
  }
  // `localhost:8099/v1` parses as a URL of scheme `localhost:`: only http(s) will do.
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new ConfigError(
      `${envVariable(tier.endpoint)} is not an http(s) URL (${field}.endpoint); its value is not shown, as a URL may hold credentials`,
    );
  }
  const apiKey = fromEnvironment(tier.apiKey, `${field}.apiKey`, env);
  return { ...base, baseUrl, ...(apiKey === undefined ? {} : { apiKey }) };
}

/**
 * The static answer: its `label` field, or else its first text field other than `reply` (`queue`
 * in a triage service), is the label; `reply` the reply; every field is also returned as is.
 */
function staticAnswer(
  fields: Record<string, unknown> | undefined,
  task: TaskConfig['kind'],
): NonNullable<ResilienceConfig['fallback']>['static'] {
  if (fields === undefined) return undefined;
  // rag and extract answer in their own shape (src/task/): the fields are the answer, and no field is a label.
  if (task !== 'classify') return { label: task, reply: null, fields };
  const label =
    typeof fields['label'] === 'string'
      ? fields['label']
      : Object.entries(fields).find((entry): entry is [string, string] => entry[0] !== 'reply' && typeof entry[1] === 'string')?.[1];
  if (label === undefined) throw new ConfigError('resilience.fallback.static needs a text field to answer with (a label, or a queue)');
  const reply = typeof fields['reply'] === 'string' ? fields['reply'] : null;
  return { label, reply, fields };
}

const inProject = (path: string): string => (isAbsolute(path) ? path : resolve(PROJECT_ROOT, path));

/** task, with its defaults; a retriever this pack has no adapter for is a ConfigError. */
export function taskConfig(spec: ServiceSpec, env: NodeJS.ProcessEnv): TaskConfig {
  const task = spec.task;
  if (task?.kind === 'rag' && task.rag) {
    const { rag } = task;
    const retriever = rag.retriever ?? { kind: 'embedded' as const, topK: 4 };
    if (retriever.kind !== 'embedded' && retriever.kind !== 'opensearch') {
      throw new ConfigError(
        `task.rag.retriever.kind ${retriever.kind} has no adapter in this service: use embedded (the index built from the corpus) or opensearch`,
      );
    }
    let url: string | undefined;
    if (retriever.kind === 'opensearch') {
      url = fromEnvironment(retriever.endpoint, 'task.rag.retriever.endpoint', env);
      if (url === undefined)
        throw new ConfigError('task.rag.retriever.endpoint must name the variable of the OpenSearch URL, e.g. ${OPENSEARCH_URL}');
    }
    return {
      kind: 'rag',
      corpusDir: inProject(env['CORPUS_DIR'] || rag.corpus), // task.rag.corpus
      chunking: rag.chunking ?? { maxChars: 800, overlapChars: 100 }, // task.rag.chunking
      retriever: {
        kind: retriever.kind, // task.rag.retriever.kind
        topK: retriever.topK, // task.rag.retriever.topK
        ...(url === undefined ? {} : { url }),
        collection: retriever.collection ?? spec.metadata.name, // task.rag.retriever.collection
      },
      citationsMin: rag.citations?.min ?? 1, // task.rag.citations.min
      minSupport: rag.grounding?.minSupport ?? 0.5, // task.rag.grounding.minSupport
    };
  }
  if (task?.kind === 'extract' && task.extract) {
    return {
      kind: 'extract',
      schemaFile: inProject(env['SCHEMA_FILE'] || task.extract.schema), // task.extract.schema
      onViolation: task.extract.onViolation ?? 'escalate', // task.extract.onViolation
    };
  }
  return { kind: 'classify', examplesFile: env['EXAMPLES_FILE'] ?? 'data/examples.jsonl' };
}

function latencyBuckets(spec: ServiceSpec): number[] {
  const thresholds = [
    spec.slo.latency.p95Ms, // slo.latency.p95Ms
    spec.slo.latency.p99Ms, // slo.latency.p99Ms
    spec.resilience.timeoutMs, // resilience.timeoutMs
    spec.monitoring?.alerts?.p95LatencyMs, // monitoring.alerts.p95LatencyMs
    ...spec.models.tiers.map((tier) => tier.timeoutMs), // models.tiers[].timeoutMs
    ...spec.scenarios.flatMap((s) => [s.expect.p95Ms?.max, s.expect.p99Ms?.max]), // scenarios[].expect
    ...(spec.deploy?.analysis?.metrics ?? []).filter((m) => m.name.endsWith('latency-ms')).map((m) => m.max), // deploy.analysis.metrics
  ];
  // A decade of general-purpose buckets keeps the histogram useful between the thresholds.
  const general = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
  return [...new Set([...general, ...thresholds.filter((t): t is number => t !== undefined)])].sort((a, b) => a - b);
}

/**
 * Admission control from the spec's numbers. In flight: twice what the spec's peak load
 * (business.expectedLoad.peakRps) holds when every request takes its whole deadline
 * (resilience.timeoutMs), by Little's law, and at least the http tiers' bulkhead
 * (resilience.bulkhead.maxConcurrent), so that it can fill; 256 without an expected load.
 * Waiting: as many again, for a quarter of the deadline at most, so that a request let in still
 * has most of its deadline. MAX_IN_FLIGHT overrides the first.
 */
function admissionLimits(spec: ServiceSpec, env: NodeJS.ProcessEnv): Config['admission'] {
  const peakRps = spec.business.expectedLoad?.peakRps;
  const deadlineSeconds = spec.resilience.timeoutMs / 1000;
  const derived = Math.max(
    16,
    spec.resilience.bulkhead?.maxConcurrent ?? 0,
    peakRps === undefined ? 256 : Math.ceil(2 * peakRps * deadlineSeconds),
  );
  const maxInFlight = Math.max(1, integer(env, 'MAX_IN_FLIGHT', derived));
  return { maxInFlight, maxQueue: maxInFlight, maxQueueWaitMs: Math.max(1, Math.round(spec.resilience.timeoutMs / 4)) };
}

/** Each business metric's aggregation: the business metric's as the spec declares it, the others' from their names. */
function businessAggregations(spec: ServiceSpec): Record<string, Aggregation> {
  const { name, aggregation, quantile } = spec.business.metric;
  const result: Record<string, Aggregation> = {
    [name]:
      aggregation === undefined // business.metric.aggregation
        ? aggregationFromName(name)
        : { kind: aggregation, ...(aggregation === 'percentile' ? { quantile: quantile ?? 0.5 } : {}) }, // business.metric.quantile
  };
  for (const criterion of spec.business.successCriteria ?? []) result[criterion.metric] ??= aggregationFromName(criterion.metric);
  return result;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, max?: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || (max !== undefined && value > max))
    throw new ConfigError(
      `${name} must be a whole number ${max === undefined ? 'of 0 or more' : `from 0 to ${max}`}, not ${JSON.stringify(raw)}`,
    );
  return value;
}

/** The configuration from a spec (the generated one by default) and the environment. Throws ConfigError on bad input. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, spec: ServiceSpec = defaultSpec): Config {
  const { resilience, models } = spec;
  const fallback = resilience.fallback;
  const strategy = models.routing?.strategy ?? (models.tiers.length > 1 ? 'cascade' : 'single');
  const escalate = models.routing?.escalateWhen;
  return {
    service: { name: spec.metadata.name, version: env['SERVICE_VERSION'] ?? '0.1.0', owner: spec.metadata.owner },
    port: integer(env, 'PORT', 8080, 65_535),
    host: env['HOST'] ?? '0.0.0.0',
    logLevel: env['LOG_LEVEL'] ?? 'info',
    tiers: models.tiers.map((tier, index) => tierConfig(tier, index, env)),
    task: taskConfig(spec, env),
    routing: {
      strategy,
      ...(escalate?.confidenceBelow === undefined ? {} : { confidenceBelow: escalate.confidenceBelow }),
      ...(escalate?.inputCharsAbove === undefined ? {} : { inputCharsAbove: escalate.inputCharsAbove }),
    },
    resilience: {
      requestTimeoutMs: resilience.timeoutMs,
      ...(resilience.retry ? { retry: resilience.retry } : {}),
      ...(resilience.circuitBreaker ? { circuitBreaker: resilience.circuitBreaker } : {}),
      ...(resilience.bulkhead ? { bulkhead: resilience.bulkhead } : {}),
      ...(fallback
        ? {
            fallback: {
              strategy: fallback.strategy,
              ...(fallback.static ? { static: staticAnswer(fallback.static, spec.task?.kind ?? 'classify') } : {}),
              // resilience.fallback.cacheTtlSeconds, an hour when absent.
              cacheTtlSeconds: fallback.cacheTtlSeconds ?? 3600,
            },
          }
        : {}),
    },
    latencyBucketsMs: latencyBuckets(spec),
    businessMetrics: [...new Set([spec.business.metric.name, ...(spec.business.successCriteria ?? []).map((c) => c.metric)])],
    businessAggregations: businessAggregations(spec),
    driftFeatures: [...(spec.monitoring?.drift?.features ?? [])],
    predictionLogSampleRate: spec.monitoring?.predictionLogging?.sampleRate ?? 0,
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000),
    shutdownLingerMs: integer(env, 'SHUTDOWN_LINGER_MS', 1000),
    admission: admissionLimits(spec, env),
    maxConnections: Math.max(1, integer(env, 'MAX_CONNECTIONS', 1024)),
    requestReadTimeoutMs: Math.max(1000, integer(env, 'REQUEST_READ_TIMEOUT_MS', 10_000)),
  };
}
