// The OpenSearch retriever (task.rag.retriever.kind opensearch), through the official client: for a corpus too large
// for one process, or shared by many replicas. Passages are kept as documents { doc, title, text } of the index named
// by task.rag.retriever.collection and found by BM25 (a multi_match query, the title weighted twice), as the embedded
// index finds them. `npm run index:opensearch` loads the corpus into it.
import { Client } from '@opensearch-project/opensearch';
import type { Passage } from './corpus.js';
import type { Retrieved, Retriever } from './retriever.js';

export interface OpenSearchOptions {
  /** The cluster's URL (from the variable task.rag.retriever.endpoint names); credentials may be in it. */
  url: string;
  /** The index of the passages: task.rag.retriever.collection. */
  index: string;
  /** One search's time limit, in milliseconds. */
  timeoutMs?: number;
}

interface Hit {
  _id: string;
  _score: number | null;
  _source?: { doc?: string; title?: string; text?: string };
}

/** The client's answer, whether it wraps the body (`{ body }`) or not. */
const bodyOf = <T>(response: unknown): T => ((response as { body?: T }).body ?? response) as T;

export function openSearchRetriever(options: OpenSearchOptions, client = new Client({ node: options.url })): Retriever {
  const timeoutMs = options.timeoutMs ?? 2000;
  return {
    kind: 'opensearch',
    async retrieve(question, topK): Promise<Retrieved[]> {
      const response = await client.search(
        {
          index: options.index,
          body: { size: topK, query: { multi_match: { query: question, fields: ['title^2', 'text'] } } },
        },
        { requestTimeout: timeoutMs, maxRetries: 0 },
      );
      const hits = bodyOf<{ hits: { hits: Hit[] } }>(response).hits.hits;
      return hits.map((hit) => ({
        id: hit._id,
        doc: hit._source?.doc ?? hit._id.replace(/#\d+$/, ''),
        title: hit._source?.title ?? '',
        text: hit._source?.text ?? '',
        score: hit._score ?? 0,
      }));
    },
  };
}

/** Creates the index when it is missing and writes every passage to it (by id: loading again replaces them). */
export async function indexPassages(
  options: OpenSearchOptions,
  passages: readonly Passage[],
  client = new Client({ node: options.url }),
): Promise<number> {
  const exists = bodyOf<boolean>(await client.indices.exists({ index: options.index }));
  if (!exists) {
    await client.indices.create({
      index: options.index,
      body: { mappings: { properties: { doc: { type: 'keyword' }, title: { type: 'text' }, text: { type: 'text' } } } },
    });
  }
  const body = passages.flatMap((passage) => [
    { index: { _index: options.index, _id: passage.id } },
    { doc: passage.doc, title: passage.title, text: passage.text },
  ]);
  const result = bodyOf<{ errors: boolean; items: { index?: { error?: { reason?: string } } }[] }>(
    await client.bulk({ body, refresh: true }),
  );
  if (result.errors) {
    const reason = result.items.find((item) => item.index?.error)?.index?.error?.reason ?? 'unknown';
    throw new Error(`OpenSearch refused some passages: ${reason}`);
  }
  return passages.length;
}
