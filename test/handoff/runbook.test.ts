/**
 * docs/runbook.md, section by section, on the reference example (a local driver, a cascade) and
 * on a spec with other failure modes (the kubernetes driver with Argo Rollouts, a static
 * fallback, cost, surge, output and drift modes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEEP_END, KEEP_START } from '../../src/design/adr.js';
import { alertsOf } from '../../src/handoff/alerts.js';
import { renderRunbook } from '../../src/handoff/runbook.js';
import type { Spec } from '../../src/spec/schema.js';
import { specOf } from '../design/helpers.js';
import { EXAMPLE, ROOT } from '../helpers/temp.js';

const reference = specOf(readFileSync(EXAMPLE, 'utf8'));
const other = specOf(readFileSync(join(ROOT, 'test', 'fixtures', 'handoff', 'other-modes.yaml'), 'utf8'));
const render = (spec: Spec, records = {}, existing?: string) =>
  renderRunbook({ spec, specName: 'shipshape.yaml', records, ...(existing === undefined ? {} : { existing }) });

/** The text of a `## title` section, up to the next `## `. */
function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}`);
  expect(start, `section ${title}`).toBeGreaterThan(-1);
  const end = text.indexOf('\n## ', start + 4);
  return text.slice(start, end === -1 ? undefined : end);
}

describe.each([
  ['the reference example', reference],
  ['a spec with other failure modes', other],
])('the runbook of %s', (_name, spec) => {
  const text = render(spec);

  it('says what the service does and how it is judged', () => {
    const what = section(text, 'What it does');
    expect(what).toContain(spec.business.problem);
    expect(what).toContain(spec.business.metric.name);
    expect(what).toContain(`target ${spec.business.metric.target}`);
  });

  it('names the owner, on-call and escalation', () => {
    const who = section(text, 'Who owns it');
    expect(who).toContain(spec.metadata.owner);
    expect(who).toContain(spec.handoff!.oncall);
    for (const contact of spec.handoff!.escalation ?? []) expect(who).toContain(contact);
  });

  it('states the SLOs and their error budgets', () => {
    const slo = section(text, 'SLOs and budgets');
    expect(slo).toContain(`${spec.slo.availability}% of requests without error`);
    expect(slo).toContain(`${spec.slo.latency.p95Ms} ms`);
    expect(slo).toContain('minutes of full outage');
  });

  it("draws design's architecture diagram", () => {
    expect(section(text, 'Architecture')).toContain('```mermaid\nflowchart LR');
  });

  it('lists every alert with its meaning, and gives each a section its runbook_url points at', () => {
    const alerts = section(text, 'Alerts');
    for (const alert of alertsOf(spec)) {
      expect(alerts).toContain(`### <a id="${alert.anchor}"></a>${alert.name}`);
      expect(alerts).toContain(alert.meaning);
    }
  });

  it('has a section per failure mode: symptoms, detection, mitigation, diagnosis, recovery, verification', () => {
    const modes = section(text, 'Failure modes');
    for (const mode of spec.failureModes ?? []) {
      const start = modes.indexOf(`<a id="failure-${mode.id}"></a>`);
      expect(start, mode.id).toBeGreaterThan(-1);
      const next = modes.indexOf('\n### ', start);
      const body = modes.slice(start, next === -1 ? undefined : next);
      for (const part of [
        '**Symptoms.**',
        '**Detection.**',
        '**Immediate mitigation.**',
        '**Diagnosis.**',
        '**Recovery.**',
        '**Verification.**',
      ])
        expect(body, `${mode.id}: ${part}`).toContain(part);
    }
  });

  it('gives the exact rollback commands of the deploy driver', () => {
    const rollback = section(text, '<a id="rollback"></a>Rollback procedure');
    if (spec.deploy?.driver === 'kubernetes') {
      expect(rollback).toContain(`kubectl argo rollouts abort ${spec.metadata.name} -n ${spec.deploy.kubernetes!.namespace}`);
      expect(rollback).toContain(`kubectl argo rollouts undo ${spec.metadata.name} -n ${spec.deploy.kubernetes!.namespace}`);
    } else {
      expect(rollback).toContain('shipshape deploy rollback');
    }
  });

  it('says there is no validation or deployment yet when the records are absent', () => {
    const records = section(text, 'Latest validation and drills');
    expect(records).toContain('No validation report yet');
    expect(records).toContain('No deployment recorded yet');
  });

  it('lists known limitations', () => {
    expect(section(text, 'Known limitations')).toContain('p95');
  });
});

describe('the runbook', () => {
  it('shows the latest validation and deployments with their dates', () => {
    const text = render(reference, {
      validation: {
        report: { specHash: 'a'.repeat(64), passed: true, scenarios: [{ id: 'llm-outage', passed: true }] },
        date: new Date('2026-11-20T10:00:00Z'),
      },
      deployments: [
        { specHash: 'b'.repeat(64), status: 'rolled-back', startedAt: '2026-11-21T09:00:00Z', finishedAt: '2026-11-21T09:05:00Z' },
        { specHash: 'c'.repeat(64), status: 'promoted', startedAt: '2026-11-22T09:00:00Z', finishedAt: '2026-11-22T09:10:00Z' },
      ],
    });
    const records = section(text, 'Latest validation and drills');
    expect(records).toContain('2026-11-20): passed, 1 of 1 scenarios passed');
    expect(records).toContain('| 2026-11-22 09:00 | 2026-11-22 09:10 | promoted');
    expect(records).toContain('Last rollback: 2026-11-21.');
  });

  it('keeps what a person wrote between keep markers when it is written again', () => {
    const first = render(reference);
    const edited = first.replace(`${KEEP_START}\n${KEEP_END}`, `${KEEP_START}\nPager: +1 555 0100\n${KEEP_END}`);
    expect(edited).not.toBe(first);
    const changed = specOf(readFileSync(EXAMPLE, 'utf8').replace('availability: 99.9 ', 'availability: 99.5 '));
    const again = render(changed, {}, edited);
    expect(again).toContain('Pager: +1 555 0100');
    expect(again).toContain('99.5% of requests without error');
  });

  it('follows the spec: an alert the spec drops loses its section', () => {
    const withoutDrift = { ...other, monitoring: { ...other.monitoring!, drift: undefined } } as Spec;
    expect(render(other)).toContain('alert-inputdrift');
    expect(render(withoutDrift)).not.toContain('alert-inputdrift');
  });
});
