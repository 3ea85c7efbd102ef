/** The spec's JSON Schema, generated from the zod schema (never written by hand). */
import { resolve } from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../fs/atomic.js';
import { FIELD_DOCS } from './field-docs.js';
import { specSchema } from './schema.js';

/** A node of the generated JSON Schema, as far as the walkers here read it. */
export interface SchemaNode {
  type?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
  [key: string]: unknown;
}

/** Each field of an object node with its documentation path (`scenarios[].fault.for`). */
export function* fieldsOf(node: SchemaNode, path = ''): Generator<{ path: string; node: SchemaNode; required: boolean }> {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const childPath = path ? `${path}.${key}` : key;
    yield { path: childPath, node: child, required: node.required?.includes(key) ?? false };
    if (isThreshold(child)) continue;
    if (child.type === 'object') yield* fieldsOf(child, childPath);
    else if (child.type === 'array' && child.items?.type === 'object') yield* fieldsOf(child.items, `${childPath}[]`);
  }
}

/** `{ min, max }`: documented as one field, not as two. */
export const isThreshold = (node: SchemaNode): boolean => node.type === 'object' && Object.keys(node.properties ?? {}).join() === 'min,max';

export function jsonSchema(): SchemaNode {
  const schema = z.toJSONSchema(specSchema, { target: 'draft-2020-12', unrepresentable: 'any' }) as SchemaNode;
  for (const field of fieldsOf(schema)) {
    const doc = FIELD_DOCS[field.path];
    if (doc !== undefined) field.node.description = doc;
  }
  return schema;
}

export async function writeJsonSchema(out: string): Promise<string> {
  const path = resolve(out);
  await writeFileAtomic(path, `${JSON.stringify(jsonSchema(), null, 2)}\n`);
  return path;
}
