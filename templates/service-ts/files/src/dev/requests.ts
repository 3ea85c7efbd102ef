// The requests `shipshape validate` sends (template.yaml: requests), written by `npm run build` to dist/requests.json:
// for each tier of the spec, request bodies of this service's task that reach it (src/dev/task-sample.ts). A classifier
// writes none: validate makes its requests from the labelled examples.
import { writeFileSync } from 'node:fs';
import { spec } from '../config/spec.js';
import { taskText } from './task-sample.js';

/** { "<tier>": [{ "text": ... }] } for each tier an input of the task reaches. */
function requestsByTier(): Record<string, { text: string }[]> {
  const requests: Record<string, { text: string }[]> = {};
  spec.models.tiers.forEach((tier, index) => {
    const text = taskText(index);
    if (text !== undefined) requests[tier.name] = [{ text }];
  });
  return requests;
}

writeFileSync(new URL('../requests.json', import.meta.url), `${JSON.stringify(requestsByTier(), null, 2)}\n`);
