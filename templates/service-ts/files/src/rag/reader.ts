// The `local` tier of a rag service: an extractive reader. It answers with the sentence of the retrieved passages that
// shares the most content words with the question, and cites that sentence's passage; in process, in well under a
// millisecond, at no cost. Its confidence is the share of the question's content words the sentence holds (weighted
// by the passage's retrieval rank), so that a question it only half matches escalates to the next tier.
import type { ModelTier, Prediction } from '../serving/tier.js';
import { citationOf, type RagOutput } from './grounding.js';
import type { Retriever } from './retriever.js';
import { contentWords, sentences } from './text.js';

export interface ReaderTierOptions {
  name: string;
  model: string;
  costPerRequestUsd: number;
  retriever: Retriever;
  topK: number;
}

export function createReaderTier(options: ReaderTierOptions): ModelTier {
  const { name, model, costPerRequestUsd, retriever, topK } = options;
  return {
    name,
    kind: 'local',
    model,
    costPerRequestUsd,
    async predict(question: string, signal: AbortSignal): Promise<Prediction> {
      const passages = await retriever.retrieve(question, topK, signal);
      const asked = new Set(contentWords(question));
      let best: { sentence: string; passage: (typeof passages)[number]; score: number } | undefined;
      passages.forEach((passage, rank) => {
        for (const sentence of sentences(passage.text)) {
          const words = new Set(contentWords(sentence));
          const shared = [...asked].filter((word) => words.has(word)).length;
          // Lower-ranked passages count less: retrieval already weighed the whole passage against the question.
          const score = asked.size === 0 ? 0 : (shared / asked.size) * (1 - rank * 0.15);
          if (!best || score > best.score) best = { sentence, passage, score };
        }
      });
      const output: RagOutput =
        best && best.score > 0 ? { answer: best.sentence, citations: [citationOf(best.passage)] } : { answer: '', citations: [] };
      return { label: 'answer', confidence: Math.max(0, Math.min(1, best?.score ?? 0)), reply: null, output };
    },
  };
}
