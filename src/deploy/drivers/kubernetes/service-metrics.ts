/**
 * What the generated service (templates/service-ts) exports and answers on, as the Kubernetes
 * driver relies on it: the port, the health routes and the Prometheus names of
 * templates/service-ts/files/src/monitoring/metrics.ts. One module, so that a rename in the pack
 * is one change here (and so that it can be merged with the shared catalogue of metric names).
 */
import type { Spec } from '../../../spec/schema.js';

/** The port the service listens on (PORT, 8080 unless set; the Dockerfile's EXPOSE). */
export const SERVICE_PORT = 8080;
export const PORT_NAME = 'http';

export const ROUTES = {
  /** 200 while the process runs. */
  liveness: '/healthz',
  /** 200 once listening and until shutting down. */
  readiness: '/readyz',
  metrics: '/metrics',
} as const;

/** The environment the service reads besides the spec's `${VAR}`s (src/config/index.ts). */
export const ENV = { port: 'PORT', logLevel: 'LOG_LEVEL', shutdownGraceMs: 'SHUTDOWN_GRACE_MS', version: 'SERVICE_VERSION' } as const;
/** SHUTDOWN_GRACE_MS unless set: how long SIGTERM waits for requests in flight. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** The default label on every series of the service: its metadata.name. */
export const SERVICE_LABEL = 'service';

/** Counter, labels outcome (success | error), tier, fallback. */
export const REQUESTS_TOTAL = 'ai_requests_total';
export const OUTCOME_LABEL = 'outcome';
export const OUTCOME = { success: 'success', error: 'error' } as const;

/** Histogram in seconds, label outcome; a bucket sits at each latency threshold of the spec. */
export const REQUEST_DURATION = 'ai_request_duration_seconds';

/** Counter, label metric: feedback observations of each business metric. */
export const BUSINESS_OBSERVATIONS = 'ai_business_observations_total';
export const BUSINESS_METRIC_LABEL = 'metric';

/** Gauge, label metric: each business metric of the spec, by name in the label. */
export const BUSINESS_GAUGE = 'ai_business_metric';

/** The business metrics the service exports (as values of BUSINESS_GAUGE's metric label). */
export function businessGauges(spec: Spec): string[] {
  return [...new Set([spec.business.metric.name, ...(spec.business.successCriteria ?? []).map((c) => c.metric)])];
}

/**
 * The latency buckets (ms) of ai_request_duration_seconds, as the pack computes them
 * (src/config/index.ts latencyBuckets): general buckets plus every latency threshold of the spec.
 */
export function latencyBucketsMs(spec: Spec): number[] {
  const thresholds = [
    spec.slo.latency.p95Ms,
    spec.slo.latency.p99Ms,
    spec.resilience?.timeoutMs,
    spec.monitoring?.alerts?.p95LatencyMs,
    ...(spec.models?.tiers ?? []).map((tier) => tier.timeoutMs),
    ...(spec.scenarios ?? []).flatMap((s) => [s.expect.p95Ms?.max, s.expect.p99Ms?.max]),
    ...(spec.deploy?.analysis?.metrics ?? []).filter((m) => m.name.endsWith('latency-ms')).map((m) => m.max),
  ];
  const general = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
  return [...new Set([...general, ...thresholds.filter((t): t is number => t !== undefined)])].sort((a, b) => a - b);
}
