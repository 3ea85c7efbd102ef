import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ALL_RULES } from '../../src/check/engine.js';
import { renderRulesDoc } from '../../src/check/rules-doc.js';
import { ROOT } from '../helpers/temp.js';

it('docs/rules.md is generated from the rules as they are (run `npm run docs` when this fails)', () => {
  const committed = readFileSync(join(ROOT, 'docs', 'rules.md'), 'utf8');
  expect(committed).toBe(renderRulesDoc(ALL_RULES));
  for (const rule of ALL_RULES) expect(committed).toContain(`## ${rule.id}\n`);
});
