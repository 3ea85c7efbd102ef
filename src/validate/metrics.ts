/**
 * The service's own view, read from its Prometheus endpoint while the load runs: the breaker state of each tier over
 * time, and the fallbacks it counted. The metric names are the default pack's (src/monitoring/metrics.ts).
 */

/** The metric names read, in one place. */
export const METRIC_NAMES = {
  breakerState: 'ai_breaker_state',
  fallbacks: 'ai_fallbacks_total',
  tierCalls: 'ai_tier_calls_total',
} as const;

/** ai_breaker_state's values. */
export const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments and malformed lines skipped). */
export function parsePrometheus(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, '$1');
    const value = Number(match[3]);
    if (!Number.isNaN(value)) samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** One reading of /metrics. */
export interface MetricsReading {
  /** ms from the start of the load. */
  at: number;
  /** Each tier's breaker, by tier name. */
  breakers: Record<string, BreakerState>;
  /** ai_fallbacks_total summed over its labels. */
  fallbacks: number;
}

export function readingOf(text: string, at: number): MetricsReading {
  const breakers: Record<string, BreakerState> = {};
  let fallbacks = 0;
  for (const sample of parsePrometheus(text)) {
    if (sample.name === METRIC_NAMES.breakerState && sample.labels['tier'] !== undefined)
      breakers[sample.labels['tier']] = BREAKER_STATES[sample.value] ?? 'closed';
    else if (sample.name === METRIC_NAMES.fallbacks) fallbacks += sample.value;
  }
  return { at, breakers, fallbacks };
}

export interface MetricsPoll {
  /** The readings so far, oldest first. */
  readings(): readonly MetricsReading[];
  /** Stops polling and resolves with the readings, oldest first; `available` is false when /metrics never answered. */
  stop(): Promise<{ readings: MetricsReading[]; available: boolean }>;
}

/** Reads `url` (a /metrics endpoint) every `intervalMs` from now, `at` counted from `startedAt` (performance.now()). */
export function pollMetrics(url: string, options: { intervalMs?: number; startedAt: number }): MetricsPoll {
  const readings: MetricsReading[] = [];
  const controller = new AbortController();
  let available = false;
  const read = async () => {
    try {
      const response = await fetch(url, { signal: AbortSignal.any([controller.signal, AbortSignal.timeout(2000)]) });
      if (!response.ok) return;
      const text = await response.text();
      available = true;
      readings.push(readingOf(text, performance.now() - options.startedAt));
    } catch {
      // A reading missed (the service busy, or stopping): the next one counts.
    }
  };
  let pending = read();
  const timer = setInterval(() => {
    pending = pending.then(read);
  }, options.intervalMs ?? 200);
  return {
    readings: () => readings,
    async stop() {
      clearInterval(timer);
      await pending;
      await read();
      controller.abort();
      return { readings, available };
    },
  };
}

/** When (ms from the start) the tier's breaker was first seen open at or after `from`; undefined if never. */
export function firstSeen(readings: readonly MetricsReading[], tier: string, state: BreakerState, from = 0): number | undefined {
  return readings.find((reading) => reading.at >= from && reading.breakers[tier] === state)?.at;
}
