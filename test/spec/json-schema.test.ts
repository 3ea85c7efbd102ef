import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { jsonSchema } from '../../src/spec/json-schema.js';
import { EXAMPLE } from '../helpers/temp.js';

describe('the JSON Schema', () => {
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  const validate = ajv.compile(jsonSchema());
  const example = parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;

  it('accepts the reference example', () => {
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects what the zod schema rejects: unknown keys, bad enums, missing sections', () => {
    expect(validate({ ...example, reslience: {} })).toBe(false);
    expect(validate({ ...example, metadata: { ...(example['metadata'] as object), tier: 4 } })).toBe(false);
    const { slo: _slo, ...withoutSlo } = example;
    expect(validate(withoutSlo)).toBe(false);
  });

  it('carries descriptions for editors', () => {
    const text = JSON.stringify(jsonSchema());
    expect(text).toContain('Percent of requests answered without error over windowDays.');
  });
});
