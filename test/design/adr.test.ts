import { describe, expect, it } from 'vitest';
import { architectureDiagram, KEEP_END, KEEP_START, mergeKeepBlocks, renderAdr } from '../../src/design/adr.js';
import { budgetOf } from '../../src/design/tables.js';
import type { Spec } from '../../src/spec/schema.js';
import { example, stageOne } from './helpers.js';

const today = new Date('2026-11-24T12:00:00Z');
const render = (spec: Spec = example(), existing?: string) =>
  renderAdr({ spec, budget: budgetOf(spec), specFile: 'shipshape.yaml', today, ...(existing === undefined ? {} : { existing }) });

/** The text of a `## Heading` section, up to the next `## `. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`\n## ${heading}\n`);
  expect(start, `section ${heading}`).toBeGreaterThan(0);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end === -1 ? undefined : end);
}

describe('renderAdr', () => {
  const adr = render();

  it('records status and date', () => {
    expect(adr).toMatch(/^# ADR 0001: Architecture of support-triage\n/);
    expect(adr).toContain('- Status: Accepted\n- Date: 2026-11-24\n');
  });

  it('gives the context: the problem, the metric from baseline to target, and the failure modes by risk', () => {
    const context = section(adr, 'Context');
    expect(context).toContain('Tickets wait hours for manual routing');
    expect(context).toContain(
      '`median_first_response_minutes` (Median minutes from ticket creation to the first agent response): baseline 240, target 60 (decrease)',
    );
    expect(context).toContain('| routing-accuracy | routing_accuracy | min 0.9 |');
    expect(context).toContain('SLO: availability 99.9% over 30 days, p95 1200 ms, p99 2500 ms.');
    const rows = context.split('\n').filter((line) => /^\| (llm|bad|malformed|ticket)/.test(line));
    expect(rows.map((row) => row.split(' | ')[0])).toEqual([
      '| llm-outage',
      '| bad-release',
      '| llm-slow',
      '| malformed-output',
      '| ticket-mix-shift',
    ]);
    expect(rows[0]).toBe(
      '| llm-outage | upstream-failure | medium | high | 6 | circuit-breaker, retry-with-backoff, graceful-degradation | The hosted LLM returns 5xx or refuses connections. |',
    );
  });

  it('lists each decision on one line with the failure modes it addresses, and embeds the diagram', () => {
    const decision = section(adr, 'Decision');
    const [chosen, configured] = decision.split('Also configured by the spec');
    const lines = chosen!.split('\n').filter((line) => line.startsWith('- **'));
    expect(lines).toHaveLength(8);
    // What the spec configures with no failure mode claiming it is said, not listed as an alternative.
    expect(
      configured!
        .split('\n')
        .filter((line) => line.startsWith('- **'))
        .map((line) => /\*\*(.+?)\*\*/.exec(line)![1]),
    ).toEqual(['tiered-models', 'orchestration-layer', 'bulkhead', 'load-shedding', 'prediction-logging']);
    expect(lines[0]).toBe(
      '- **circuit-breaker** for llm-outage (upstream-failure), llm-slow (latency-spike): Stop calling a failing tier for a while, so failures are fast and the tier can recover.',
    );
    expect(decision).toContain(`\`\`\`mermaid\n${architectureDiagram(example())}\`\`\``);
  });

  it('shows the consequences: budget tables and the costs of the chosen patterns from the catalog', () => {
    const consequences = section(adr, 'Consequences');
    expect(consequences).toContain('| path fast -> strong |  |  |  | 1,950 ms |');
    expect(consequences).toContain('| cost per month | $8,400 (200,000 requests a day x 30 days) |');
    expect(consequences).toContain('| break-even escalation rate | 0.4167 (41.67%) |');
    expect(consequences).toContain('| with lower-tier fallback | 99.99999% | meets the SLO of 99.9% |');
    expect(consequences).toContain('| retry-with-backoff | medium | low | low | resilience.retry |');
  });

  it('lists the alternatives not taken with their cost, and not the chosen ones', () => {
    const alternatives = section(adr, 'Alternatives not taken');
    expect(alternatives).toContain('| canary | bad-release | latency none, money low, complexity medium |');
    expect(alternatives).not.toContain('| circuit-breaker |');
    expect(alternatives).not.toContain('load-shedding');
  });

  it('renders a spec with no failure modes and no architecture', () => {
    const spec = stageOne();
    delete spec.failureModes;
    const text = render(spec);
    expect(text).toContain('The spec lists no failure modes.');
    expect(text).toContain('No patterns: the spec lists no failure modes to mitigate.');
  });

  it('ends with an empty keep block for the user', () => {
    expect(adr.trimEnd().endsWith(`## Notes\n\n${KEEP_START}\n${KEEP_END}`)).toBe(true);
  });
});

