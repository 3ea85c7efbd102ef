// `npm run index:opensearch`: loads the corpus (task.rag.corpus, cut as task.rag.chunking says) into the OpenSearch
// index the service searches (task.rag.retriever.collection at the URL of task.rag.retriever.endpoint).
import { ConfigError, taskConfig } from '../config/index.js';
import { spec } from '../config/spec.js';
import { loadPassages } from './corpus.js';
import { indexPassages } from './opensearch.js';

try {
  const task = taskConfig(spec, process.env);
  if (task.kind !== 'rag' || task.retriever.kind !== 'opensearch' || !task.retriever.url)
    throw new ConfigError('task.rag.retriever.kind is not opensearch: the embedded index is built by npm run build');
  const passages = loadPassages(task.corpusDir, task.chunking);
  const count = await indexPassages({ url: task.retriever.url, index: task.retriever.collection }, passages);
  process.stdout.write(`indexed ${count} passages into ${task.retriever.collection}\n`);
} catch (error) {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
