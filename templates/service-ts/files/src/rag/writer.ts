// The `http` tier of a rag service: an LLM behind an OpenAI-compatible API, given the question and the retrieved
// passages, asked for an answer that cites the passages it used (src/serving/http.ts makes the call).
import * as z from 'zod';
import type { HttpProtocol } from '../serving/http.js';
import type { Passage } from './corpus.js';
import { citationOf, type RagOutput } from './grounding.js';
import type { Retriever } from './retriever.js';

export const RAG_SYSTEM_PROMPT = [
  'Task: rag',
  'You answer the question of the user message from its passages only, and cite by id every passage you used.',
  'When the passages do not hold the answer, say so, cite nothing, and give a confidence of 0.',
  'Answer with only a JSON object, no other text, in this form:',
  '{"answer": <the answer, in a few sentences>, "citations": [<passage id>, ...], "confidence": <a number from 0 to 1>}',
].join('\n');

const Answer = z.object({
  answer: z.string(),
  citations: z.array(z.string()),
  confidence: z.number().min(0).max(1),
});

/** The user message: the question and the passages, as JSON. */
export function ragUserMessage(question: string, passages: readonly Passage[]): string {
  return JSON.stringify({ question, passages: passages.map(({ id, title, text }) => ({ id, title, text })) });
}

export function ragProtocol(retriever: Retriever, topK: number): HttpProtocol {
  return {
    systemPrompt: RAG_SYSTEM_PROMPT,
    async user(question, signal) {
      const passages = await retriever.retrieve(question, topK, signal);
      return { content: ragUserMessage(question, passages), context: passages };
    },
    parse(json, context) {
      const answer = Answer.safeParse(json);
      if (!answer.success) throw new Error(`the answer is not {answer, citations, confidence}: ${answer.error.issues[0]?.message ?? ''}`);
      const given = new Map((context as Passage[]).map((passage) => [passage.id, passage]));
      const output: RagOutput = {
        answer: answer.data.answer.trim(),
        // A citation of a passage it was not given stays, for the check to refuse.
        citations: [...new Set(answer.data.citations)].map((id) => {
          const passage = given.get(id);
          return passage ? citationOf(passage) : { id, doc: id.replace(/#\d+$/, ''), title: '' };
        }),
      };
      return { label: 'answer', confidence: answer.data.confidence, reply: null, output };
    },
  };
}
