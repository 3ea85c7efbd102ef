import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAdr } from '../../src/design/adr.js';
import { patternAddresses, TASK_FAILURE_MODES } from '../../src/design/catalog.js';
import { planDefaults } from '../../src/design/defaults.js';
import { recommend } from '../../src/design/recommend.js';
import { budgetOf } from '../../src/design/tables.js';
import { TASK_KINDS, type Spec } from '../../src/spec/schema.js';
import { ROOT } from '../helpers/temp.js';
import { example, specOf, stageOne } from './helpers.js';

const bundled = (name: string) => specOf(readFileSync(join(ROOT, 'examples', `${name}.yaml`), 'utf8'));
/** A bundled example up to its failure modes: what `design` starts from. */
function stageOneOf(name: string): Spec {
  const text = readFileSync(join(ROOT, 'examples', `${name}.yaml`), 'utf8');
  return specOf(text.slice(0, text.indexOf('\narchitecture:') + 1));
}
const adrOf = (spec: Spec) =>
  renderAdr({ spec, budget: budgetOf(spec), specFile: 'shipshape.yaml', today: new Date('2026-12-02T00:00:00Z') });

describe("the catalog's task failure modes", () => {
  it('maps each to patterns that address its kind, and gives each a distinct id', () => {
    for (const kind of TASK_KINDS) {
      for (const mode of TASK_FAILURE_MODES[kind]) {
        expect(mode.patterns.length, mode.id).toBeGreaterThan(0);
        for (const pattern of mode.patterns) expect(patternAddresses(pattern, mode.kind), `${mode.id}: ${pattern}`).toBe(true);
      }
    }
    const ids = TASK_KINDS.flatMap((kind) => TASK_FAILURE_MODES[kind].map((mode) => mode.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(['ungrounded-answer', 'empty-retrieval', 'schema-violation']);
  });
});

describe('design for a task', () => {
  it("recommends a rag service's own patterns for its ungrounded answers and empty retrievals, saying why", () => {
    const { failureModes } = recommend(stageOneOf('rag-helpdesk'));
    const ungrounded = failureModes.find((mode) => mode.id === 'ungrounded-answer')!;
    expect(ungrounded.patterns).toEqual(['output-validation', 'graceful-degradation', 'prediction-logging']);
    expect(ungrounded.reason).toBe(
      'ungrounded-answer is bad-output (for a rag service, ungrounded-answer), likelihood medium, impact high: output-validation + graceful-degradation + prediction-logging',
    );
    expect(failureModes.find((mode) => mode.id === 'empty-retrieval')!.patterns).toEqual(['drift-monitoring', 'prediction-logging']);
  });

  it('recommends output validation and degradation for schema violations', () => {
    const { failureModes } = recommend(stageOneOf('invoice-extract'));
    expect(failureModes.find((mode) => mode.id === 'schema-violation')!.patterns).toEqual(['output-validation', 'graceful-degradation']);
  });

  it('leaves a classifier exactly as it was', () => {
    const reason = recommend(stageOne()).failureModes.find((mode) => mode.id === 'malformed-output')!.reason;
    expect(reason).toBe('malformed-output is bad-output, likelihood medium, impact medium: output-validation + graceful-degradation');
    expect(adrOf(example())).not.toContain('### The task');
  });

  it('the ADR says what the task is and how the service handles its own failure modes', () => {
    const adr = adrOf(bundled('rag-helpdesk'));
    expect(adr).toContain('### The task\n\nThe service answers questions from the documents in `corpus/`, citing the passages it used');
    expect(adr).toMatch(
      /\| ungrounded-answer +\| bad-output +\| ungrounded-answer +\| output-validation, graceful-degradation, prediction-logging +\| the grounding check/,
    );
    expect(adr).toMatch(/\| empty-retrieval +\| data-drift +\| empty-retrieval +\|/);

    const extract = adrOf(bundled('invoice-extract'));
    expect(extract).toContain('valid against the JSON Schema `schemas/invoice.schema.json`');
    expect(extract).toContain('handled by escalate (task.extract.onViolation)');

    const missing = adrOf({ ...bundled('rag-helpdesk'), failureModes: [] });
    expect(missing).toMatch(/\| ungrounded-answer +\| bad-output +\| missing: add it to failureModes +\|/);
  });

  it('writes a static fallback of the task shape where one is needed, and none it cannot know for extract', () => {
    const single = (spec: Spec): Spec => ({
      ...spec,
      models: { tiers: [spec.models!.tiers[1]!], routing: { strategy: 'single' } },
      resilience: undefined,
    });
    const rag = planDefaults(single(stageOneOf('rag-helpdesk')));
    expect(rag.spec.resilience?.fallback).toEqual({
      strategy: 'static',
      static: { answer: expect.stringMatching(/a person will follow up/), citations: [] },
    });
    const extract = planDefaults(single(stageOneOf('invoice-extract')));
    expect(extract.spec.resilience?.fallback).toEqual({ strategy: 'static' });
    expect(extract.notes.join('\n')).toContain('an object valid against schemas/invoice.schema.json');
  });
});
