/**
 * Answers -> spec -> text: pure, so the spec `init` writes is tested without a terminal or a disk.
 */
import { Document, isMap, isScalar, isSeq } from 'yaml';
import { API_VERSION, FAILURE_MODE_KINDS, TASK_KINDS, type FailureModeKind, type Spec } from '../spec/schema.js';
import { failureModeOf, presetTiers, targetCriterion, taskOf, type Answers, type Draft } from './answers.js';

export const SCHEMA_FILE = '.shipshape/shipshape.schema.json';
export const SCHEMA_LINE = `# yaml-language-server: $schema=${SCHEMA_FILE}`;

/**
 * Completes fully resolved scalar answers into Answers: the tiers of the model preset, the
 * failure modes of the chosen kinds with their defaults, and the target success criterion,
 * unless the lists were given as they are.
 */
export function completeAnswers(draft: Draft): Answers {
  const tiers = draft.tiers ?? presetTiers(draft);
  const kinds = (draft.failureModeKinds ?? []) as FailureModeKind[];
  const task = taskOf(draft, tiers);
  const failureModes = (draft.failureModes ?? kinds.map((kind) => ({ kind }))).map((mode) => failureModeOf(mode.kind, mode, task?.kind));
  const answers = {
    name: draft.name,
    description: draft.description,
    owner: draft.owner,
    team: draft.team,
    tier: draft.tier,
    problem: draft.problem,
    metric: draft.metric,
    metricDescription: draft.metricDescription,
    baseline: draft.baseline,
    target: draft.target,
    direction: draft.direction,
    availability: draft.availability,
    windowDays: draft.windowDays,
    p95Ms: draft.p95Ms,
    p99Ms: draft.p99Ms,
    peakRps: draft.peakRps,
    dailyRequests: draft.dailyRequests,
    task,
    tiers,
    confidenceBelow: tiers.length > 1 ? draft.confidenceBelow : undefined,
    escalationRate: tiers.length > 1 ? draft.escalationRate : undefined,
    costPerRequest: draft.costPerRequest,
    monthlyBudget: draft.monthlyBudget,
    failureModes,
  } as Omit<Answers, 'successCriteria'>;
  return { ...answers, successCriteria: draft.successCriteria ?? [targetCriterion(answers)] };
}

/** Drops undefined values, so optional answers left blank leave no key behind. */
function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The spec the answers describe, its keys in the order of examples/support-triage.yaml. */
export function buildSpec(answers: Answers): Spec {
  const spec: Spec = {
    apiVersion: API_VERSION,
    kind: 'AIService',
    metadata: defined({
      name: answers.name,
      description: answers.description,
      owner: answers.owner,
      team: answers.team,
      tier: answers.tier,
    }),
    business: defined({
      problem: answers.problem,
      metric: defined({
        name: answers.metric,
        description: answers.metricDescription,
        baseline: answers.baseline,
        target: answers.target,
        direction: answers.direction,
      }),
      successCriteria: answers.successCriteria.length > 0 ? answers.successCriteria.map((c) => defined({ ...c })) : undefined,
      budget: { costPerRequestUsd: answers.costPerRequest, monthlyUsd: answers.monthlyBudget },
      expectedLoad: { peakRps: answers.peakRps, dailyRequests: answers.dailyRequests },
    }),
    slo: {
      availability: answers.availability,
      windowDays: answers.windowDays,
      latency: { p95Ms: answers.p95Ms, p99Ms: answers.p99Ms },
    },
  };
  if (answers.task) spec.task = answers.task;
  if (answers.tiers.length > 0) {
    const tiers = answers.tiers.map((t) =>
      defined({
        name: t.name,
        kind: t.kind,
        endpoint: t.endpoint,
        apiKey: t.apiKey,
        model: t.model,
        timeoutMs: t.timeoutMs,
        costPerRequestUsd: t.costPerRequestUsd,
      }),
    );
    spec.models =
      tiers.length > 1
        ? {
            tiers,
            routing: defined({
              strategy: 'cascade' as const,
              escalateWhen: answers.confidenceBelow === undefined ? undefined : { confidenceBelow: answers.confidenceBelow },
              expectedEscalationRate: answers.escalationRate,
            }),
          }
        : { tiers, routing: { strategy: 'single' } };
  }
  if (answers.failureModes.length > 0) {
    spec.failureModes = answers.failureModes.map((m) =>
      defined({ id: m.id, kind: m.kind, description: m.description, likelihood: m.likelihood, impact: m.impact }),
    );
  }
  return spec;
}

