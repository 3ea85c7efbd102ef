// The checks of a rag answer: enough citations (task.rag.citations.min), each to a passage the tier was given, and
// grounding (task.rag.grounding.minSupport): the share of the answer's content words found in the passages it cites.
// An answer that fails is a bad output (a hallucination): the orchestration layer sends the request on to the next
// tier or the fallback.
import type { Passage } from './corpus.js';
import { contentWords } from './text.js';

/** A citation as the service returns it. */
export interface Citation {
  id: string;
  doc: string;
  title: string;
}

/** What a rag tier answers (Prediction.output). */
export interface RagOutput extends Record<string, unknown> {
  answer: string;
  citations: Citation[];
}

/** 0..1: the share of the answer's content words that appear in the cited passages (1 for an answer with no content word). */
export function support(answer: string, cited: readonly Pick<Passage, 'text' | 'title'>[]): number {
  const words = contentWords(answer);
  if (words.length === 0) return 1;
  const known = new Set(cited.flatMap((passage) => contentWords(`${passage.title} ${passage.text}`)));
  return words.filter((word) => known.has(word)).length / words.length;
}

export interface RagCheck {
  citations: { passed: boolean; problem?: string };
  grounding: { passed: boolean; support: number; problem?: string };
}

/** Checks an answer against the passages the tier was given. */
export function checkAnswer(output: RagOutput, given: readonly Passage[], rules: { citationsMin: number; minSupport: number }): RagCheck {
  const byId = new Map(given.map((passage) => [passage.id, passage]));
  const unknown = output.citations.filter((citation) => !byId.has(citation.id)).map((citation) => citation.id);
  const citations =
    unknown.length > 0
      ? { passed: false, problem: `cites passages it was not given: ${unknown.join(', ')}` }
      : output.citations.length < rules.citationsMin
        ? {
            passed: false,
            problem: `cites ${output.citations.length} passage(s), fewer than ${rules.citationsMin} (task.rag.citations.min)`,
          }
        : { passed: true };
  const cited = output.citations.flatMap((citation) => byId.get(citation.id) ?? []);
  const share = cited.length === 0 ? (output.answer.trim() === '' ? 0 : support(output.answer, [])) : support(output.answer, cited);
  const grounding =
    share >= rules.minSupport
      ? { passed: true, support: share }
      : {
          passed: false,
          support: share,
          problem: `ungrounded: ${Math.round(share * 100)}% of its words are in the passages it cites, under ${Math.round(rules.minSupport * 100)}% (task.rag.grounding.minSupport)`,
        };
  return { citations, grounding };
}

export const citationOf = (passage: Passage): Citation => ({ id: passage.id, doc: passage.doc, title: passage.title });
