import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoEdits, quickRecovery, quickSeconds } from '../../src/demo/stages.js';
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
    expect(quickSeconds(scenario(15, { breakerOpensWithinSeconds: 5 }))).toBe(6);
    expect(quickSeconds(scenario(15, { availability: { min: 99 } }))).toBe(4);
    expect(quickSeconds(scenario(3, { availability: { min: 99 } }))).toBe(3);
    const recovery = scenario(30, { recoversWithinSeconds: 5 }, { target: 'strong', type: 'error', rate: 1, after: 2, for: 6 });
    expect(quickSeconds(recovery)).toBe(13);
  });

  it('--quick starts a fault after a second, ends it just past when the breaker must open, and takes what the shorter half-open saves off the recovery bound', () => {
    const soak = scenario(
      40,
      { breakerOpensWithinSeconds: 5, recoversWithinSeconds: 17 },
      { target: 'strong', type: 'timeout', rate: 1, after: 2, for: 20 },
    );
    const quick = quickRecovery(soak, 15, 2);
    expect(quick.fault).toMatchObject({ after: 1, for: 6 });
    expect(quick.expect.recoversWithinSeconds).toBe(6);
    expect(quickSeconds(quick)).toBe(13);
    // Never longer, and nothing to do without a fault that ends or a recovery to watch.
    expect(quickRecovery(soak, 3, 3).expect.recoversWithinSeconds).toBe(17);
    const atOnce = { ...soak, fault: { ...soak.fault!, after: 0.5 } };
    expect(quickRecovery(atOnce, 15, 2).fault!.after).toBe(0.5);
    const { after: _after, ...fromTheStart } = soak.fault!;
    expect(quickRecovery({ ...soak, fault: fromTheStart }, 15, 2).fault).not.toHaveProperty('after');
    const short = { ...soak, fault: { ...soak.fault!, for: 2 } };
    expect(quickRecovery(short, 15, 3).fault!.for).toBe(2);
    const outage = scenario(15, { breakerOpensWithinSeconds: 5 }, { target: 'strong', type: 'error', rate: 1 });
    expect(quickRecovery(outage, 15, 3)).toBe(outage);
  });

  it('keep the example valid and its comments, with a rollout of seconds and, with --quick, short scenarios', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const spec = loadSpecText('shipshape.yaml', text).spec!;
    for (const quick of [false, true]) {
      const edited = applyEdits(text, demoEdits(spec, quick)).text;
      const loaded = loadSpecText('shipshape.yaml', edited);
      expect(loaded.diagnostics).toEqual([]);
      expect(edited).toContain('deploy:                        # stage 6: staged blue-green rollout with automated rollback');
      expect(loaded.spec!.deploy!.steps.map((step) => step.pauseSeconds)).toEqual(quick ? [1, 1] : [4, 2]);
      expect(loaded.spec!.deploy!.analysis!.metrics.map((metric) => metric.name)).not.toContain('business');
      expect(loaded.spec!.scenarios!.map((s) => s.load.durationSeconds)).toEqual(quick ? [6, 4, 4, 13] : [15, 15, 10, 40]);
      expect(loaded.spec!.resilience!.circuitBreaker!.halfOpenAfterSeconds).toBe(quick ? 2 : 15);
      const soak = loaded.spec!.scenarios!.find((s) => s.id === 'overload-soak')!;
      expect([soak.fault!.after, soak.fault!.for, soak.expect.recoversWithinSeconds]).toEqual(quick ? [1, 6, 6] : [2, 20, 17]);
    }
  });
});
