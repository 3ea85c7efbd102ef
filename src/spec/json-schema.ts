/** The spec's JSON Schema, generated from the zod schema (never written by hand). */
import { resolve } from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../fs/atomic.js';
import { specSchema } from './schema.js';

export function jsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(specSchema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
}

export async function writeJsonSchema(out: string): Promise<string> {
  const path = resolve(out);
  await writeFileAtomic(path, `${JSON.stringify(jsonSchema(), null, 2)}\n`);
  return path;
}
