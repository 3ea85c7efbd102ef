// task.kind rag: an answer to a question from the corpus, with citations. The tiers retrieve passages (the embedded
// index, or OpenSearch), answer (local: the extractive reader; http: an LLM given the passages), and every answer is
// checked (citations, grounding) before it stands: a failed check is a bad output that goes on to the next tier or
// the fallback, like any other tier failure. The orchestration layer is the one every task shares.
import * as z from 'zod';
import { taskOf, type Config } from '../config/index.js';
import type { OutputChecks } from '../monitoring/checks.js';
import type { Answer } from '../orchestration/router.js';
import { answerMetaSchema } from '../serving/contract.js';
import { createTiers } from '../serving/index.js';
import { TierError, type ModelTier } from '../serving/tier.js';
import { checkAnswer, type RagOutput } from '../rag/grounding.js';
import { openSearchRetriever } from '../rag/opensearch.js';
import { createReaderTier } from '../rag/reader.js';
import { embeddedRetriever, memoised, type Retriever } from '../rag/retriever.js';
import { ragProtocol } from '../rag/writer.js';

export const TASK_KIND = 'rag';

const citationSchema = z.object({
  id: z.string().describe('The passage: <document>#<n>.'),
  doc: z.string().describe('The document of the corpus, e.g. password-reset.md.'),
  title: z.string().describe("The document's title."),
});

/** The answer of POST /v1/predict. */
export const predictResponseSchema = answerMetaSchema.extend({
  answer: z.string().describe('The answer, from the corpus.'),
  citations: z.array(citationSchema).describe('The passages the answer rests on; empty only when degraded.'),
  confidence: z.number().min(0).max(1),
  degraded: z.boolean().describe('True when the static fallback answered: no tier could give a grounded answer.'),
});

type RagConfig = Extract<Config['task'], { kind: 'rag' }>;

export function createRetriever(config: Config): Retriever {
  const task = taskOf(config, 'rag');
  const { retriever } = task;
  const base =
    retriever.kind === 'opensearch'
      ? openSearchRetriever({ url: retriever.url!, index: retriever.collection })
      : embeddedRetriever(task.corpusDir, task.chunking);
  return memoised(base);
}

/** Every tier's answer passes the citation and grounding checks, or fails as a bad output (invalid-output). */
function checked(tier: ModelTier, retriever: Retriever, task: RagConfig, checks: OutputChecks): ModelTier {
  return {
    ...tier,
    predict: async (question, signal) => {
      const prediction = await tier.predict(question, signal);
      const output = prediction.output as RagOutput;
      const given = await retriever.retrieve(question, task.retriever.topK, signal);
      const result = checkAnswer(output, given, task);
      checks.record('citations', tier.name, result.citations.passed);
      // An empty answer (nothing retrieved, nothing matched) is no claim to ground: it fails on its citations alone.
      if (output.answer.trim() !== '') checks.record('grounding', tier.name, result.grounding.passed);
      const problem = result.citations.problem ?? result.grounding.problem;
      if (problem) throw new TierError(tier.name, 'invalid-output', `tier ${tier.name}: ${problem}`);
      return prediction;
    },
  };
}

export function createTaskTiers(config: Config, checks: OutputChecks, retriever: Retriever = createRetriever(config)): ModelTier[] {
  const task = taskOf(config, 'rag');
  const { topK } = task.retriever;
  const tiers = createTiers(
    config,
    (tier) => createReaderTier({ name: tier.name, model: tier.model, costPerRequestUsd: tier.costPerRequestUsd, retriever, topK }),
    { protocol: ragProtocol(retriever, topK) },
  );
  return tiers.map((tier) => checked(tier, retriever, task, checks));
}

/** The JSON Schema of the answer. */
export function answerJsonSchema(_task: Config['task']): Record<string, unknown> {
  return z.toJSONSchema(predictResponseSchema, { io: 'output' });
}

/** The task's fields of the answer: the static fallback's answer has no citations and is marked degraded. */
export function taskFields(answer: Answer): Record<string, unknown> {
  const output = (answer.prediction.output ?? {}) as Partial<RagOutput>;
  return {
    answer: typeof output.answer === 'string' ? output.answer : '',
    citations: Array.isArray(output.citations) ? output.citations : [],
    confidence: answer.prediction.confidence,
    degraded: answer.tier === 'static',
  };
}

/** Each answer served feeds cited_answer_rate (1 when it cites a passage), when the spec names it. */
export function observeServed(answer: Answer, checks: OutputChecks): void {
  const citations = (answer.prediction.output as Partial<RagOutput> | undefined)?.citations;
  checks.observe('cited_answer_rate', Array.isArray(citations) && citations.length > 0);
}

/** Checks the spec's static fallback has the task's shape. */
export function checkStatic(fields: Record<string, unknown>, _config: Config): string | undefined {
  if (typeof fields['answer'] !== 'string') return 'resilience.fallback.static of a rag service needs an answer (text)';
  if (fields['citations'] !== undefined && (!Array.isArray(fields['citations']) || fields['citations'].length > 0))
    return 'resilience.fallback.static.citations must be [] (a static answer cites nothing)';
  return undefined;
}
