// `npm run build` runs this after tsc: the embedded index of the corpus, written to dist/rag-index.json for the
// service to load at start (task.rag.retriever.kind embedded).
import { taskConfig } from '../config/index.js';
import { spec } from '../config/spec.js';
import { INDEX_FILE, writeIndex } from './retriever.js';

try {
  const task = taskConfig(spec, process.env);
  if (task.kind === 'rag' && task.retriever.kind === 'embedded') {
    const passages = writeIndex(INDEX_FILE, task.corpusDir, task.chunking);
    process.stdout.write(`rag index: ${passages} passages from ${task.corpusDir}\n`);
  }
} catch (error) {
  // A missing corpus, a retriever without an adapter: one line, not a stack.
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
