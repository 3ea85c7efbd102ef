import { readFileSync } from 'node:fs';
import { loadSpecText } from '../../src/spec/load.js';
import type { FailureMode, FailureModeKind, Spec } from '../../src/spec/schema.js';
import { EXAMPLE } from '../helpers/temp.js';

export const exampleText = readFileSync(EXAMPLE, 'utf8');

/** The reference example with its later sections (architecture onward) removed: what `design` starts from. */
export const stageOneText = exampleText.slice(0, exampleText.indexOf('\narchitecture:') + 1);

export function specOf(text: string): Spec {
  const loaded = loadSpecText('shipshape.yaml', text);
  if (!loaded.spec)
    throw new Error(`fixture does not load: ${loaded.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`);
  return loaded.spec;
}

/** A fresh copy of the reference example. */
export function example(): Spec {
  return specOf(exampleText);
}

/** The reference example up to failureModes. */
export function stageOne(): Spec {
  return specOf(stageOneText);
}

/** The stage-one example with a single failure mode of the given kind. */
export function withOneMode(kind: FailureModeKind, level: Partial<Pick<FailureMode, 'likelihood' | 'impact'>> = {}): Spec {
  return {
    ...stageOne(),
    failureModes: [{ id: `the-${kind}`, kind, likelihood: level.likelihood ?? 'medium', impact: level.impact ?? 'high' }],
  };
}
