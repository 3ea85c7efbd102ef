/**
 * The review's judgement, pure: actuals against the spec's targets, the decision the rule below
 * derives from them, and the next iteration's backlog ranked by what the data says.
 *
 * The decision rule (also in README and in every review):
 * - roll back: the business metric is worse than its baseline: the service leaves the business
 *   worse off than before it;
 * - keep: the business target is met, every success criterion passed, the SLO held (availability
 *   and latency), cost stayed within budget, no feature drifted past its threshold, and all of
 *   that was measured;
 * - iterate: anything else.
 */
import type { Spec } from '../spec/schema.js';
import { day, deploymentDate, type DeploymentRecord } from '../stages/records.js';
import type { ReviewDue } from '../stages/review.js';
import type { Actuals } from './actuals.js';

export const DECISIONS = ['keep', 'iterate', 'roll-back'] as const;
export type Decision = (typeof DECISIONS)[number];
export type Verdict = 'met' | 'missed' | 'not-measured';

export interface BusinessResult {
  name: string;
  direction: 'increase' | 'decrease';
  baseline: number;
  target: number;
  actual?: number;
  /** How much of the way from baseline to target the actual went, in percent (negative: backwards). */
  progressPercent?: number;
  verdict: Verdict;
  worseThanBaseline: boolean;
}

export interface ThresholdResult {
  /** What is measured: a criterion id, p95, a feature... */
  name: string;
  metric?: string;
  description?: string;
  /** The bound the actual must stay at or above (min) or at or under (max). */
  min?: number;
  max?: number;
  actual?: number;
  verdict: Verdict;
  /** How far past its bound the actual is, in percent of the bound; only when missed. */
  overrunPercent?: number;
}

export interface SloResult {
  objective: number;
  windowDays: number;
  availability?: number;
  verdict: Verdict;
  /** (100 - availability) / (100 - objective), in percent: over 100 means the budget is spent. */
  errorBudgetSpentPercent?: number;
  latency: ThresholdResult[];
}

export interface HistoryEntry {
  status: DeploymentRecord['status'];
  /** YYYY-MM-DD, when known. */
  date?: string;
  specHash: string;
}

export interface HistoryResult {
  /** The window looked at: YYYY-MM-DD, both ends included. */
  from: string;
  to: string;
  promotions: number;
  /** Rollbacks and failed deployments in the window, oldest first. */
  incidents: HistoryEntry[];
}

export interface BacklogItem {
  rank: number;
  title: string;
  why: string;
  kind: 'criterion' | 'business' | 'slo' | 'latency' | 'cost' | 'drift' | 'deployments' | 'measurement';
  overrunPercent?: number;
}

export interface Assessment {
  service: string;
  /** YYYY-MM-DD: the day the review is about. */
  date: string;
  due?: { promotedOn: string; due: string; afterDays: number };
  source: string;
  business: BusinessResult;
  criteria: ThresholdResult[];
  slo: SloResult;
  cost: ThresholdResult[];
  drift: { method: string; threshold: number; features: ThresholdResult[] };
  history: HistoryResult;
  /** What the rule says. */
  ruled: Decision;
  /** What is recorded: the rule's, or --decision's. */
  decision: Decision;
  reasons: string[];
  backlog: BacklogItem[];
}

