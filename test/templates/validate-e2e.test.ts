/**
 * `shipshape validate` on the service the default pack generates from the reference example, shortened with
 * --duration-scale: the pack's build and start commands, the mock model behind the proxy, the breaker watched on
 * /metrics. Then the same service with its circuit breaker taken out must fail its outage scenario.
 *
 * Only behaviour is asserted (what ran, the breaker opening, answers served by the fallback): latency figures depend
 * on how busy the machine is, and are `npm run bench`'s business.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { sharedProject } from '../helpers/project.js';
import { EXAMPLE } from '../helpers/temp.js';

interface Report {
  passed: boolean;
  complete: boolean;
  durationScale: number;
  scenarios: {
    id: string;
    passed: boolean;
    measured: Record<string, unknown>;
    verdicts: { name: string; passed: boolean; message?: string }[];
  }[];
}

describe('validate on the generated reference service', () => {
  let dir: string;
  beforeAll(async () => {
    // Generated, installed and built once per run, shared with service-ts-e2e.test.ts: a copy of its own.
    dir = await sharedProject(EXAMPLE);
  }, 240_000);

  it('runs every scenario of the example, shortened: the breaker opens, the fallback answers, the run is not complete', async () => {
    const result = await runCli(['validate', '--duration-scale', '0.4', '--json'], { cwd: dir });
    expect([0, 1], result.stderr).toContain(result.exitCode);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ complete: false, durationScale: 0.4 });
    expect(report.scenarios.map((scenario) => scenario.id)).toEqual(['llm-outage', 'llm-slow', 'malformed-output', 'overload-soak']);
    const [outage, slow, malformed, soak] = report.scenarios;
    expect(outage!.measured['breakerOpenedAfterSeconds'], JSON.stringify(outage)).toBeTypeOf('number');
    expect(outage!.measured['fallbackRate']).toBeGreaterThan(50);
    for (const scenario of [outage!, slow!, malformed!]) {
      const availability = scenario.verdicts.find((verdict) => verdict.name === 'availability');
      expect(availability?.passed, JSON.stringify(scenario)).toBe(true);
      expect((scenario.measured['proxy'] as { faulted: number }).faulted).toBeGreaterThan(0);
    }
    // The soak: the strong tier hung under ten times its peak share, then recovered. Shortened, its load goes on until
    // the breaker has closed again (the half-open wait is real time); what is let in is answered, the rest is shed.
    expect(soak!.measured['breakerOpenedAfterSeconds'], JSON.stringify(soak)).toBeTypeOf('number');
    expect(soak!.measured['recoveredAfterSeconds'], JSON.stringify(soak)).toBeTypeOf('number');
    expect(soak!.measured['shedPercent']).toBeTypeOf('number');
    for (const name of ['admittedAvailability', 'recoversWithinSeconds'])
      expect(soak!.verdicts.find((verdict) => verdict.name === name)?.passed, JSON.stringify(soak)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, '.shipshape/reports/validation.json'), 'utf8'))).toMatchObject({ complete: false });
  }, 300_000);

  it('fails the outage scenario once the circuit breaker is taken out', async () => {
    const file = join(dir, 'src/orchestration/policies.ts');
    const original = readFileSync(file, 'utf8');
    // Every call bypasses the breaker; the condition stays opaque to tsc, so the service still builds.
    const edited = original.replace(
      'if (!breaker) return held(outer);',
      "if (!breaker || process.env['NO_SUCH_VARIABLE'] === undefined) return held(outer);",
    );
    expect(edited, 'the edit changed nothing: the test no longer removes the breaker').not.toBe(original);
    writeFileSync(file, edited);
    try {
      const result = await runCli(['validate', '--scenario', 'llm-outage', '--duration-scale', '0.4', '--json'], { cwd: dir });
      expect(result.exitCode, result.stderr).toBe(1);
      const outage = (JSON.parse(result.stdout) as Report).scenarios[0]!;
      const breaker = outage.verdicts.find((verdict) => verdict.name === 'breakerOpensWithinSeconds');
      expect(breaker?.passed).toBe(false);
      expect(breaker?.message).toMatch(/the breaker of strong never opened/);
    } finally {
      writeFileSync(file, original);
    }
  }, 240_000);
});
