import { defineRule } from './util.js';

/** The default pack (src/scaffold/pack.ts, not imported: check loads no scaffolding). */
const DEFAULT_PACK = 'service-ts';

/** The retrievers the default pack has an adapter for (its src/config/index.ts refuses the others at start). */
const SUPPORTED = ['embedded', 'opensearch'];

export const retrieverAdapter = defineRule({
  id: 'retriever-adapter',
  description: `A rag spec's retriever is one the default pack (${DEFAULT_PACK}) has an adapter for: the embedded index or OpenSearch.`,
  defaultSeverity: 'warn',
  stage: 1,
  rationale: `The spec format names four retrievers, but ${DEFAULT_PACK} ships adapters for two: the embedded index built from the corpus (no server) and OpenSearch (its official client). A service generated from it for a qdrant or pgvector spec fails its build, which reads the task's settings, and would refuse to start. A warning rather than an error: another pack may have the adapter, and a project generated from one is not warned.`,
  hint: 'Use task.rag.retriever.kind embedded (no server) or opensearch, or generate the project from a pack with an adapter for your store.',
  examples: {
    pass: `task:
  kind: rag
  rag:
    corpus: docs
    retriever: { kind: opensearch, topK: 4, endpoint: '\${OPENSEARCH_URL}', collection: helpdesk }`,
    fail: `task:
  kind: rag
  rag:
    corpus: docs
    retriever: { kind: qdrant, topK: 4, endpoint: '\${QDRANT_URL}' }   # no adapter in ${DEFAULT_PACK}`,
  },
  messages: {
    noAdapter:
      'task.rag.retriever.kind is {{kind}}, which the {{pack}} pack has no adapter for (it has {{supported}}): the generated service will not build or start.',
  },
  check({ spec, project }) {
    const kind = spec.task?.kind === 'rag' ? spec.task.rag?.retriever?.kind : undefined;
    if (kind === undefined || SUPPORTED.includes(kind)) return [];
    // A project generated from another pack: that pack knows its own adapters.
    const read = project?.manifest();
    if (read?.found && 'manifest' in read && read.manifest.pack.name !== DEFAULT_PACK) return [];
    return [
      {
        path: ['task', 'rag', 'retriever', 'kind'],
        messageId: 'noAdapter',
        data: { kind, pack: DEFAULT_PACK, supported: SUPPORTED.join(' and ') },
      },
    ];
  },
});