export interface AssessInput {
  spec: Spec;
  actuals: Actuals;
  history: readonly DeploymentRecord[];
  due: ReviewDue | undefined;
  today: Date;
  source: string;
  /** --decision: overrides the rule. */
  decision?: Decision;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** Judges a value against a min or a max bound. */
export function threshold(
  name: string,
  bound: { min?: number | undefined; max?: number | undefined },
  actual: number | undefined,
  extra: Partial<ThresholdResult> = {},
): ThresholdResult {
  const bounds = { ...(bound.min === undefined ? {} : { min: bound.min }), ...(bound.max === undefined ? {} : { max: bound.max }) };
  const base = { name, ...extra, ...bounds, ...(actual === undefined ? {} : { actual }) };
  if (actual === undefined) return { ...base, verdict: 'not-measured' };
  const below = bound.min !== undefined && actual < bound.min ? ((bound.min - actual) / (Math.abs(bound.min) || 1)) * 100 : 0;
  const above = bound.max !== undefined && actual > bound.max ? ((actual - bound.max) / (Math.abs(bound.max) || 1)) * 100 : 0;
  const overrun = Math.max(below, above);
  return overrun > 0 ? { ...base, verdict: 'missed', overrunPercent: round(overrun) } : { ...base, verdict: 'met' };
}

function assessBusiness(spec: Spec, actuals: Actuals): BusinessResult {
  const { name, baseline, target, direction } = spec.business.metric;
  const actual = actuals.metrics?.[name];
  const base = { name, direction, baseline, target };
  if (actual === undefined) return { ...base, verdict: 'not-measured', worseThanBaseline: false };
  const sign = direction === 'increase' ? 1 : -1;
  const progressPercent =
    target === baseline ? (sign * (actual - target) >= 0 ? 100 : 0) : round(((actual - baseline) / (target - baseline)) * 100);
  return {
    ...base,
    actual,
    progressPercent,
    verdict: sign * (actual - target) >= 0 ? 'met' : 'missed',
    worseThanBaseline: sign * (actual - baseline) < 0,
  };
}

function assessSlo(spec: Spec, actuals: Actuals): SloResult {
  const objective = spec.slo.availability;
  const windowDays = spec.slo.windowDays ?? 30;
  const availability = actuals.slo?.availability;
  const latency = [
    threshold('p95', { max: spec.slo.latency.p95Ms }, actuals.slo?.p95Ms),
    threshold('p99', { max: spec.slo.latency.p99Ms }, actuals.slo?.p99Ms),
  ];
  if (availability === undefined) return { objective, windowDays, verdict: 'not-measured', latency };
  const errorBudgetSpentPercent =
    objective >= 100 ? (availability >= 100 ? 0 : Infinity) : round(((100 - availability) / (100 - objective)) * 100);
  return { objective, windowDays, availability, verdict: availability >= objective ? 'met' : 'missed', errorBudgetSpentPercent, latency };
}

function assessHistory(history: readonly DeploymentRecord[], today: Date, windowDays: number): HistoryResult {
  const to = day(today);
  const from = day(new Date(new Date(`${to}T00:00:00Z`).getTime() - windowDays * DAY_MS));
  let promotions = 0;
  const incidents: HistoryEntry[] = [];
  for (const record of history) {
    const date = deploymentDate(record);
    const on = date ? day(date) : undefined;
    // A record without a date cannot be placed: it is counted, rather than lost.
    if (on !== undefined && (on < from || on > to)) continue;
    if (record.status === 'promoted') promotions++;
    else if (record.status === 'rolled-back' || record.status === 'failed')
      incidents.push({ status: record.status, ...(on ? { date: on } : {}), specHash: record.specHash });
  }
  return { from, to, promotions, incidents };
}

/** The rule documented at the top of this file. */
function decide(a: Omit<Assessment, 'ruled' | 'decision' | 'reasons' | 'backlog'>): { decision: Decision; reasons: string[] } {
  if (a.business.worseThanBaseline) {
    return {
      decision: 'roll-back',
      reasons: [`${a.business.name} is ${a.business.actual}, worse than its baseline of ${a.business.baseline}`],
    };
  }
  const reasons: string[] = [];
  const judged: [string, Verdict][] = [
    [
      `the business target (${a.business.name} ${a.business.direction === 'increase' ? '>=' : '<='} ${a.business.target})`,
      a.business.verdict,
    ],
    ...a.criteria.map((c): [string, Verdict] => [`success criterion ${c.name}`, c.verdict]),
    [`availability ${a.slo.objective}%`, a.slo.verdict],
    ...a.slo.latency.map((l): [string, Verdict] => [`latency ${l.name}`, l.verdict]),
    ...a.cost.map((c): [string, Verdict] => [`cost ${c.name}`, c.verdict]),
    ...a.drift.features.map((f): [string, Verdict] => [`drift of ${f.name}`, f.verdict]),
  ];
  for (const [what, verdict] of judged) {
    if (verdict === 'missed') reasons.push(`${what} was missed`);
    else if (verdict === 'not-measured') reasons.push(`${what} was not measured`);
  }
  return reasons.length === 0 ? { decision: 'keep', reasons: ['every target was measured and met'] } : { decision: 'iterate', reasons };
}

const fmt = (value: number | undefined): string => (value === undefined ? '?' : String(value));
const bound = (t: ThresholdResult): string => (t.min !== undefined ? `at least ${t.min}` : `at most ${fmt(t.max)}`);

/** Failed criteria first, then the business target, then the other overruns by size, then incidents, then what was not measured. */
function rankBacklog(a: Omit<Assessment, 'ruled' | 'decision' | 'reasons' | 'backlog'>): BacklogItem[] {
  type Draft = Omit<BacklogItem, 'rank'> & { group: number };
  const drafts: Draft[] = [];
  const unmeasured: string[] = [];
  for (const c of a.criteria) {
    if (c.verdict === 'missed')
      drafts.push({
        group: 0,
        kind: 'criterion',
        title: `Meet success criterion ${c.name}: ${c.metric} ${bound(c)}`,
        why: `measured ${fmt(c.actual)}, ${c.overrunPercent}% past its bound`,
        overrunPercent: c.overrunPercent!,
      });
    else if (c.verdict === 'not-measured') unmeasured.push(`${c.metric} (success criterion ${c.name})`);
  }
  const b = a.business;
  if (b.verdict === 'missed')
    drafts.push({
      group: 1,
      kind: 'business',
      title: `Move ${b.name} from ${fmt(b.actual)} to its target of ${b.target}`,
      why: `${b.progressPercent}% of the way from the baseline of ${b.baseline}`,
      overrunPercent: round(100 - (b.progressPercent ?? 0)),
    });
  else if (b.verdict === 'not-measured') unmeasured.push(`${b.name} (the business metric)`);

  if (a.slo.verdict === 'missed')
    drafts.push({
      group: 2,
      kind: 'slo',
      title: `Restore availability to ${a.slo.objective}%`,
      why: `${fmt(a.slo.availability)}% over ${a.slo.windowDays} days: ${a.slo.errorBudgetSpentPercent}% of the error budget spent`,
      overrunPercent: round((a.slo.errorBudgetSpentPercent ?? 100) - 100),
    });
  else if (a.slo.verdict === 'not-measured') unmeasured.push('availability');
  const others: [ThresholdResult, Draft['kind'], string, string][] = [
    ...a.slo.latency.map((l): [ThresholdResult, Draft['kind'], string, string] => [
      l,
      'latency',
      `Bring latency ${l.name} under ${fmt(l.max)} ms`,
      `latency ${l.name}`,
    ]),
    ...a.cost.map((c): [ThresholdResult, Draft['kind'], string, string] => [
      c,
      'cost',
      `Bring the cost ${c.name} under its budget of $${fmt(c.max)}`,
      `cost ${c.name}`,
    ]),
    ...a.drift.features.map((f): [ThresholdResult, Draft['kind'], string, string] => [
      f,
      'drift',
      `Investigate the drift of ${f.name} (retrain, or re-baseline its reference)`,
      `drift of ${f.name}`,
    ]),
  ];
  for (const [t, kind, title, what] of others) {
    if (t.verdict === 'missed')
      drafts.push({
        group: 2,
        kind,
        title,
        why: `measured ${fmt(t.actual)}, ${t.overrunPercent}% over ${fmt(t.max)}`,
        overrunPercent: t.overrunPercent!,
      });
    else if (t.verdict === 'not-measured' && t.max !== undefined) unmeasured.push(what);
  }
  const incidents = a.history.incidents;
  if (incidents.length > 0) {
    drafts.push({
      group: 3,
      kind: 'deployments',
      title: `Find the cause of ${incidents.length} failed or rolled-back deployment${incidents.length === 1 ? '' : 's'}`,
      why: incidents.map((i) => `${i.status}${i.date ? ` on ${i.date}` : ''}`).join(', '),
    });
  }
  if (unmeasured.length > 0) {
    drafts.push({ group: 4, kind: 'measurement', title: 'Measure what the review could not', why: unmeasured.join(', ') });
  }
  return drafts
    .map((d, i) => ({ d, i }))
    .sort((x, y) => x.d.group - y.d.group || (y.d.overrunPercent ?? 0) - (x.d.overrunPercent ?? 0) || x.i - y.i)
    .map(({ d }, i) => {
      const { group: _group, ...item } = d;
      return { rank: i + 1, ...item };
    });
}

export function assessReview(input: AssessInput): Assessment {
  const { spec, actuals } = input;
  const budget = spec.business.budget;
  const drift = spec.monitoring?.drift;
  const driftThreshold = drift?.threshold ?? 0.2;
  const partial = {
    service: spec.metadata.name,
    date: day(input.today),
    ...(input.due ? { due: { promotedOn: day(input.due.promotedOn), due: input.due.due, afterDays: input.due.afterDays } } : {}),
    source: input.source,
    business: assessBusiness(spec, actuals),
    criteria: (spec.business.successCriteria ?? []).map((c) =>
      threshold(c.id, { min: c.min, max: c.max }, actuals.metrics?.[c.metric], {
        metric: c.metric,
        ...(c.description ? { description: c.description } : {}),
      }),
    ),
    slo: assessSlo(spec, actuals),
    cost: [
      threshold('per request', { max: budget?.costPerRequestUsd }, actuals.cost?.perRequestUsd),
      threshold('per month', { max: budget?.monthlyUsd }, actuals.cost?.monthlyUsd),
    ].filter((c) => c.max !== undefined || c.actual !== undefined),
    drift: {
      method: drift?.method ?? 'psi',
      threshold: driftThreshold,
      features: (drift?.features ?? []).map((f) => threshold(f, { max: driftThreshold }, actuals.drift?.[f])),
    },
    history: assessHistory(input.history, input.today, spec.slo.windowDays ?? 30),
  };
  const { decision: ruled, reasons } = decide(partial);
  return { ...partial, ruled, decision: input.decision ?? ruled, reasons, backlog: rankBacklog(partial) };
}
