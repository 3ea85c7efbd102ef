/**
 * The Grafana dashboard and every PromQL expression of stage 7, parsed by Prometheus' own grammar
 * (@prometheus-io/lezer-promql): the rules, the dashboard's queries and the runbook's queries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { alertsOf, recordingRules } from '../../src/handoff/alerts.js';
import { buildDashboard, dashboardRows } from '../../src/handoff/dashboard.js';
import type { Spec } from '../../src/spec/schema.js';
import { specOf } from '../design/helpers.js';
import { EXAMPLE, ROOT } from '../helpers/temp.js';

const specs: [string, Spec][] = [
  ['the reference example', specOf(readFileSync(EXAMPLE, 'utf8'))],
  ['a spec with other failure modes', specOf(readFileSync(join(ROOT, 'test', 'fixtures', 'handoff', 'other-modes.yaml'), 'utf8'))],
];

/** The syntax errors of a PromQL expression: the grammar's error nodes. */
function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 10), node.to + 10))}`);
    },
  });
  return errors;
}

interface Panel {
  type: string;
  title?: string;
  datasource?: { uid?: string };
  targets?: { expr?: string }[];
}

describe('promqlErrors', () => {
  it('finds a syntax error (the parse can fail)', () => {
    expect(promqlErrors('sum(rate(ai_requests_total[5m])')).not.toEqual([]);
    expect(promqlErrors('sum by (tier) (rate(ai_requests_total{service="x"}[5m]))')).toEqual([]);
  });
});

describe.each(specs)('stage 7 PromQL of %s', (_name, spec) => {
  it('parses every rule and alert expression', () => {
    for (const rule of recordingRules(spec)) expect(promqlErrors(rule.expr), rule.record).toEqual([]);
    for (const alert of alertsOf(spec)) expect(promqlErrors(alert.expr), alert.name).toEqual([]);
  });

  it('builds a dashboard: business first, then SLO, latency, errors, fallbacks, breakers, tiers, cost, drift', () => {
    const dashboard = buildDashboard(spec) as unknown as { panels: Panel[]; templating: { list: { type: string; name: string }[] } };
    const rows = dashboard.panels.filter((panel) => panel.type === 'row').map((panel) => panel.title);
    expect(rows).toEqual([
      'Business',
      'SLO and error budget',
      'Latency',
      'Errors',
      'Fallbacks',
      'Circuit breakers',
      'Tier usage',
      'Cost',
      'Drift',
    ]);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ type: 'datasource', name: 'datasource' }));
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(panels[0]!.title).toBe(spec.business.metric.name);
    for (const panel of panels) {
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(promqlErrors(target.expr ?? ''), `${panel.title}: ${target.expr}`).toEqual([]);
    }
    expect(panels.length).toBe(dashboardRows(spec).flatMap((row) => row.panels).length);
  });
});
