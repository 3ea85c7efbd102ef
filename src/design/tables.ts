/**
 * The budget math of a design as tables: latency per tier and along the worst-case path, the
 * cost model, and the availability of the composition. One set of rows, rendered as aligned text
 * for the terminal and as Markdown for the ADR.
 */
import type { Spec } from '../spec/schema.js';
import { ms as plainMs, num, usd } from '../text/number.js';
import { cell } from '../text/markdown.js';
import {
  availabilityModel,
  costModel,
  DAYS_PER_MONTH,
  latencyBudget,
  type AvailabilityModel,
  type CostModel,
  type LatencyBudget,
} from './budget.js';
import type { FallbackGap } from './fallback.js';

export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
}

export interface Budget {
  latency: LatencyBudget;
  cost: CostModel;
  availability: AvailabilityModel;
}

/** Tables are read, not matched against the spec: group thousands (1,950 ms). */
const ms = (value: number) => plainMs(value, true);
const percent = (value: number, digits = 5) => `${num(value, digits)}%`;
const share = (fraction: number) => `${num(fraction * 100, 2)}%`;

export function budgetOf(spec: Spec): Budget {
  return { latency: latencyBudget(spec), cost: costModel(spec), availability: availabilityModel(spec) };
}

function verdict(value: number, limit: number): string {
  return value <= limit ? 'fits' : `over by ${ms(value - limit)}`;
}

function latencyTables(budget: LatencyBudget): Table[] {
  const tiers: Table = {
    title: 'Latency budget per tier',
    columns: ['tier', 'timeout', 'attempts', 'backoff', 'worst case'],
    rows: budget.tiers.map((tier) => [tier.tier, ms(tier.timeoutMs), String(tier.attempts), ms(tier.backoffMs), ms(tier.worstCaseMs)]),
  };
  if (budget.path.length > 0) tiers.rows.push([`path ${budget.path.join(' -> ')}`, '', '', '', ms(budget.worstCaseMs)]);
  const limits: Table = {
    title: 'Worst-case path against the limits',
    columns: ['limit', 'value', 'worst case', 'verdict'],
    rows: [
      ...(budget.requestTimeoutMs === undefined
        ? []
        : [
            [
              'resilience.timeoutMs',
              ms(budget.requestTimeoutMs),
              ms(budget.worstCaseMs),
              verdict(budget.worstCaseMs, budget.requestTimeoutMs),
            ],
          ]),
      ['slo.latency.p99Ms', ms(budget.p99Ms), ms(budget.worstCaseMs), verdict(budget.worstCaseMs, budget.p99Ms)],
      // p95 is a percentile: the worst case may exceed it as long as few requests take the slow path.
      [
        'slo.latency.p95Ms',
        ms(budget.p95Ms),
        ms(budget.worstCaseMs),
        budget.worstCaseMs <= budget.p95Ms ? 'fits' : 'above (rare slow path only)',
      ],
    ],
  };
  return [tiers, limits];
}

function costTable(cost: CostModel, spec: Spec): Table {
  const daily = spec.business.expectedLoad?.dailyRequests;
  const rows: string[][] = [
    ['escalation rate', share(cost.escalationRate)],
    ['cost per request', usd(cost.perRequestUsd)],
  ];
  if (cost.budgetPerRequestUsd !== undefined) rows.push(['budget per request', usd(cost.budgetPerRequestUsd)]);
  if (cost.monthlyUsd !== undefined && daily !== undefined) {
    rows.push(['cost per month', `${usd(cost.monthlyUsd)} (${num(daily, 0, true)} requests a day x ${DAYS_PER_MONTH} days)`]);
  }
  if (cost.budgetMonthlyUsd !== undefined) rows.push(['budget per month', usd(cost.budgetMonthlyUsd)]);
  if (cost.breakEvenEscalationRate !== undefined) {
    const rate = cost.breakEvenEscalationRate;
    const text =
      rate === Infinity
        ? 'none: even full escalation fits'
        : cost.noRateFits
          ? '0: no rate fits'
          : rate === 0
            ? '0: only no escalation fits'
            : `${num(rate, 4)} (${share(rate)})`;
    rows.push(['break-even escalation rate', text]);
  }
  return { title: 'Cost model', columns: ['item', 'value'], rows };
}

/** Why a fallback counts as none, in a table's note. */
const FALLBACK_GAP_NOTES: Readonly<Record<FallbackGap, string>> = {
  noStaticAnswer: 'it has no static answer',
  noStaticText: 'its static answer has no text field',
  noLowerTier: 'there is no lower tier and no static answer',
  coldCache: 'a cache miss has no lower tier and no static answer',
};

function availabilityTable(model: AvailabilityModel): Table {
  const meets = (value: number) => (value >= model.slo ? 'meets' : 'below');
  const rows: string[][] = model.tiers.map((tier) => [
    `tier ${tier.tier}`,
    percent(tier.availability),
    `${share(tier.share)} of requests end here`,
  ]);
  rows.push(['without fallback', percent(model.withoutFallback), `${meets(model.withoutFallback)} the SLO of ${percent(model.slo)}`]);
  if (model.fallback !== undefined && model.withFallback !== undefined) {
    rows.push([
      `with ${model.fallback} fallback`,
      percent(model.withFallback),
      `${meets(model.withFallback)} the SLO of ${percent(model.slo)}`,
    ]);
  } else if (model.fallback !== undefined && model.fallbackGap !== undefined) {
    rows.push([`with ${model.fallback} fallback`, 'as without', `counted as none: ${FALLBACK_GAP_NOTES[model.fallbackGap]}`]);
  }
  return { title: 'Availability of the composition', columns: ['part', 'availability', 'note'], rows };
}

export function budgetTables(spec: Spec, budget: Budget = budgetOf(spec)): Table[] {
  return [...latencyTables(budget.latency), costTable(budget.cost, spec), availabilityTable(budget.availability)];
}

/** Columns padded to their widest cell; numbers are not right-aligned, units make them ragged anyway. */
export function formatTable(table: Table): string {
  const widths = table.columns.map((column, i) => Math.max(column.length, ...table.rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [table.title, line(table.columns), line(widths.map((w) => '-'.repeat(w))), ...table.rows.map(line)].join('\n');
}

export function markdownTable(table: Pick<Table, 'columns' | 'rows'>): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(table.columns), line(table.columns.map(() => '---')), ...table.rows.map(line)].join('\n');
}
