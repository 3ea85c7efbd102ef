/**
 * Reads business gauges from a version's GET /metrics (Prometheus text format): the generated
 * service exports one gauge per business metric, named as in the spec.
 */

/** The value of each named metric in a Prometheus text exposition (the first sample of each). */
export function parseGauges(text: string, names: readonly string[]): Record<string, number> {
  const wanted = new Set(names);
  const found: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name, , raw] = match;
    if (!wanted.has(name!) || name! in found) continue;
    const value = Number(raw);
    if (!Number.isNaN(value)) found[name!] = value;
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
