// task.kind classify (a spec without a task block): a label, a confidence and a drafted reply per input. The local
// tier is the k-nearest-neighbour classifier over data/examples.jsonl; http tiers choose among its labels.
import * as z from 'zod';
import { taskOf, type Config } from '../config/index.js';
import type { OutputChecks } from '../monitoring/checks.js';
import type { Answer } from '../orchestration/router.js';
import { answerMetaSchema, classifyFields } from '../serving/contract.js';
import { loadExamples, type Example } from '../serving/examples.js';
import { createTiers } from '../serving/index.js';
import { createLocalTier } from '../serving/local.js';
import type { ModelTier } from '../serving/tier.js';

export const TASK_KIND = 'classify';

/** The answer of POST /v1/predict. */
export const predictResponseSchema = answerMetaSchema.extend({
  label: z.string().describe('One of the labels of data/examples.jsonl.'),
  confidence: z.number().min(0).max(1),
  reply: z.string().nullable().describe('A drafted reply, when the tier wrote one.'),
  static: z.record(z.string(), z.unknown()).optional().describe("The static fallback's fields, when it answered."),
});

/** The labels every tier answers with: those of the labelled examples, in first-seen order. */
export function labelsOf(examples: readonly Example[]): string[] {
  return [...new Set(examples.map((example) => example.label))];
}

/** The tiers of a classifier: local tiers learn from the labelled examples, http tiers choose among their labels. */
export function createTaskTiers(
  config: Config,
  _checks: OutputChecks,
  examples: Example[] = loadExamples(taskOf(config, 'classify').examplesFile),
): ModelTier[] {
  return createTiers(
    config,
    (tier) => createLocalTier({ name: tier.name, model: tier.model, costPerRequestUsd: tier.costPerRequestUsd, examples }),
    { labels: labelsOf(examples) },
  );
}

/** The JSON Schema of the answer. */
export function answerJsonSchema(_task: Config['task']): Record<string, unknown> {
  return z.toJSONSchema(predictResponseSchema, { io: 'output' });
}

export const taskFields = classifyFields;

export function observeServed(_answer: Answer, _checks: OutputChecks): void {
  // A classifier's business metrics come from feedback (POST /v1/feedback).
}

export function checkStatic(_fields: Record<string, unknown>, _config: Config): string | undefined {
  // Read by src/config/index.ts: a label (or a queue) and a reply.
  return undefined;
}
