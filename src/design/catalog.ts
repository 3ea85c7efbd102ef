/**
 * The pattern catalog: data, not prose scattered in code. Specs name these ids in
 * `architecture.patterns`; `check` uses `addresses` to tell whether a pattern fits the failure
 * modes it claims to mitigate, and `design` recommends from it.
 */
import type { FailureMode, FailureModeKind, PatternId, TaskKind } from '../spec/schema.js';

export type Cost = 'none' | 'low' | 'medium' | 'high';

export interface Pattern {
  id: PatternId;
  /** What it is, in one line. */
  summary: string;
  /** The failure-mode kinds it addresses. */
  addresses: readonly FailureModeKind[];
  cost: { latency: Cost; money: Cost; complexity: Cost };
  /** The spec section it configures. */
  configures: string;
  /** The module of the generated skeleton that implements it. */
  module: string;
  /** What proves it works. */
  proof: string;
  /** The alert that watches it, if any. */
  alert?: string;
}

export const PATTERNS: readonly Pattern[] = [
  {
    id: 'tiered-models',
    summary: 'A cheap, fast model answers most requests; a stronger one takes the hard ones.',
    addresses: ['cost-overrun', 'latency-spike'],
    cost: { latency: 'low', money: 'none', complexity: 'medium' },
    configures: 'models.routing',
    module: 'orchestration/router',
    proof: 'a load scenario checking the escalation rate and cost per request',
    alert: 'CostPerRequestOverBudget',
  },
  {
    id: 'orchestration-layer',
    summary: 'One layer owns routing, timeouts, retries, breakers and fallbacks for every tier.',
    addresses: ['upstream-failure', 'latency-spike', 'bad-output'],
    cost: { latency: 'none', money: 'none', complexity: 'medium' },
    configures: 'resilience',
    module: 'orchestration/',
    proof: 'the failure scenarios of stage 5',
  },
  {
    id: 'timeout',
    summary: 'Every tier call and the whole request have a deadline.',
    addresses: ['latency-spike', 'upstream-failure'],
    cost: { latency: 'none', money: 'none', complexity: 'low' },
    configures: 'models.tiers[].timeoutMs, resilience.timeoutMs',
    module: 'orchestration/policies',
    proof: 'a latency scenario whose p99 stays within the SLO',
    alert: 'LatencyP95High',
  },
  {
    id: 'retry-with-backoff',
    summary: 'Transient failures are retried a bounded number of times with exponential backoff and jitter.',
    addresses: ['upstream-failure'],
    cost: { latency: 'medium', money: 'low', complexity: 'low' },
    configures: 'resilience.retry',
    module: 'orchestration/policies',
    proof: 'an error scenario at a partial fault rate whose availability holds',
  },
  {
    id: 'circuit-breaker',
    summary: 'Stop calling a failing tier for a while, so failures are fast and the tier can recover.',
    addresses: ['upstream-failure', 'latency-spike'],
    cost: { latency: 'none', money: 'none', complexity: 'medium' },
    configures: 'resilience.circuitBreaker',
    module: 'orchestration/policies',
    proof: 'an outage scenario in which the breaker opens within seconds',
    alert: 'CircuitBreakerOpen',
  },
  {
    id: 'bulkhead',
    summary: 'Cap concurrent calls to a tier so one slow dependency cannot take every worker.',
    addresses: ['latency-spike', 'traffic-surge'],
    cost: { latency: 'low', money: 'none', complexity: 'low' },
    configures: 'resilience.bulkhead',
    module: 'orchestration/policies',
    proof: 'a surge scenario whose error rate stays bounded',
  },
  {
    id: 'graceful-degradation',
    summary: 'When the preferred path fails, answer from a lower tier, a static answer or a cache.',
    addresses: ['upstream-failure', 'latency-spike', 'bad-output', 'traffic-surge', 'cost-overrun'],
    cost: { latency: 'low', money: 'none', complexity: 'medium' },
    configures: 'resilience.fallback',
    module: 'orchestration/fallback',
    proof: 'an outage scenario whose availability holds while the fallback answers',
    alert: 'FallbackRateHigh',
  },
  {
    id: 'output-validation',
    summary: 'Parse and validate model output; malformed output counts as a failure and escalates or falls back.',
    addresses: ['bad-output'],
    cost: { latency: 'low', money: 'none', complexity: 'low' },
    configures: 'models.tiers',
    module: 'serving/validate',
    proof: 'a malformed-output scenario with a bounded fallback rate',
  },
  {
    id: 'load-shedding',
    summary: 'Refuse excess requests early with a clear status instead of queueing until everything times out.',
    addresses: ['traffic-surge'],
    cost: { latency: 'none', money: 'none', complexity: 'low' },
    configures: 'resilience.bulkhead.maxQueue',
    module: 'orchestration/policies',
    proof: 'a surge scenario whose p99 holds for the requests admitted',
    alert: 'LoadShedding',
  },
  {
    id: 'blue-green',
    summary: 'Run the new version beside the old and shift traffic in steps, with the old one ready to take it back.',
    addresses: ['bad-deploy'],
    cost: { latency: 'none', money: 'medium', complexity: 'medium' },
    configures: 'deploy',
    module: 'deploy',
    proof: 'a deployment that promotes when healthy and rolls back when not',
  },
  {
    id: 'canary',
    summary: 'Send a small share of traffic to the new version first and grow it while the analysis passes.',
    addresses: ['bad-deploy'],
    cost: { latency: 'none', money: 'low', complexity: 'medium' },
    configures: 'deploy',
    module: 'deploy',
    proof: 'a deployment that promotes when healthy and rolls back when not',
  },
  {
    id: 'automated-rollback',
    summary: 'Analysis of system and business metrics during a rollout rolls back on its own when they fail.',
    addresses: ['bad-deploy'],
    cost: { latency: 'none', money: 'none', complexity: 'medium' },
    configures: 'deploy.analysis, deploy.rollback',
    module: 'deploy',
    proof: 'a deployment of a bad version that is rolled back without a human',
    alert: 'RolloutAborted',
  },
  {
    id: 'drift-monitoring',
    summary: 'Compare live input statistics with the reference and alert when they move.',
    addresses: ['data-drift'],
    cost: { latency: 'none', money: 'low', complexity: 'medium' },
    configures: 'monitoring.drift',
    module: 'monitoring/drift',
    proof: 'a drift alert that fires on a shifted input sample',
    alert: 'InputDrift',
  },
  {
    id: 'prediction-logging',
    summary: 'Log a sample of inputs and predictions, so quality can be audited and drift explained.',
    addresses: ['data-drift', 'bad-output', 'bad-deploy'],
    cost: { latency: 'none', money: 'low', complexity: 'low' },
    configures: 'monitoring.predictionLogging',
    module: 'monitoring/prediction-log',
    proof: 'sampled prediction logs in the service output',
  },
];

