/** From the samples of a load and the readings of /metrics, the figures a scenario's expectations are judged on. */
import { percentile } from '../../templates/service-ts/files/test/support/expectations.js';
import type { ScenarioMeasured } from '../state/validation-report.js';
import type { LoadResult } from './load.js';
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

export function measure(input: MeasureInput): ScenarioMeasured {
  const { samples } = input.load;
  const total = Math.max(1, samples.length);
  const ok = samples.filter((sample) => sample.status >= 200 && sample.status < 300).length;
  const fallbacks = samples.filter((sample) => sample.fallback !== undefined && sample.fallback !== 'none').length;
  const latencies = samples.flatMap((sample) => (sample.ms === undefined ? [] : [sample.ms]));
  const tiers: Record<string, number> = {};
  for (const sample of samples) if (sample.tier) tiers[sample.tier] = (tiers[sample.tier] ?? 0) + 1;

  const timeline: { at: number; tier: string; state: string }[] = [];
  const last: Record<string, string> = {};
  for (const reading of input.readings)
    for (const [tier, state] of Object.entries(reading.breakers)) {
      if (last[tier] === state) continue;
      if (last[tier] !== undefined || state !== 'closed') timeline.push({ at: round(reading.at / 1000, 1), tier, state });
      last[tier] = state;
    }

  const measured: ScenarioMeasured = {
    requests: samples.length,
    availability: round((ok / total) * 100),
    errorRatePercent: round(((total - ok) / total) * 100),
    fallbackRate: round((fallbacks / total) * 100),
    p50Ms: Math.round(percentile(latencies, 0.5)),
    p95Ms: Math.round(percentile(latencies, 0.95)),
    p99Ms: Math.round(percentile(latencies, 0.99)),
    tiers,
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
