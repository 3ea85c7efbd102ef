/**
 * Reads the business metrics from a version's GET /metrics (Prometheus text format): the
 * generated service exports them as one gauge, ai_business_metric, with the spec's metric name in
 * its `metric` label (services generated before that exported a gauge per name: read too).
 */
import { SERVICE_METRICS } from '../../../handoff/service-metrics.js';

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/;
const METRIC_LABEL = /(?:^|,)\s*metric="((?:[^"\\]|\\.)*)"/;

/** The value of each named business metric in a Prometheus text exposition (the first sample of each). */
export function parseGauges(text: string, names: readonly string[]): Record<string, number> {
  const wanted = new Set(names);
  const found: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const [, series, labels = '', raw] = match;
    const name = series === SERVICE_METRICS.business.name ? METRIC_LABEL.exec(labels)?.[1] : series;
    if (name === undefined || !wanted.has(name) || name in found) continue;
    const value = Number(raw);
    if (!Number.isNaN(value)) found[name] = value;
  }
  return found;
}

/** Scrapes `url`/metrics for the named gauges; an empty record when it cannot. */
export async function scrapeGauges(url: string, names: readonly string[]): Promise<Record<string, number>> {
  if (names.length === 0) return {};
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) });
    if (response.status !== 200) {
      await response.body?.cancel();
      return {};
    }
    return parseGauges(await response.text(), names);
  } catch {
    return {};
  }
}