/** Comments after section keys, as in the reference example: they say what a section is for. */
const SECTION_COMMENTS: Record<string, string> = {
  metadata: ' who owns the service and how critical it is',
  business: ' stage 1: why this exists and how we will know it works',
  slo: ' the promise to users, checked by every later stage',
  task: ` what the service does: ${TASK_KINDS.join(' | ')} (without this block, classify)`,
  models: ' the tiered model strategy',
  failureModes: ' what can go wrong in production, ranked by the owner',
};

/** Trailing comments on values, keyed by path with `*` for any list index. */
const VALUE_COMMENTS: Record<string, string> = {
  'metadata.tier': ' 1 business critical, 2 important, 3 experimental',
  'business.metric.direction': ` ${['increase', 'decrease'].join(' | ')}`,
  'slo.availability': ' percent of requests answered without error over windowDays',
  'task.rag.corpus': ' a folder of documents, relative to this file',
  'task.rag.retriever.kind': ' embedded: an in-process index built from the corpus | qdrant | opensearch | pgvector',
  'task.rag.citations.min': ' an answer citing fewer passages is a bad output',
  'task.rag.grounding.minSupport': " the share of the answer's words the cited passages must support",
  'task.extract.schema': ' a JSON Schema (draft 2020-12 or 07), relative to this file',
  'task.extract.onViolation': ' retry | escalate (to the next tier) | fallback',
  'models.tiers.*.kind': ' local: runs in-process | http: an OpenAI-compatible endpoint',
  'models.tiers.*.endpoint': ' an environment reference; secrets never go in the spec',
  'models.routing.strategy': ' cascade | single',
  'failureModes.*.kind': ` ${FAILURE_MODE_KINDS.join(' | ')}`,
  'failureModes.*.likelihood': ' low | medium | high',
};

/** Comments before keys inside a section. */
const KEY_COMMENTS: Record<string, string> = {
  'business.successCriteria': ' what the 30-day review checks the service against',
  'business.budget': ' model spend; `check` compares it with the tier prices and escalation rate',
  'slo.latency': ' end-to-end, for the whole request',
};

function annotate(node: unknown, path: string[], seen: Set<string>): void {
  if (isSeq(node)) {
    node.items.forEach((item, index) => annotate(item, [...path, String(index)], seen));
    return;
  }
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (!isScalar(pair.key)) continue;
    const here = [...path, String(pair.key.value)];
    const key = here.join('.');
    const generic = here.map((s) => (/^\d+$/.test(s) ? '*' : s)).join('.');
    if (path.length === 0) {
      if (SECTION_COMMENTS[key]) pair.key.comment = SECTION_COMMENTS[key];
      if (key !== 'apiVersion' && key !== 'kind' && key !== 'metadata') pair.key.spaceBefore = true;
    }
    if (KEY_COMMENTS[key]) pair.key.commentBefore = KEY_COMMENTS[key];
    // A comment on list items goes on the first that has the key, as in the reference example.
    const valueComment = seen.has(generic) ? undefined : VALUE_COMMENTS[generic];
    if (valueComment && isScalar(pair.value)) {
      pair.value.comment = valueComment;
      seen.add(generic);
    }
    annotate(pair.value, here, seen);
  }
}

/** The text of the spec: the schema line, a header, and a short comment on each section. */
export function renderSpec(spec: Spec): string {
  const doc = new Document(spec);
  doc.commentBefore = [
    SCHEMA_LINE.slice(1),
    ' An AI service spec, format shipshape/v1, written by `shipshape init`.',
    ' Edit it freely; `shipshape check` reviews it and `shipshape design` takes it to stage 2.',
  ].join('\n');
  annotate(doc.contents, [], new Set());
  // Small maps stay on one line, as in the reference example.
  const escalateWhen = doc.getIn(['models', 'routing', 'escalateWhen'], true);
  if (isMap(escalateWhen)) escalateWhen.flow = true;
  return doc.toString({ lineWidth: 0 });
}
