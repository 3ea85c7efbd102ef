/** From the samples of a load and the readings of /metrics, the figures a scenario's expectations are judged on. */
import { percentile, type Measured } from '../../templates/service-ts/files/test/support/expectations.js';
import type { ScenarioMeasured } from '../state/validation-report.js';
import type { LoadResult } from '../load/traffic.js';
import { firstSeen, type MetricsReading } from './metrics.js';

export interface MeasureInput {
  load: LoadResult;
  readings: readonly MetricsReading[];
  metricsAvailable: boolean;
  /** The faulted tier, if any. */
  target?: string;
  /** ms from the start of the load when the fault began and ended (Infinity: it did not end). */
  faultFrom?: number;
  faultTo?: number;
  proxy?: { requests: number; faulted: number };
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The response headers the figures are read from. */
export const MEASURED_HEADERS = ['x-model-tier', 'x-fallback', 'retry-after'] as const;

/** A shed request: refused at once with 503 and a time to come back (Retry-After), rather than failed. */
const isShed = (status: number, headers: Record<string, string> | undefined) => status === 503 && headers?.['retry-after'] !== undefined;

export function measure(input: MeasureInput): ScenarioMeasured & Measured {
  const { results: samples, skipped } = input.load;
  // A request the generator could not send (every connection held past the timeout) is the service's failure too.
  const total = Math.max(1, samples.length + skipped);
  const ok = samples.filter((sample) => sample.status >= 200 && sample.status < 300).length;
  const shed = samples.filter((sample) => isShed(sample.status, sample.headers)).length;
  const fallbacks = samples.filter((sample) => (sample.headers?.['x-fallback'] ?? 'none') !== 'none').length;
  const latencies = samples.map((sample) => sample.latencyMs);
  const tiers: Record<string, number> = {};
  // Answers by status, and requests without one by the reason (TIMEOUT, ECONNRESET...): what the failures were.
  const outcomes: Record<string, number> = {};
  for (const sample of samples) {
    const outcome = sample.status > 0 ? String(sample.status) : (sample.error ?? 'no answer');
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    const tier = sample.headers?.['x-model-tier'];
    if (tier) tiers[tier] = (tiers[tier] ?? 0) + 1;
  }

  const timeline: { at: number; tier: string; state: string }[] = [];
  const last: Record<string, string> = {};
  for (const reading of input.readings)
    for (const [tier, state] of Object.entries(reading.breakers)) {
      if (last[tier] === state) continue;
      if (last[tier] !== undefined || state !== 'closed') timeline.push({ at: round(reading.at / 1000, 1), tier, state });
      last[tier] = state;
    }

  const admitted = total - shed;
  const measured: ScenarioMeasured & Measured = {
    requests: samples.length + skipped,
    availability: round((ok / total) * 100),
    shedPercent: round((shed / total) * 100),
    admittedAvailability: admitted > 0 ? round((ok / admitted) * 100) : 0,
    errorRatePercent: round(((total - ok) / total) * 100),
    fallbackRate: round((fallbacks / total) * 100),
    p50Ms: Math.round(percentile(latencies, 0.5)),
    p95Ms: Math.round(percentile(latencies, 0.95)),
    p99Ms: Math.round(percentile(latencies, 0.99)),
    tiers,
    outcomes: skipped > 0 ? { ...outcomes, 'not sent (every connection busy)': skipped } : outcomes,
    breakerTimeline: timeline,
    metricsAvailable: input.metricsAvailable,
    ...(input.proxy ? { proxy: { ...input.proxy } } : {}),
  };
  if (input.target !== undefined) {
    const from = input.faultFrom ?? 0;
    const opened = firstSeen(input.readings, input.target, 'open', from);
    if (opened !== undefined) measured.breakerOpenedAfterSeconds = round((opened - from) / 1000, 1);
    const to = input.faultTo ?? Number.POSITIVE_INFINITY;
    if (Number.isFinite(to)) {
      const closed = firstSeen(input.readings, input.target, 'closed', Math.max(to, opened ?? 0));
      if (closed !== undefined) measured.recoveredAfterSeconds = round(Math.max(0, closed - to) / 1000, 1);
    }
  }
  return measured;
}
