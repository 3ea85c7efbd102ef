// `npm run build` runs this after tsc: the OpenAPI description of POST /v1/predict, made from the zod schemas the
// service validates with (src/pipeline/input.ts, src/serving/contract.ts, src/task/), written to dist/openapi.json.
// The running service serves the same document at GET /openapi.json.
import { writeFileSync } from 'node:fs';
import { taskConfig } from './config/index.js';
import { spec } from './config/spec.js';
import { openApiDocument } from './serving/contract.js';
import { TASK_KIND, answerJsonSchema } from './task/index.js';

try {
  const task = taskConfig(spec, process.env);
  const service = { name: spec.metadata.name, version: process.env['SERVICE_VERSION'] ?? '0.1.0' };
  const document = openApiDocument(service, TASK_KIND, answerJsonSchema(task));
  writeFileSync(new URL('./openapi.json', import.meta.url), `${JSON.stringify(document, null, 2)}\n`);
} catch (error) {
  // An unreadable schema, a retriever without an adapter: one line, not a stack.
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
