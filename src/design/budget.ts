/**
 * Budget math: latency and cost. One implementation, used by `check` rules and by `design`'s
 * tables.
 *
 * Latency model. A tier call takes at most timeoutMs per attempt. Retries apply to remote
 * (http) tiers only: an in-process tier does not fail transiently, so it gets one attempt. The
 * backoff before attempt k+1 is initialDelayMs (fixed) or initialDelayMs * 2^(k-1) (exponential),
 * capped at maxDelayMs; jitter only shortens a delay, so the cap is the worst case. In a cascade an
 * escalated request waits for every tier in turn; a single-strategy request waits for its tier,
 * and for the next one too when the fallback is lower-tier.
 *
 * Cost model. In a cascade the first tier answers every request and each further tier pays for
 * the share escalated to it: expectedEscalationRate for the second tier, its square for a third.
 * A month is 30 days of dailyRequests.
 */
import type { Spec, Tier } from '../spec/schema.js';
import { fallbackGap, type FallbackGap } from './fallback.js';

export const DAYS_PER_MONTH = 30;

export interface TierLatency {
  tier: string;
  timeoutMs: number;
  attempts: number;
  backoffMs: number;
  worstCaseMs: number;
}

export interface LatencyBudget {
  tiers: TierLatency[];
  /** The tiers one request may wait for in the worst case, in order. */
  path: string[];
  worstCaseMs: number;
  requestTimeoutMs: number | undefined;
  p95Ms: number;
  p99Ms: number;
}

/** The sum of the delays before attempts 2..attempts. */
export function backoffTotalMs(retry: NonNullable<NonNullable<Spec['resilience']>['retry']>, attempts: number): number {
  let total = 0;
  for (let k = 1; k < attempts; k++) {
    const delay = retry.backoff === 'fixed' ? retry.initialDelayMs : retry.initialDelayMs * 2 ** (k - 1);
    total += Math.min(delay, retry.maxDelayMs);
  }
  return total;
}

export function tierLatency(spec: Spec, tier: Tier): TierLatency {
  const retry = spec.resilience?.retry;
  const attempts = tier.kind === 'http' && retry ? retry.maxAttempts : 1;
  const backoffMs = retry ? backoffTotalMs(retry, attempts) : 0;
  return { tier: tier.name, timeoutMs: tier.timeoutMs, attempts, backoffMs, worstCaseMs: tier.timeoutMs * attempts + backoffMs };
}

/** The tiers a request may wait for, in order, in the worst case. */
export function worstCasePath(spec: Spec): Tier[] {
  const tiers = spec.models?.tiers ?? [];
  if (tiers.length === 0) return [];
  const strategy = spec.models?.routing?.strategy ?? (tiers.length > 1 ? 'cascade' : 'single');
  if (strategy === 'cascade') return tiers;
  const path = [tiers[0]!];
  if (spec.resilience?.fallback?.strategy === 'lower-tier' && tiers[1]) path.push(tiers[1]);
  return path;
}

export function latencyBudget(spec: Spec): LatencyBudget {
  const tiers = (spec.models?.tiers ?? []).map((tier) => tierLatency(spec, tier));
  const byName = new Map(tiers.map((t) => [t.tier, t]));
  const path = worstCasePath(spec).map((t) => t.name);
  const worstCaseMs = path.reduce((sum, name) => sum + (byName.get(name)?.worstCaseMs ?? 0), 0);
  return {
    tiers,
    path,
    worstCaseMs,
    requestTimeoutMs: spec.resilience?.timeoutMs,
    p95Ms: spec.slo.latency.p95Ms,
    p99Ms: spec.slo.latency.p99Ms,
  };
}

export interface CostModel {
  /** Expected cost of one request, in USD. */
  perRequestUsd: number;
  /** perRequestUsd x dailyRequests x 30, when the load is known. */
  monthlyUsd: number | undefined;
  escalationRate: number;
  budgetPerRequestUsd: number | undefined;
  budgetMonthlyUsd: number | undefined;
  /**
   * The escalation rate at which a budget breaks (the lower of the per-request and monthly
   * limits); undefined when no budget or no escalation applies, 0 when only no escalation fits
   * (or, with `noRateFits`, not even that), and Infinity when even full escalation fits.
   */
  breakEvenEscalationRate: number | undefined;
  /** The first tier alone costs more than the budget: no escalation rate fits. */
  noRateFits: boolean;
}

function costAt(tiers: Tier[], strategy: 'cascade' | 'single', rate: number): number {
  if (tiers.length === 0) return 0;
  if (strategy === 'single') return tiers[0]!.costPerRequestUsd;
  return tiers.reduce((sum, tier, index) => sum + tier.costPerRequestUsd * rate ** index, 0);
}