export const PATTERNS_BY_ID: ReadonlyMap<PatternId, Pattern> = new Map(PATTERNS.map((p) => [p.id, p]));

export function patternAddresses(pattern: PatternId, kind: FailureModeKind): boolean {
  return PATTERNS_BY_ID.get(pattern)?.addresses.includes(kind) ?? false;
}

/**
 * A failure mode a task brings of its own (task.kind): what it looks like, the kind it is filed
 * under, and what the generated service does about it. `init` offers it as the default of its
 * kind, `design` recommends its patterns and the ADR names it.
 */
export interface TaskFailureMode extends Required<Omit<FailureMode, 'kind'>> {
  kind: FailureModeKind;
  /** The patterns that mitigate it, in order of preference; each addresses its kind in the catalog above. */
  patterns: readonly PatternId[];
  /** What the generated service does when it happens, for the ADR. */
  handling: string;
}

export const TASK_FAILURE_MODES: Readonly<Record<TaskKind, readonly TaskFailureMode[]>> = {
  classify: [],
  rag: [
    {
      id: 'ungrounded-answer',
      kind: 'bad-output',
      description:
        'An answer cites fewer passages than task.rag.citations.min, or the passages it cites do not support it (a hallucination).',
      likelihood: 'medium',
      impact: 'high',
      patterns: ['output-validation', 'graceful-degradation', 'prediction-logging'],
      handling:
        'the grounding check (task.rag.grounding.minSupport) and the citation count judge every answer; one that fails is a bad output, counted, and answered by the next tier or the fallback',
    },
    {
      id: 'empty-retrieval',
      kind: 'data-drift',
      description: 'Questions move outside the corpus, so retrieval finds no passage to answer from.',
      likelihood: 'medium',
      impact: 'medium',
      patterns: ['drift-monitoring', 'prediction-logging'],
      handling:
        'a question with no passage is never sent to a model: it gets the static fallback answer, without citations and marked degraded, and the share of such questions is watched for drift',
    },
  ],
  extract: [
    {
      id: 'schema-violation',
      kind: 'bad-output',
      description: 'The output is not JSON, or violates the JSON Schema of task.extract.schema.',
      likelihood: 'high',
      impact: 'medium',
      patterns: ['output-validation', 'graceful-degradation'],
      handling:
        'every output is validated against the JSON Schema; a violation is a bad output, counted, and retried, escalated or answered by the fallback as task.extract.onViolation says',
    },
  ],
};

/** The task's own failure mode of a kind, if it has one. */
export function taskFailureMode(task: TaskKind, kind: FailureModeKind): TaskFailureMode | undefined {
  return TASK_FAILURE_MODES[task].find((mode) => mode.kind === kind);
}
