// task.kind extract: structured output, valid against the JSON Schema of task.extract.schema. The local tier reads
// the document's `Name: value` lines; http tiers ask an LLM. Every output is validated: one that violates the schema
// is a bad output, handled as task.extract.onViolation says (retry: the same tier once more; escalate: the next tier;
// fallback: straight to the fallback). The orchestration layer is the one every task shares.
import * as z from 'zod';
import { taskOf, type Config } from '../config/index.js';
import type { OutputChecks } from '../monitoring/checks.js';
import type { Answer } from '../orchestration/router.js';
import { answerMetaSchema } from '../serving/contract.js';
import { createTiers } from '../serving/index.js';
import { TierError, type ModelTier } from '../serving/tier.js';
import { extractProtocol } from '../extract/llm.js';
import { createPatternTier } from '../extract/patterns.js';
import { loadSchema, type OutputSchema } from '../extract/schema.js';

export const TASK_KIND = 'extract';

/** The answer of POST /v1/predict; `data` is described by the task's JSON Schema in the OpenAPI description. */
export const predictResponseSchema = answerMetaSchema.extend({
  data: z.record(z.string(), z.unknown()).describe('The extracted object, valid against task.extract.schema.'),
  confidence: z.number().min(0).max(1),
  degraded: z.boolean().describe("True when the static fallback answered: the spec's placeholder object, not an extraction."),
});

type ExtractConfig = Extract<Config['task'], { kind: 'extract' }>;

const schemas = new Map<string, OutputSchema>();
/** The task's schema, loaded once per file. */
export function outputSchema(task: Config['task']): OutputSchema {
  const { schemaFile } = taskOf({ task }, 'extract');
  let schema = schemas.get(schemaFile);
  if (!schema) schemas.set(schemaFile, (schema = loadSchema(schemaFile)));
  return schema;
}

/** A tier whose every output is checked against the task's schema (exported for the tests). */
export function withChecks(tier: ModelTier, config: Config, checks: OutputChecks): ModelTier {
  const task = taskOf(config, 'extract');
  return checked(tier, outputSchema(task), task, checks);
}

function checked(tier: ModelTier, schema: OutputSchema, task: ExtractConfig, checks: OutputChecks): ModelTier {
  const attempt = async (text: string, signal: AbortSignal) => {
    const prediction = await tier.predict(text, signal);
    const problem = schema.problem(prediction.output);
    checks.record('schema', tier.name, problem === undefined);
    return { prediction, problem };
  };
  return {
    ...tier,
    predict: async (text, signal) => {
      let { prediction, problem } = await attempt(text, signal);
      if (problem !== undefined && task.onViolation === 'retry') ({ prediction, problem } = await attempt(text, signal));
      if (problem === undefined) return prediction;
      throw new TierError(tier.name, 'invalid-output', `tier ${tier.name}: the output violates the schema: ${problem}`, {
        toFallback: task.onViolation === 'fallback',
      });
    },
  };
}

export function createTaskTiers(config: Config, checks: OutputChecks): ModelTier[] {
  const task = taskOf(config, 'extract');
  const schema = outputSchema(task);
  const tiers = createTiers(
    config,
    (tier) => createPatternTier({ name: tier.name, model: tier.model, costPerRequestUsd: tier.costPerRequestUsd, schema }),
    { protocol: extractProtocol(schema) },
  );
  return tiers.map((tier) => checked(tier, schema, task, checks));
}

/** The JSON Schema of the answer, `data` described by the task's own schema. */
export function answerJsonSchema(task: Config['task']): Record<string, unknown> {
  const answer = z.toJSONSchema(predictResponseSchema, { io: 'output' }) as { properties: Record<string, unknown> };
  const { $schema: _draft, $id: _id, ...data } = outputSchema(task).json;
  answer.properties['data'] = data;
  return answer;
}

export function taskFields(answer: Answer): Record<string, unknown> {
  return { data: answer.prediction.output ?? {}, confidence: answer.prediction.confidence, degraded: answer.tier === 'static' };
}

export function observeServed(_answer: Answer, _checks: OutputChecks): void {
  // schema_valid_rate is fed by each check (src/monitoring/checks.ts).
}

/** The static fallback must itself be valid against the schema. */
export function checkStatic(fields: Record<string, unknown>, config: Config): string | undefined {
  const problem = outputSchema(config.task).problem(fields);
  return problem === undefined ? undefined : `resilience.fallback.static is not valid against task.extract.schema: ${problem}`;
}
