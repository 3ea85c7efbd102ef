import { defineRule, num, type Report } from './util.js';

const VECTOR_STORE_HINT = 'Give task.rag.retriever an endpoint, an environment reference like ${VECTOR_STORE_URL}, or use kind: embedded.';

export const taskShape = defineRule({
  id: 'task-shape',
  description:
    "The task block holds together: a rag answer can cite as many passages as it is given, a vector store has an endpoint, and the static fallback has the task's shape.",
  defaultSeverity: 'error',
  stage: 1,
  rationale:
    'A rag service that must cite more passages than its retriever returns fails every answer as ungrounded; a retriever with no endpoint cannot reach its store; a static fallback shaped for another task (a label where an answer is expected) puts a sentence in the wrong field of every degraded response. Each is a spec that cannot work as written, found before anything is generated from it.',
  hint: 'Make task.rag.citations.min at most task.rag.retriever.topK, give a vector-store retriever its endpoint, and give a rag fallback { answer, citations: [] }.',
  examples: {
    pass: `task:
  kind: rag
  rag:
    corpus: docs
    retriever: { kind: opensearch, topK: 4, endpoint: '\${OPENSEARCH_URL}', collection: helpdesk }
    citations: { min: 1 }
resilience:
  timeoutMs: 2000
  fallback:
    strategy: lower-tier
    static: { answer: We could not find this; a person will follow up., citations: [] }`,
    fail: `task:
  kind: rag
  rag:
    corpus: docs
    retriever: { kind: opensearch, topK: 2 }  # no endpoint
    citations: { min: 3 }                     # more than the 2 passages retrieved
resilience:
  timeoutMs: 2000
  fallback:
    strategy: lower-tier
    static: { label: needs-review }           # a classifier's answer`,
  },
  messages: {
    citationsOverTopK:
      'task.rag.citations.min ({{min}}) is above task.rag.retriever.topK ({{topK}}): an answer cannot cite more passages than it is given, so every answer would be ungrounded.',
    storeWithoutEndpoint:
      'task.rag.retriever.kind is {{kind}} but there is no task.rag.retriever.endpoint: the service cannot reach the vector store.',
    ragFallbackNoAnswer:
      'resilience.fallback.static has no `answer` text: when every tier fails, a rag service answers with { answer, citations: [] }.',
    ragFallbackCitations:
      'resilience.fallback.static.citations must be an empty list: a static answer cites no passage (the service marks it degraded).',
  },
  check({ spec }) {
    const rag = spec.task?.kind === 'rag' ? spec.task.rag : undefined;
    if (!rag) return [];
    const reports: Report[] = [];
    const retriever = rag.retriever;
    const topK = retriever?.topK ?? 4;
    if (rag.citations && rag.citations.min > topK) {
      reports.push({
        path: ['task', 'rag', 'citations', 'min'],
        messageId: 'citationsOverTopK',
        data: { min: num(rag.citations.min), topK: num(topK) },
        hint: `Lower task.rag.citations.min to at most ${num(topK)}, or raise task.rag.retriever.topK.`,
      });
    }
    if (retriever && retriever.kind !== 'embedded' && retriever.endpoint === undefined) {
      reports.push({
        path: ['task', 'rag', 'retriever', 'kind'],
        messageId: 'storeWithoutEndpoint',
        data: { kind: retriever.kind },
        hint: VECTOR_STORE_HINT,
      });
    }
    const answer = spec.resilience?.fallback?.static;
    if (answer) {
      if (typeof answer['answer'] !== 'string' || answer['answer'].trim() === '') {
        reports.push({
          path: ['resilience', 'fallback', 'static'],
          messageId: 'ragFallbackNoAnswer',
          hint: 'Write resilience.fallback.static as { answer: <what to tell the user>, citations: [] }.',
        });
      }
      if ('citations' in answer && !(Array.isArray(answer['citations']) && answer['citations'].length === 0)) {
        reports.push({
          path: ['resilience', 'fallback', 'static', 'citations'],
          messageId: 'ragFallbackCitations',
          hint: 'Write citations: [].',
        });
      }
    }
    return reports;
  },
});
