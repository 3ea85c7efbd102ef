/**
 * The catalogue of service metrics against its source, the pack's src/monitoring/metrics.ts:
 * every metric the pack registers is in the catalogue with the same type and labels, and the
 * reverse. Then the names against Prometheus' own lint (`promtool check metrics`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { SERVICE_METRICS, type MetricType } from '../../src/handoff/service-metrics.js';
import { ROOT } from '../helpers/temp.js';

const SOURCE = join(ROOT, 'templates', 'service-ts', 'files', 'src', 'monitoring', 'metrics.ts');

interface Registered {
  name: string;
  type: MetricType;
  labels: string[];
}

/** Every `new Counter|Gauge|Histogram({ name: '...', ..., labelNames: [...] })` of the source. */
function registeredMetrics(source: string): Registered[] {
  const found: Registered[] = [];
  for (const match of source.matchAll(/new (Counter|Gauge|Histogram)\(\{([\s\S]*?)\}\)/g)) {
    const body = match[2]!;
    const name = /\bname: '([^']+)'/.exec(body)?.[1];
    if (!name) continue;
    const labels = /labelNames: \[([^\]]*)\]/.exec(body)?.[1] ?? '';
    found.push({
      name,
      type: match[1]!.toLowerCase() as MetricType,
      labels: [...labels.matchAll(/'([^']+)'/g)].map((m) => m[1]!),
    });
  }
  return found;
}

describe('the catalogue of service metrics', () => {
  const source = readFileSync(SOURCE, 'utf8');
  const registered = registeredMetrics(source);
  const catalogue = Object.values(SERVICE_METRICS).map((m) => ({ name: m.name, type: m.type, labels: [...m.labels] }));

  it('reads the metrics of the pack (the parser finds them)', () => {
    expect(registered.length).toBeGreaterThanOrEqual(15);
    expect(registered.map((m) => m.name)).toContain('ai_requests_total');
  });

  it('names every metric the pack registers, with its type and labels, and nothing else', () => {
    const byName = (list: Registered[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(catalogue)).toEqual(byName(registered));
  });

  it('fails on a renamed metric (the comparison can fail)', () => {
    const renamed = registeredMetrics(source.replace("name: 'ai_fallbacks_total'", "name: 'ai_fallback_total'"));
    expect(renamed.map((m) => m.name)).not.toEqual(registered.map((m) => m.name));
    expect(renamed.map((m) => m.name)).not.toContain('ai_fallbacks_total');
  });

  it('passes `promtool check metrics` (base units, counter suffixes)', async () => {
    const lines: string[] = [];
    for (const metric of Object.values(SERVICE_METRICS)) {
      lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
      const labels = [...metric.labels.map((label) => `${label}="x"`), 'service="svc"'].join(',');
      if (metric.type === 'histogram') {
        lines.push(`${metric.name}_bucket{${labels},le="+Inf"} 1`, `${metric.name}_sum{${labels}} 1`, `${metric.name}_count{${labels}} 1`);
      } else {
        lines.push(`${metric.name}{${labels}} 1`);
      }
    }
    const result = await execa('promtool', ['check', 'metrics'], { input: `${lines.join('\n')}\n`, reject: false, all: true });
    expect(result.all, 'promtool check metrics').toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('promtool flags a name with a non-base unit (the lint can fail)', async () => {
    const text = '# HELP median_first_response_minutes x\n# TYPE median_first_response_minutes gauge\nmedian_first_response_minutes 1\n';
    const result = await execa('promtool', ['check', 'metrics'], { input: text, reject: false, all: true });
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toContain('base unit');
  });
});
