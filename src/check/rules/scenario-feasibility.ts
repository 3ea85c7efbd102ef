import type { Scenario, Spec } from '../../spec/schema.js';
import type { RuleReport } from '../types.js';
import { defineRule, num } from './util.js';

type Report = RuleReport<keyof typeof MESSAGES>;

const MESSAGES = {
  noBreaker: 'Scenario "{{scenario}}" expects a breaker to open, but resilience has no circuitBreaker: no breaker can open.',
  noRecoveryWindow:
    'Scenario "{{scenario}}" expects recovery, but its fault has no `for`: it lasts to the end of the load, so nothing can recover.',
  loadTooShort:
    'Scenario "{{scenario}}" ends its load after {{duration}} s, before the fault\'s end ({{faultEnd}} s) plus recoversWithinSeconds ({{recovers}} s): recovery may never be seen.',
  availability:
    'Scenario "{{scenario}}" expects availability of at least {{min}}%, but without a fallback the {{fault}} fault at rate {{rate}} fails about {{failing}}% of requests (after {{attempts}}): at most {{best}}%.',
  latency:
    'Scenario "{{scenario}}" expects {{name}} at most {{max}} ms, but a {{fault}} fault on {{share}}% of requests makes them wait for tier {{tier}}\'s timeout ({{timeout}} ms), and there is no fallback to answer sooner.',
} as const;

const PERCENTILES = [
  ['p50Ms', 0.5],
  ['p95Ms', 0.95],
  ['p99Ms', 0.99],
] as const;

/** Fault types whose hit requests wait for the tier's timeout: no answer, a late one, or one dribbled out. */
function waitsForTimeout(fault: NonNullable<Scenario['fault']>, timeoutMs: number): boolean {
  return fault.type === 'timeout' || fault.type === 'slow-body' || (fault.type === 'latency' && (fault.delayMs ?? 5000) >= timeoutMs);
}

function scenarioReports(spec: Spec, scenario: Scenario, index: number): Report[] {
  const reports: Report[] = [];
  const at = (...path: (string | number)[]) => ['scenarios', index, ...path];
  const { fault, expect, load } = scenario;
  const fallback = spec.resilience?.fallback;
  if (expect.breakerOpensWithinSeconds !== undefined && spec.resilience && !spec.resilience.circuitBreaker)
    reports.push({
      path: at('expect', 'breakerOpensWithinSeconds'),
      messageId: 'noBreaker',
      data: { scenario: scenario.id },
      hint: 'Add resilience.circuitBreaker, or drop breakerOpensWithinSeconds.',
    });
  if (expect.recoversWithinSeconds !== undefined) {
    if (fault?.for === undefined)
      reports.push({
        path: at('expect', 'recoversWithinSeconds'),
        messageId: 'noRecoveryWindow',
        data: { scenario: scenario.id },
        hint: 'Give the fault a `for` (seconds), and leave load after it for the recovery.',
      });
    else if ((fault.after ?? 0) + fault.for + expect.recoversWithinSeconds > load.durationSeconds)
      reports.push({
        path: at('load', 'durationSeconds'),
        messageId: 'loadTooShort',
        data: {
          scenario: scenario.id,
          duration: num(load.durationSeconds),
          faultEnd: num((fault.after ?? 0) + fault.for),
          recovers: num(expect.recoversWithinSeconds),
        },
        hint: `Make load.durationSeconds at least ${num((fault.after ?? 0) + fault.for + expect.recoversWithinSeconds)}.`,
      });
  }
  // Without a resilience section, section-required reports the whole section once.
  if (!fault || !spec.resilience || fallback) return reports;
  const tier = spec.models?.tiers.find((candidate) => candidate.name === fault.target);
  if (!tier) return reports;
  // Without a fallback, a request the fault hits on every attempt has nothing else to answer it.
  const attempts = spec.resilience?.retry?.maxAttempts ?? 1;
  const failing =
    fault.type === 'latency' && !waitsForTimeout(fault, tier.timeoutMs) ? 0 : fault.type === 'malformed' ? 0 : fault.rate ** attempts;
  const best = 100 * (1 - failing);
  if (expect.availability?.min !== undefined && expect.availability.min > best)
    reports.push({
      path: at('expect', 'availability'),
      messageId: 'availability',
      data: {
        scenario: scenario.id,
        min: num(expect.availability.min),
        fault: fault.type,
        rate: num(fault.rate),
        failing: num(failing * 100, 1),
        attempts: `${attempts} attempt${attempts === 1 ? '' : 's'}`,
        best: num(best, 1),
      },
      hint: 'Add resilience.fallback, lower the expectation, or the fault rate.',
    });
  if (waitsForTimeout(fault, tier.timeoutMs))
    for (const [name, q] of PERCENTILES) {
      const max = expect[name]?.max;
      if (max === undefined || max >= tier.timeoutMs || fault.rate < 1 - q) continue;
      reports.push({
        path: at('expect', name),
        messageId: 'latency',
        data: {
          scenario: scenario.id,
          name,
          max: num(max),
          fault: fault.type,
          share: num(fault.rate * 100),
          tier: tier.name,
          timeout: num(tier.timeoutMs),
        },
        hint: `Raise ${name} to at least ${num(tier.timeoutMs)} ms, shorten models.tiers[${tier.name}].timeoutMs, or add resilience.fallback.`,
      });
    }
  return reports;
}

export const scenarioFeasibility = defineRule({
  id: 'scenario-feasibility',
  description: "A scenario's expectations can be met by the design: its fault, the tier's timeout, the breaker and the fallback.",
  defaultSeverity: 'error',
  stage: 5,
  rationale:
    'A scenario that cannot pass whatever the code does wastes a validation run and teaches the team to ignore red scenarios: a p95 below the timeout of a tier that hangs with no fallback, an availability above what the fault leaves without a fallback, a breaker expected where there is none, a recovery from a fault that never ends.',
  hint: 'Change the expectation, or the design (a fallback, a shorter timeout, a breaker) that it depends on.',
  examples: {
    pass: `scenarios:
  - id: llm-outage
    failureMode: llm-outage
    fault: { target: strong, type: error, status: 503, rate: 1, for: 20 }
    load: { rps: 30, durationSeconds: 60 }
    expect: { availability: { min: 99.5 }, recoversWithinSeconds: 20 }`,
    fail: `scenarios:
  - id: llm-outage
    failureMode: llm-outage
    fault: { target: strong, type: error, status: 503, rate: 1, for: 20 }
    load: { rps: 30, durationSeconds: 30 }   # ends before the fault (20 s) plus recovery (20 s)
    expect: { availability: { min: 99.5 }, recoversWithinSeconds: 20 }`,
  },
  messages: MESSAGES,
  check({ spec }) {
    return (spec.scenarios ?? []).flatMap((scenario, index) => scenarioReports(spec, scenario, index));
  },
});
