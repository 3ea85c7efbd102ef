// The `http` tier of an extract service: an LLM behind an OpenAI-compatible API, shown the JSON Schema and asked for
// the document's fields as one JSON object (src/serving/http.ts makes the call).
import type { HttpProtocol } from '../serving/http.js';
import type { OutputSchema } from './schema.js';

export function extractSystemPrompt(schema: OutputSchema): string {
  return [
    'Task: extract',
    'You extract the fields of the JSON Schema below from the document in the user message.',
    'A field the document does not show is null (or left out when the schema does not allow null): never guess.',
    `Schema: ${JSON.stringify(schema.json)}`,
    'Answer with only a JSON object valid against the schema, no other text.',
  ].join('\n');
}

export function extractProtocol(schema: OutputSchema): HttpProtocol {
  return {
    systemPrompt: extractSystemPrompt(schema),
    async user(text) {
      return { content: text };
    },
    parse(json) {
      if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('the answer is not a JSON object');
      // The schema check (src/task/extract.ts) decides whether it stands; a model gives no confidence of its own.
      return { label: 'extracted', confidence: 1, reply: null, output: json as Record<string, unknown> };
    },
  };
}
