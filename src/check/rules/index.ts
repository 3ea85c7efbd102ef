/**
 * The built-in rules of `shipshape check`, in the order they run and are documented, and the
 * metadata of the two checks the engine makes itself before any rule runs.
 */
import type { Rule, RuleMeta } from '../types.js';
import { alertThresholds } from './alert-thresholds.js';
import { availabilityFallback } from './availability-fallback.js';
import { costBudget } from './cost-budget.js';
import { deployBusinessMetric } from './deploy-business-metric.js';
import { fallbackAnswer } from './fallback-answer.js';
import { failureModeMitigation } from './failure-mode-mitigation.js';
import { failureModeProof } from './failure-mode-proof.js';
import { handoffFresh } from './handoff-fresh.js';
import { inventedContacts } from './invented-contacts.js';
import { latencyBudget } from './latency-budget.js';
import { managedFiles } from './managed-files.js';
import { mergeConflicts } from './merge-conflicts.js';
import { latencyOrder } from './latency-order.js';
import { metricDirection } from './metric-direction.js';
import { noSecrets } from './no-secrets.js';
import { patternFit } from './pattern-fit.js';
import { placeholderText } from './placeholder-text.js';
import { references } from './references.js';
import { retrieverAdapter } from './retriever-adapter.js';
import { reviewDueSoon } from './review-due-soon.js';
import { reviewOverdue } from './review-overdue.js';
import { reviewOwner } from './review-owner.js';
import { routing } from './routing.js';
import { scenarioFeasibility } from './scenario-feasibility.js';
import { sectionRequired } from './section-required.js';
import { successCriteria } from './success-criteria.js';
import { taskFiles } from './task-files.js';
import { taskShape } from './task-shape.js';
import { templatePack } from './template-pack.js';
import { tier1Rollback } from './tier1-rollback.js';
import { uniqueIds } from './unique-ids.js';

/** Every built-in rule. Ids are stable: policies and exceptions refer to them. */
export const RULES: readonly Rule[] = [
  sectionRequired,
  uniqueIds,
  references,
  metricDirection,
  successCriteria,
  placeholderText,
  inventedContacts,
  latencyOrder,
  latencyBudget,
  costBudget,
  failureModeMitigation,
  patternFit,
  failureModeProof,
  scenarioFeasibility,
  tier1Rollback,
  deployBusinessMetric,
  availabilityFallback,
  fallbackAnswer,
  taskShape,
  retrieverAdapter,
  routing,
  alertThresholds,
  reviewOwner,
  noSecrets,
  // About the project around the spec: the files `generate` wrote and the pack it wrote them from.
  managedFiles,
  mergeConflicts,
  templatePack,
  // About the files the task names: the rag corpus, the extract schema.
  taskFiles,
  // About the deployment history: the 30-day review it makes due.
  reviewDueSoon,
  reviewOverdue,
  // About the handoff files: written since the spec last changed.
  handoffFresh,
];

/** The checks the engine makes itself while loading a spec; listed so policies and docs can name them. */
export const ENGINE_RULES: readonly RuleMeta[] = [
  {
    id: 'parse',
    description: 'The file can be read as YAML.',
    defaultSeverity: 'error',
    stage: 1,
    rationale:
      'Nothing else can be checked in a file that does not parse: a tab in the indentation or an unclosed bracket hides every other problem. A parse error always fails the check (exit code 2), whatever the policy says.',
    hint: 'Fix the YAML at the line and column given; indent with spaces, and quote values that contain `: ` or start with `{`, `[`, `*` or `&`.',
    examples: {
      pass: `slo:
  latency: { p95Ms: 1200, p99Ms: 2500 }`,
      fail: `slo:
  latency: { p95Ms: 1200, p99Ms: 2500`,
    },
  },
  {
    id: 'schema',
    description: 'The spec matches the shipshape/v1 schema: required fields, types, ranges and known keys.',
    defaultSeverity: 'error',
    stage: 1,
    rationale:
      'Every artifact is generated from the spec, so a misspelled key or a value of the wrong type would silently turn into a default. The schema catches it at its line, with the key it probably meant; `shipshape schema` prints the JSON Schema for editor completion.',
    hint: 'Fix the field at the line and column given; `shipshape schema` prints the JSON Schema of shipshape/v1.',
    examples: {
      pass: `slo:
  availability: 99.9
  latency: { p95Ms: 1200, p99Ms: 2500 }`,
      fail: `slo:
  availability: 100      # leaves no error budget
  latency: { p95: 1200, p99Ms: 2500 }   # unknown key p95 (did you mean p95Ms?)`,
    },
  },
];

/** The engine's checks and the built-in rules: every id a policy may set. */
export const RULE_META: readonly RuleMeta[] = [...ENGINE_RULES, ...RULES.map(metaOf)];

/** A rule's metadata alone: what `rules --json` and the formatters list, without its messages and check. */
function metaOf({ messages: _messages, check: _check, ...meta }: Rule): RuleMeta {
  return meta;
}
