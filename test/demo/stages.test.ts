import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoEdits, quickSeconds } from '../../src/demo/stages.js';
import { applyEdits } from '../../src/spec/edit.js';
import { loadSpecText } from '../../src/spec/load.js';
import type { Scenario } from '../../src/spec/schema.js';
import { EXAMPLE } from '../helpers/temp.js';

const scenario = (load: number, expect: Scenario['expect'], fault?: Scenario['fault']): Scenario => ({
  id: 's',
  failureMode: 'f',
  load: { rps: 10, durationSeconds: load },
  expect,
  ...(fault ? { fault } : {}),
});

describe("the demo's edits of the example", () => {
  it('--quick shortens each scenario to the least that still shows what it expects, never lengthens one', () => {
    expect(quickSeconds(scenario(15, { breakerOpensWithinSeconds: 5 }))).toBe(7);
    expect(quickSeconds(scenario(15, { availability: { min: 99 } }))).toBe(4);
    expect(quickSeconds(scenario(3, { availability: { min: 99 } }))).toBe(3);
    const recovery = scenario(30, { recoversWithinSeconds: 5 }, { target: 'strong', type: 'error', rate: 1, after: 2, for: 6 });
    expect(quickSeconds(recovery)).toBe(13);
  });

  it('keep the example valid and its comments, with a rollout of seconds and, with --quick, short scenarios', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const spec = loadSpecText('shipshape.yaml', text).spec!;
    for (const quick of [false, true]) {
      const edited = applyEdits(text, demoEdits(spec, quick)).text;
      const loaded = loadSpecText('shipshape.yaml', edited);
      expect(loaded.diagnostics).toEqual([]);
      expect(edited).toContain('deploy:                        # stage 6: staged blue-green rollout with automated rollback');
      expect(loaded.spec!.deploy!.steps.map((step) => step.pauseSeconds)).toEqual(quick ? [2, 1] : [4, 2]);
      expect(loaded.spec!.deploy!.analysis!.metrics.map((metric) => metric.name)).not.toContain('business');
      expect(loaded.spec!.scenarios!.map((s) => s.load.durationSeconds)).toEqual(quick ? [7, 4, 4, 39] : [15, 15, 10, 40]);
    }
  });
});
