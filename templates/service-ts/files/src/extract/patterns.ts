// The `local` tier of an extract service: reads the schema's fields from the document's `Name: value` lines, in
// process and at no cost. Its confidence is the share of the schema's required fields it found, so a document laid
// out otherwise escalates to the next tier.
import { extractFields } from '../pipeline/fields.js';
import type { ModelTier, Prediction } from '../serving/tier.js';
import type { OutputSchema } from './schema.js';

export function createPatternTier(options: { name: string; model: string; costPerRequestUsd: number; schema: OutputSchema }): ModelTier {
  const { name, model, costPerRequestUsd, schema } = options;
  return {
    name,
    kind: 'local',
    model,
    costPerRequestUsd,
    async predict(text: string): Promise<Prediction> {
      const { value, found } = extractFields(schema.json, text);
      return { label: 'extracted', confidence: found, reply: null, output: value };
    },
  };
}
