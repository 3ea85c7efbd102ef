import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELD_DOCS } from '../../src/spec/field-docs.js';
import { fieldsOf, jsonSchema } from '../../src/spec/json-schema.js';
import { renderSpecDoc, typeOf } from '../../src/spec/spec-doc.js';
import { ROOT } from '../helpers/temp.js';

const fields = [...fieldsOf(jsonSchema())];

describe('the spec reference', () => {
  it('documents every field of the schema, and only fields of it', () => {
    const paths = new Set(fields.map((field) => field.path));
    expect(fields.filter((field) => !FIELD_DOCS[field.path]).map((field) => field.path)).toEqual([]);
    expect(Object.keys(FIELD_DOCS).filter((path) => !paths.has(path))).toEqual([]);
  });

  it('gives the JSON Schema the same descriptions, for editors', () => {
    for (const field of fields) expect(field.node.description, field.path).toBe(FIELD_DOCS[field.path]);
  });

  it('docs/spec.md is generated from the schema as it is (run `npm run docs` when this fails)', () => {
    const committed = readFileSync(join(ROOT, 'docs', 'spec.md'), 'utf8');
    expect(committed).toBe(renderSpecDoc());
    for (const field of fields) expect(committed).toContain(`| \`${field.path}\` |`);
  });

  it('names types in words', () => {
    expect(typeOf({ type: 'integer', exclusiveMinimum: 0 })).toBe('whole number, ≥ 1');
    expect(typeOf({ type: 'number', minimum: 0, maximum: 1 })).toBe('number, ≥ 0, ≤ 1');
    expect(typeOf({ type: 'string', enum: ['psi', 'ks'] })).toBe('`psi` \\| `ks`');
    expect(typeOf({ type: 'string', pattern: '^\\$\\{[A-Z_][A-Z0-9_]*\\}$' })).toBe('`${VAR}` reference');
    expect(typeOf({ type: 'array', items: { type: 'string', minLength: 1 } })).toBe('list of text');
    expect(typeOf({ type: 'object', properties: { min: { type: 'number' }, max: { type: 'number' } } })).toBe(
      '`{ min, max }` (either or both)',
    );
  });
});
