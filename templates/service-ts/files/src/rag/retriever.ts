// Retrieval: the passages of the corpus that best match a question. The embedded default is an in-process BM25 index
// (MiniSearch), built from the corpus by `npm run build` (dist/rag-index.json) and loaded at start; a vector store
// (task.rag.retriever.kind opensearch: src/rag/opensearch.ts) takes its place when one machine is not enough.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import MiniSearch from 'minisearch';
import { loadPassages, type Chunking, type Passage } from './corpus.js';
import { contentWords } from './text.js';

export interface Retrieved extends Passage {
  /** The retriever's relevance score (BM25): higher is better, comparable within one question only. */
  score: number;
}

export interface Retriever {
  readonly kind: string;
  /** The `topK` passages that best match `question`, best first; none when nothing matches. */
  retrieve(question: string, topK: number, signal?: AbortSignal): Promise<Retrieved[]>;
}

/** The index `npm run build` writes (src/rag/build-index.ts) and the service loads. */
export const INDEX_FILE = new URL('../rag-index.json', import.meta.url);

const OPTIONS = {
  fields: ['title', 'text'],
  storeFields: ['doc', 'title', 'text'],
  // Function words dropped and plurals folded, as the reader and the grounding check see words.
  processTerm: (term: string) => contentWords(term)[0] ?? null,
};
const SEARCH = { boost: { title: 2 }, prefix: true, fuzzy: 0.15, combineWith: 'OR' as const };

interface IndexFile {
  corpusDir: string;
  chunking: Chunking;
  passages: number;
  index: unknown;
}

/** Builds the index of the corpus (what `npm run build` does, and the service when no built index matches its settings). */
export function buildIndex(corpusDir: string, chunking: Chunking): { search: MiniSearch<Passage>; passages: number } {
  const passages = loadPassages(corpusDir, chunking);
  const search = new MiniSearch<Passage>(OPTIONS);
  search.addAll(passages);
  return { search, passages: passages.length };
}

export function writeIndex(file: URL | string, corpusDir: string, chunking: Chunking): number {
  const { search, passages } = buildIndex(corpusDir, chunking);
  const data: IndexFile = { corpusDir, chunking, passages, index: search.toJSON() };
  writeFileSync(file, JSON.stringify(data));
  return passages;
}

/**
 * The embedded retriever: the built index when its corpus and chunking are the configuration's, else one built now
 * from the corpus (tests, and a service started from its sources).
 */
export function embeddedRetriever(corpusDir: string, chunking: Chunking, file: URL | string = INDEX_FILE): Retriever {
  let search: MiniSearch<Passage> | undefined;
  if (existsSync(file)) {
    const data = JSON.parse(readFileSync(file, 'utf8')) as IndexFile;
    if (
      data.corpusDir === corpusDir &&
      data.chunking.maxChars === chunking.maxChars &&
      data.chunking.overlapChars === chunking.overlapChars
    )
      search = MiniSearch.loadJS<Passage>(data.index as Parameters<typeof MiniSearch.loadJS>[0], OPTIONS);
  }
  search ??= buildIndex(corpusDir, chunking).search;
  const index = search;
  return {
    kind: 'embedded',
    async retrieve(question, topK) {
      return index
        .search(question, SEARCH)
        .slice(0, topK)
        .map((hit) => ({
          id: String(hit.id),
          doc: hit['doc'] as string,
          title: hit['title'] as string,
          text: hit['text'] as string,
          score: hit.score,
        }));
    },
  };
}

/**
 * Remembers the passages of the latest questions, so that the tiers of a cascade (the reader, then the writer) share
 * one retrieval per question.
 */
export function memoised(retriever: Retriever, size = 256): Retriever {
  const recent = new Map<string, Promise<Retrieved[]>>();
  return {
    kind: retriever.kind,
    retrieve(question, topK, signal) {
      const key = `${topK}\u0000${question}`;
      let found = recent.get(key);
      if (!found) {
        found = retriever.retrieve(question, topK, signal);
        recent.set(key, found);
        // A failed retrieval is not remembered: the next try asks again.
        found.catch(() => recent.delete(key));
        if (recent.size > size) recent.delete(recent.keys().next().value!);
      }
      return found;
    },
  };
}
