// The one definition of what a failure scenario's expectations (scenarios[].expect of shipshape.yaml) mean: how each is
// measured and when it is met. This project's scenario tests judge with it, and `shipshape validate` bundles this very
// file to judge the running build, so the two can never disagree.
//
// The scenario tests judge the behavioural expectations only (availability, error rate, fallback rate, the breaker
// opening at all): wall-clock figures (latency percentiles, "within N seconds") depend on how busy the machine is, and
// belong to `shipshape validate`, which runs the scenarios at full length against a running build.

import type { ScenarioSpec, Threshold } from '../../src/config/types.js';

export type { Threshold };

/** scenarios[].expect, as the spec has it: the service's own type of it (src/config/types.ts), not a copy. */
export type Expectations = ScenarioSpec['expect'];

/** What a run measured, client side (and from /metrics for the breaker). */
export interface Measured {
  /** Percent of requests answered 2xx. */
  availability: number;
  /**
   * Percent of requests shed: answered 503 with a Retry-After header (admission control refused them at once, with a
   * time to come back, rather than queueing them past their deadline). Shed requests still count against availability.
   */
  shedPercent: number;
  /** Percent of the requests not shed that were answered 2xx (0 when every request was shed). */
  admittedAvailability: number;
  /** Percent of requests not answered 2xx (an error status, a dropped connection, no answer in time). */
  errorRatePercent: number;
  /** Percent of requests answered by a fallback (an `x-fallback` header other than `none`). */
  fallbackRate: number;
  /** Nearest-rank percentiles of every request's latency, failed ones included. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Seconds from the start of the fault to the target's breaker opening; undefined if it never did. */
  breakerOpenedAfterSeconds?: number | undefined;
  /** Seconds from the end of the fault to the target's breaker closing again; undefined if it did not. */
  recoveredAfterSeconds?: number | undefined;
}

export type ExpectationName = keyof Expectations;

/** One expectation judged: what was asked, what was measured, and whether it was met. */
export interface Verdict {
  name: ExpectationName;
  /** As the spec says it: `>= 99.5%`, `<= 1200 ms`, `within 5 s`. */
  expected: string;
  /** As measured: `99.80%`, `812 ms`, `after 3.2 s`, `never`. */
  measured: string;
  passed: boolean;
  /** Whether the expectation depends on how fast the machine is (latency, "within N seconds"). */
  wallClock: boolean;
  /** Why it failed, naming the spec field; undefined when it passed. */
  message?: string;
}

/** Every expectation, in the order they are reported, with its unit and whether it is wall-clock. */
export const EXPECTATIONS: Record<ExpectationName, { unit: string; wallClock: boolean }> = {
  availability: { unit: '%', wallClock: false },
  admittedAvailability: { unit: '%', wallClock: false },
  // How much is shed depends on how fast the machine answers what it admits.
  shedPercent: { unit: '%', wallClock: true },
  errorRatePercent: { unit: '%', wallClock: false },
  fallbackRate: { unit: '%', wallClock: false },
  p50Ms: { unit: ' ms', wallClock: true },
  p95Ms: { unit: ' ms', wallClock: true },
  p99Ms: { unit: ' ms', wallClock: true },
  breakerOpensWithinSeconds: { unit: ' s', wallClock: true },
  recoversWithinSeconds: { unit: ' s', wallClock: true },
};

/** Whether `value` meets `threshold` (both bounds inclusive). */
export function meets(value: number, threshold: Threshold): boolean {
  return (threshold.min === undefined || value >= threshold.min) && (threshold.max === undefined || value <= threshold.max);
}

/** The nearest-rank percentile `q` (0..1) of `values`; 0 for none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

function describeThreshold(threshold: Threshold, unit: string): string {
  const parts: string[] = [];
  if (threshold.min !== undefined) parts.push(`>= ${threshold.min}${unit}`);
  if (threshold.max !== undefined) parts.push(`<= ${threshold.max}${unit}`);
  return parts.join(' and ');
}

/**
 * Judges each expectation of a scenario against what was measured. With `wallClock: false`, latency percentiles are
 * left out and the "within N seconds" expectations only ask that the breaker opened (and, for recovery, closed again)
 * at all: what holds on a loaded machine.
 */
export function judge(
  id: string,
  expect: Expectations,
  measured: Measured,
  options: { wallClock?: boolean; /** The faulted tier, to name its breaker. */ target?: string } = {},
): Verdict[] {
  const wallClock = options.wallClock ?? true;
  const verdicts: Verdict[] = [];
  for (const [name, { unit, wallClock: timed }] of Object.entries(EXPECTATIONS) as [
    ExpectationName,
    { unit: string; wallClock: boolean },
  ][]) {
    const wanted = expect[name];
    if (wanted === undefined) continue;
    if (name === 'breakerOpensWithinSeconds' || name === 'recoversWithinSeconds') {
      const seconds = wanted as number;
      const after = name === 'breakerOpensWithinSeconds' ? measured.breakerOpenedAfterSeconds : measured.recoveredAfterSeconds;
      const what = name === 'breakerOpensWithinSeconds' ? 'opened' : 'closed again';
      const passed = after !== undefined && (!wallClock || after <= seconds);
      verdicts.push({
        name,
        expected: wallClock ? `within ${seconds} s` : `${what}`,
        measured: after === undefined ? 'never' : `after ${after.toFixed(1)} s`,
        passed,
        wallClock: timed,
        ...(passed
          ? {}
          : {
              message: `the breaker of ${options.target ?? '(no target)'} ${after === undefined ? `never ${what}` : `${what} after ${after.toFixed(1)} s`}, expected within ${seconds} s (scenarios[${id}].expect.${name})`,
            }),
      });
      continue;
    }
    if (timed && !wallClock) continue;
    const threshold = wanted as Threshold;
    const value = measured[name];
    const passed = meets(value, threshold);
    const shown = unit === ' ms' ? `${Math.round(value)}${unit}` : `${value.toFixed(2)}${unit}`;
    verdicts.push({
      name,
      expected: describeThreshold(threshold, unit),
      measured: shown,
      passed,
      wallClock: timed,
      ...(passed
        ? {}
        : { message: `${name} ${value.toFixed(2)}${unit} misses ${JSON.stringify(threshold)} (scenarios[${id}].expect.${name})` }),
    });
  }
  return verdicts;
}
