/**
 * The recommender: failure modes in, patterns out. Each failure mode is ranked by risk and gets
 * the primary patterns for its kind; the patterns are merged into the `architecture.patterns`
 * shape, one entry per pattern with every failure mode it addresses.
 */
import type { FailureMode, FailureModeKind, PatternId, Spec } from '../spec/schema.js';
import { PATTERNS, PATTERNS_BY_ID, patternAddresses, taskFailureMode, type Pattern } from './catalog.js';

export const LEVEL_SCORE = { low: 1, medium: 2, high: 3 } as const;

export interface RankedFailureMode {
  id: string;
  kind: FailureModeKind;
  likelihood: FailureMode['likelihood'];
  impact: FailureMode['impact'];
  /** likelihood x impact, low 1, medium 2, high 3. */
  risk: number;
  /** The primary patterns for its kind, in order of preference. */
  patterns: PatternId[];
  /** `llm-outage is upstream-failure, likelihood medium, impact high: circuit-breaker + timeout` */
  reason: string;
}

export interface PatternChoice {
  pattern: PatternId;
  /** Failure mode ids, highest risk first (for a kept entry: as the spec has them). */
  addresses: string[];
  /** new: recommended and not in the spec; kept: already in architecture.patterns, left as it is. */
  status: 'new' | 'kept';
  /** The highest risk among the failure modes it addresses (0 for a kept entry that addresses none). */
  risk: number;
  reason: string;
  summary: string;
  cost: Pattern['cost'];
}

export interface Alternative {
  pattern: PatternId;
  /** The failure modes of the spec whose kind it addresses. */
  couldAddress: string[];
  summary: string;
  cost: Pattern['cost'];
}

export interface Recommendations {
  /** Every failure mode, highest risk first. */
  failureModes: RankedFailureMode[];
  /** Patterns to add, highest risk first. */
  recommended: PatternChoice[];
  /** The spec's own architecture.patterns, in spec order. */
  kept: PatternChoice[];
}

const risk = (mode: FailureMode) => LEVEL_SCORE[mode.likelihood] * LEVEL_SCORE[mode.impact];

/** Highest risk first; on a tie the higher impact first; then the order of the spec. */
export function rankFailureModes(modes: readonly FailureMode[]): FailureMode[] {
  return modes
    .map((mode, index) => ({ mode, index }))
    .sort((a, b) => risk(b.mode) - risk(a.mode) || LEVEL_SCORE[b.mode.impact] - LEVEL_SCORE[a.mode.impact] || a.index - b.index)
    .map(({ mode }) => mode);
}

function deployPattern(spec: Spec): PatternId {
  const inSpec = new Set((spec.architecture?.patterns ?? []).map((entry) => entry.pattern));
  const canary = spec.deploy?.strategy === 'canary' || (inSpec.has('canary') && !inSpec.has('blue-green'));
  return canary ? 'canary' : 'blue-green';
}

/** The primary patterns for a kind of failure, for this spec. */
export function primaryPatterns(kind: FailureModeKind, spec: Spec): PatternId[] {
  switch (kind) {
    case 'upstream-failure':
      return ['circuit-breaker', 'retry-with-backoff', 'graceful-degradation', 'timeout'];
    case 'latency-spike':
      return ['timeout', 'circuit-breaker', 'graceful-degradation'];
    case 'bad-output':
      return ['output-validation', 'graceful-degradation'];
    case 'bad-deploy':
      return [deployPattern(spec), 'automated-rollback'];
    case 'data-drift':
      return ['drift-monitoring', 'prediction-logging'];
    case 'cost-overrun':
      // Tiering needs a cheaper tier to route to.
      return (spec.models?.tiers.length ?? 0) >= 2 ? ['tiered-models', 'graceful-degradation'] : ['graceful-degradation'];
    case 'traffic-surge':
      return ['bulkhead', 'load-shedding'];
  }
}

function describeModes(ids: readonly string[], modes: ReadonlyMap<string, FailureMode>): string {
  return ids
    .map((id) => {
      const mode = modes.get(id);
      return mode ? `${id} (${mode.kind}, risk ${risk(mode)})` : id;
    })
    .join(', ');
}