describe('updating the ADR in place', () => {
  it('is stable: rendering over its own output changes nothing', () => {
    const first = render();
    expect(render(example(), first)).toBe(first);
  });

  it('keeps the first date and what the user wrote between the keep markers', () => {
    const written = render(example(), undefined)
      .replace('- Date: 2026-11-24', '- Date: 2025-01-02')
      .replace(`${KEEP_START}\n${KEEP_END}`, `${KEEP_START}\nWe chose the local router after the March incident.\n${KEEP_END}`);
    const spec = example();
    spec.failureModes![0]!.impact = 'low';
    const updated = render(spec, written);
    expect(updated).toContain('- Date: 2025-01-02');
    expect(updated).toContain(`${KEEP_START}\nWe chose the local router after the March incident.\n${KEEP_END}`);
    expect(updated).toContain('| llm-outage | upstream-failure | medium | low | 2 |');
    expect(updated).not.toContain('| llm-outage | upstream-failure | medium | high |');
  });

  it('puts keep blocks beyond the template own at the end, in order', () => {
    const rendered = `a\n${KEEP_START}\n${KEEP_END}\nb\n`;
    const existing = `x\n${KEEP_START}\none\n${KEEP_END}\ny\n${KEEP_START}\ntwo\n${KEEP_END}\n`;
    expect(mergeKeepBlocks(rendered, existing)).toBe(`a\n${KEEP_START}\none\n${KEEP_END}\nb\n\n${KEEP_START}\ntwo\n${KEEP_END}\n`);
    expect(mergeKeepBlocks(rendered, 'no markers here')).toBe(rendered);
  });
});

describe('architectureDiagram', () => {
  it('draws client, pipeline, router, each tier behind its breaker, the fallback and monitoring', () => {
    expect(architectureDiagram(example()).split('\n')).toEqual([
      'flowchart LR',
      '  client([Client]) --> pipeline["Pipeline: validates output"]',
      '  pipeline --> router{"Router: cascade"}',
      '  tier_fast["fast: keyword-router-v1 (local, 50 ms)"]',
      '  router --> breaker_fast[["breaker + bulkhead: fast"]] --> tier_fast',
      '  breaker_fast -. open or failing .-> fallback',
      '  tier_strong["strong: gpt-4o-mini (http, 900 ms)"]',
      '  router --> breaker_strong[["breaker + bulkhead: strong"]] --> tier_strong',
      '  breaker_strong -. open or failing .-> fallback',
      '  fallback["Fallback: lower-tier"]',
      '  pipeline -. metrics .-> monitoring[("Monitoring: alerts, drift, prediction log")]',
      '',
    ]);
  });

  it('calls tiers directly without a breaker, and draws no fallback without one', () => {
    const spec = stageOne();
    spec.models!.tiers[1]!.name = 'strong-v2';
    const text = architectureDiagram(spec);
    expect(text).toContain('  router --> tier_strong_v2\n');
    expect(text).not.toContain('breaker');
    expect(text).not.toContain('fallback');
    expect(text).toContain('monitoring[("Monitoring: alerts")]');
  });
});