export function costModel(spec: Spec): CostModel {
  const tiers = spec.models?.tiers ?? [];
  const strategy = spec.models?.routing?.strategy ?? (tiers.length > 1 ? 'cascade' : 'single');
  const rate = strategy === 'cascade' ? (spec.models?.routing?.expectedEscalationRate ?? 1) : 0;
  const perRequestUsd = costAt(tiers, strategy, rate);
  const daily = spec.business.expectedLoad?.dailyRequests;
  const monthlyUsd = daily === undefined ? undefined : perRequestUsd * daily * DAYS_PER_MONTH;
  const budgetPerRequestUsd = spec.business.budget?.costPerRequestUsd;
  const budgetMonthlyUsd = spec.business.budget?.monthlyUsd;

  const limits: number[] = [];
  if (budgetPerRequestUsd !== undefined) limits.push(budgetPerRequestUsd);
  if (budgetMonthlyUsd !== undefined && daily) limits.push(budgetMonthlyUsd / (daily * DAYS_PER_MONTH));
  let breakEvenEscalationRate: number | undefined;
  let noRateFits = false;
  if (strategy === 'cascade' && tiers.length > 1 && limits.length > 0) {
    const limit = Math.min(...limits);
    if (costAt(tiers, strategy, 1) <= limit) breakEvenEscalationRate = Infinity;
    else if (costAt(tiers, strategy, 0) > limit) {
      breakEvenEscalationRate = 0;
      noRateFits = true;
    } else {
      // Cost grows monotonically with the rate: bisect.
      let low = 0;
      let high = 1;
      for (let i = 0; i < 60; i++) {
        const mid = (low + high) / 2;
        if (costAt(tiers, strategy, mid) <= limit) low = mid;
        else high = mid;
      }
      breakEvenEscalationRate = low;
    }
  }
  return { perRequestUsd, monthlyUsd, escalationRate: rate, budgetPerRequestUsd, budgetMonthlyUsd, breakEvenEscalationRate, noRateFits };
}

/** Per-tier availability assumed when none is given, in percent: a hosted endpoint's usual SLA, and in-process code. */
export const DEFAULT_TIER_AVAILABILITY: Readonly<Record<Tier['kind'], number>> = { http: 99.9, local: 99.99 };
/** The assumed availability of a static or cache fallback, in percent: in-process code with no dependency. */
export const FALLBACK_AVAILABILITY = 99.99;

export interface TierAvailability {
  tier: string;
  /** Percent of calls the tier answers. */
  availability: number;
  /** The share of requests whose path ends at this tier (0..1). */
  share: number;
}

export interface AvailabilityModel {
  tiers: TierAvailability[];
  fallback: 'lower-tier' | 'static' | 'cache' | undefined;
  /** Percent of requests answered when any failing tier on a request's path fails the request. */
  withoutFallback: number;
  /** Percent of requests answered with the spec's fallback; undefined when it has none, or one with nothing to answer. */
  withFallback: number | undefined;
  /** Why the spec's fallback cannot answer (it then counts as none): see design/fallback.ts. */
  fallbackGap: FallbackGap | undefined;
  slo: number;
}

/**
 * Availability of the composition, in percent. Tiers fail independently.
 *
 * Without a fallback a request fails if any tier on its path fails. In a cascade with escalation
 * rate r, a request stops at tier k with probability r^k (1 - r) (the last tier: r^k), and it
 * succeeds only if tiers 0..k all answer: A = sum over k of share_k x a_0 x ... x a_k. A single
 * strategy calls its first tier: A = a_0.
 *
 * With a lower-tier fallback a failing tier hands the request to another one, so it fails only
 * if every tier that can answer it fails: A = 1 - (1 - a_0) x ... x (1 - a_n) over the worst-case
 * path. With a static or cache fallback the answer no longer depends on the tiers at all: whatever
 * they do, the fallback answers, so what is left is the fallback's own availability
 * (FALLBACK_AVAILABILITY). Only a fallback that can answer counts (`fallbackGap`): a static
 * fallback without a static answer, or a lower-tier or cache one without a tier to fall to and
 * no static answer, fails the request like no fallback at all.
 *
 * Example (the reference spec): fast 99.99, strong 99.9, r = 0.35. Without fallback
 * 0.65 x 0.9999 + 0.35 x 0.9999 x 0.999 = 99.955%; with lower-tier 1 - 0.0001 x 0.001 = 99.99999%.
 */
export function availabilityModel(spec: Spec, tierAvailability: Readonly<Record<string, number>> = {}): AvailabilityModel {
  const all = spec.models?.tiers ?? [];
  const strategy = spec.models?.routing?.strategy ?? (all.length > 1 ? 'cascade' : 'single');
  const rate = strategy === 'cascade' ? (spec.models?.routing?.expectedEscalationRate ?? 1) : 0;
  const served = strategy === 'cascade' ? all : all.slice(0, 1);
  const fraction = (tier: Tier) => (tierAvailability[tier.name] ?? DEFAULT_TIER_AVAILABILITY[tier.kind]) / 100;

  const tiers: TierAvailability[] = served.map((tier, k) => ({
    tier: tier.name,
    availability: fraction(tier) * 100,
    share: k === served.length - 1 ? rate ** k : rate ** k * (1 - rate),
  }));
  let without = 0;
  let reached = 1;
  served.forEach((tier, k) => {
    reached *= fraction(tier);
    without += tiers[k]!.share * reached;
  });

  const fallback = spec.resilience?.fallback?.strategy;
  const gap = fallbackGap(spec);
  let withFallback: number | undefined;
  if (gap !== undefined) {
    withFallback = undefined;
  } else if (fallback === 'lower-tier') {
    const path = worstCasePath(spec);
    withFallback = path.length === 0 ? undefined : (1 - path.reduce((product, tier) => product * (1 - fraction(tier)), 1)) * 100;
  } else if (fallback !== undefined) {
    withFallback = FALLBACK_AVAILABILITY;
  }
  return {
    tiers,
    fallback,
    withoutFallback: served.length === 0 ? 100 : without * 100,
    withFallback,
    fallbackGap: gap,
    slo: spec.slo.availability,
  };
}