export function recommend(spec: Spec): Recommendations {
  const modes = spec.failureModes ?? [];
  const byId = new Map(modes.map((mode) => [mode.id, mode]));
  const existing = spec.architecture?.patterns ?? [];
  const inSpec = new Set(existing.map((entry) => entry.pattern));

  const ranked = rankFailureModes(modes);
  const failureModes: RankedFailureMode[] = ranked.map((mode) => {
    // The catalog has the last word: a pattern that does not cover the kind is never recommended for it.
    // A task's own failure mode of this kind (a rag service's bad output is an ungrounded answer) has its own patterns.
    const own = spec.task ? taskFailureMode(spec.task.kind, mode.kind) : undefined;
    const patterns = (own?.patterns ?? primaryPatterns(mode.kind, spec)).filter((pattern) => patternAddresses(pattern, mode.kind));
    return {
      id: mode.id,
      kind: mode.kind,
      likelihood: mode.likelihood,
      impact: mode.impact,
      risk: risk(mode),
      patterns,
      reason: `${mode.id} is ${mode.kind}${own ? ` (for a ${spec.task!.kind} service, ${own.id})` : ''}, likelihood ${mode.likelihood}, impact ${mode.impact}: ${patterns.join(' + ')}`,
    };
  });

  // Merge in ranked order, so the first pattern listed mitigates the riskiest failure mode.
  const merged = new Map<PatternId, { addresses: string[]; risk: number }>();
  for (const mode of failureModes) {
    for (const pattern of mode.patterns) {
      if (inSpec.has(pattern)) continue;
      const entry = merged.get(pattern) ?? { addresses: [], risk: mode.risk };
      entry.addresses.push(mode.id);
      merged.set(pattern, entry);
    }
  }
  const recommended: PatternChoice[] = [...merged].map(([pattern, entry]) => {
    const catalog = PATTERNS_BY_ID.get(pattern)!;
    return {
      pattern,
      addresses: entry.addresses,
      status: 'new',
      risk: entry.risk,
      reason: `addresses ${describeModes(entry.addresses, byId)}: ${catalog.summary}`,
      summary: catalog.summary,
      cost: catalog.cost,
    };
  });

  const kept: PatternChoice[] = existing.map((entry) => {
    const catalog = PATTERNS_BY_ID.get(entry.pattern)!;
    const risks = entry.addresses.flatMap((id) => {
      const mode = byId.get(id);
      return mode ? [risk(mode)] : [];
    });
    return {
      pattern: entry.pattern,
      addresses: [...entry.addresses],
      status: 'kept',
      risk: risks.length > 0 ? Math.max(...risks) : 0,
      reason: `already in architecture.patterns${entry.addresses.length > 0 ? `, for ${describeModes(entry.addresses, byId)}` : ''}: ${catalog.summary}`,
      summary: catalog.summary,
      cost: catalog.cost,
    };
  });

  return { failureModes, recommended, kept };
}

/**
 * The patterns the spec's own sections put to work, whether or not architecture.patterns names
 * them: a cascade of two tiers is tiered-models, resilience.circuitBreaker a circuit breaker,
 * and so on (the catalog's `configures`). output-validation is the generated code's, not the
 * spec's, so only architecture.patterns names it.
 */
export function patternsInUse(spec: Spec): Set<PatternId> {
  const used = new Set<PatternId>();
  const tiers = spec.models?.tiers ?? [];
  const strategy = spec.models?.routing?.strategy ?? (tiers.length > 1 ? 'cascade' : 'single');
  const { resilience, deploy, monitoring } = spec;
  const when = (condition: unknown, pattern: PatternId) => {
    if (condition) used.add(pattern);
  };
  when(strategy === 'cascade' && tiers.length > 1, 'tiered-models');
  when(resilience, 'orchestration-layer');
  when(resilience?.timeoutMs, 'timeout');
  when((resilience?.retry?.maxAttempts ?? 1) > 1, 'retry-with-backoff');
  when(resilience?.circuitBreaker, 'circuit-breaker');
  when(resilience?.bulkhead, 'bulkhead');
  when(resilience?.bulkhead, 'load-shedding');
  when(resilience?.fallback, 'graceful-degradation');
  when(deploy?.strategy === 'blue-green', 'blue-green');
  when(deploy?.strategy === 'canary', 'canary');
  when(deploy?.rollback?.automatic, 'automated-rollback');
  when(monitoring?.drift, 'drift-monitoring');
  when(monitoring?.predictionLogging, 'prediction-logging');
  return used;
}

/** Catalog patterns that address a kind of failure the spec lists but are neither among `chosen` nor in use by the spec. */
export function alternatives(spec: Spec, chosen: Iterable<PatternId>): Alternative[] {
  const taken = new Set([...chosen, ...patternsInUse(spec)]);
  const modes = spec.failureModes ?? [];
  return PATTERNS.filter((pattern) => !taken.has(pattern.id)).flatMap((pattern) => {
    const couldAddress = modes.filter((mode) => pattern.addresses.includes(mode.kind)).map((mode) => mode.id);
    return couldAddress.length === 0 ? [] : [{ pattern: pattern.id, couldAddress, summary: pattern.summary, cost: pattern.cost }];
  });
}
