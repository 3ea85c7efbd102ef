import { costModel, DAYS_PER_MONTH, type CostModel } from '../../design/budget.js';
import type { RuleReport } from '../types.js';
import { defineRule, num, percentOf, usd, warn } from './util.js';

function breakEven(model: CostModel, firstTier: string): string {
  const rate = model.breakEvenEscalationRate;
  if (rate === undefined || rate === Infinity) return '';
  if (model.noRateFits) return `; no escalation rate fits: tier ${firstTier} alone costs more than the budget allows`;
  // A free first tier within a $0 (or -0) budget: only a cascade that never escalates fits.
  if (rate === 0) return `; only an escalation rate of 0% fits (tier ${firstTier} alone)`;
  return `; the budget breaks even at an escalation rate of ${percentOf(rate)}`;
}

export const costBudget = defineRule({
  id: 'cost-budget',
  description:
    'The expected cost per request (from the tier prices and escalation rate) fits business.budget.costPerRequestUsd, and the monthly cost at the expected load fits monthlyUsd.',
  defaultSeverity: 'error',
  stage: 1,
  rationale:
    'Model spend is the line item that surprises finance. In a cascade every escalated request pays for the strong tier too, so the escalation rate decides the bill; a spec whose own numbers do not fit its budget will overrun it from the first day, and the break-even rate says how much headroom the routing has.',
  hint: 'Lower the escalation rate (tune models.routing.escalateWhen), use a cheaper tier, or raise the budget with its owner.',
  examples: {
    pass: `business:
  budget: { costPerRequestUsd: 0.002, monthlyUsd: 10000 }
  expectedLoad: { peakRps: 40, dailyRequests: 200000 }
models:
  tiers:
    - { name: fast, kind: local, model: router-v1, timeoutMs: 50, costPerRequestUsd: 0 }
    - { name: strong, kind: http, endpoint: '\${LLM_URL}', model: gpt-4o-mini, timeoutMs: 900, costPerRequestUsd: 0.004 }
  routing: { strategy: cascade, escalateWhen: { confidenceBelow: 0.75 }, expectedEscalationRate: 0.35 }
# 0.004 x 0.35 = $0.0014 per request; x 200,000 x 30 = $8,400 a month`,
    fail: `business:
  budget: { costPerRequestUsd: 0.002, monthlyUsd: 10000 }
  expectedLoad: { peakRps: 40, dailyRequests: 200000 }
models:
  tiers:
    - { name: fast, kind: local, model: router-v1, timeoutMs: 50, costPerRequestUsd: 0 }
    - { name: strong, kind: http, endpoint: '\${LLM_URL}', model: gpt-4o-mini, timeoutMs: 900, costPerRequestUsd: 0.004 }
  routing: { strategy: cascade, escalateWhen: { confidenceBelow: 0.75 }, expectedEscalationRate: 0.6 }
# 0.004 x 0.6 = $0.0024 per request > $0.002`,
  },
  messages: {
    assumedRate:
      'The cascade has no models.routing.expectedEscalationRate, so the cost model assumes every request escalates through all {{tiers}} tiers: {{perRequest}} per request.',
    perRequest: 'Expected cost per request {{perRequest}}{{atRate}} > business.budget.costPerRequestUsd {{budget}}{{breakEven}}.',
    monthly:
      'Expected monthly cost {{monthly}} ({{perRequest}} x {{daily}} requests a day x {{days}} days{{atRate}}) > business.budget.monthlyUsd {{budget}}{{breakEven}}.',
  },
  check({ spec }) {
    const { models } = spec;
    const budget = spec.business.budget;
    if (!models || !budget || (budget.costPerRequestUsd === undefined && budget.monthlyUsd === undefined)) return [];
    const model = costModel(spec);
    const firstTier = models.tiers[0]?.name ?? 'first';
    const cascade = (models.routing?.strategy ?? (models.tiers.length > 1 ? 'cascade' : 'single')) === 'cascade' && models.tiers.length > 1;
    const assumed = cascade && models.routing?.expectedEscalationRate === undefined;
    const atRate = cascade
      ? ` at ${assumed ? 'an assumed' : 'a'} ${percentOf(model.escalationRate)} escalation rate`
      : ` (tier ${firstTier})`;
    const reports: RuleReport<'assumedRate' | 'perRequest' | 'monthly'>[] = [];

    if (assumed) {
      reports.push(
        warn({
          path: models.routing ? ['models', 'routing'] : ['models'],
          messageId: 'assumedRate',
          data: { tiers: models.tiers.length, perRequest: usd(model.perRequestUsd) },
          hint: 'Set models.routing.expectedEscalationRate to the share of requests the first tier hands on (measure it offline on a sample of real traffic).',
        }),
      );
    }
    if (model.budgetPerRequestUsd !== undefined && model.perRequestUsd > model.budgetPerRequestUsd) {
      reports.push({
        path: ['business', 'budget', 'costPerRequestUsd'],
        messageId: 'perRequest',
        data: {
          perRequest: usd(model.perRequestUsd),
          atRate,
          budget: usd(model.budgetPerRequestUsd),
          breakEven: breakEven(model, firstTier),
        },
      });
    }
    if (model.budgetMonthlyUsd !== undefined && model.monthlyUsd !== undefined && model.monthlyUsd > model.budgetMonthlyUsd) {
      const daily = spec.business.expectedLoad?.dailyRequests ?? 0;
      reports.push({
        path: ['business', 'budget', 'monthlyUsd'],
        messageId: 'monthly',
        data: {
          monthly: usd(model.monthlyUsd),
          perRequest: usd(model.perRequestUsd),
          daily: num(daily, 0, true),
          days: DAYS_PER_MONTH,
          atRate,
          budget: usd(model.budgetMonthlyUsd),
          breakEven: breakEven(model, firstTier),
        },
      });
    }
    return reports;
  },
});
