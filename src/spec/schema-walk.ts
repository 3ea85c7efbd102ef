/**
 * Walking a zod 4 schema by its definitions (`schema.def`): the wrappers an optional or defaulted
 * field adds, and the child schema at a document path. Used for did-you-mean on unknown keys and
 * to check that a policy names real fields.
 */
import type { DocPath } from './doc-path.js';

export interface SchemaDef {
  type: string;
  innerType?: unknown;
  in?: unknown;
  shape?: Record<string, unknown>;
  element?: unknown;
  valueType?: unknown;
  options?: unknown[];
  values?: unknown[];
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch']);

export const defOf = (schema: unknown): SchemaDef | undefined => (schema as { def?: SchemaDef } | undefined)?.def;

/** The schema inside optional, nullable, default, readonly, catch and pipe wrappers. */
export function unwrapSchema(schema: unknown): unknown {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(current);
    if (!def) break;
    if (WRAPPERS.has(def.type)) current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else break;
  }
  return current;
}

/** The (unwrapped) schema of the value at `path`: through objects by key, lists by index, records by any key. */
export function schemaAt(schema: unknown, path: DocPath): unknown {
  let current = unwrapSchema(schema);
  for (const segment of path) {
    const def = defOf(current);
    if (def?.type === 'object' && def.shape && typeof segment === 'string' && Object.prototype.hasOwnProperty.call(def.shape, segment))
      current = unwrapSchema(def.shape[segment]);
    else if (def?.type === 'array' && typeof segment === 'number') current = unwrapSchema(def.element);
    else if (def?.type === 'record') current = unwrapSchema(def.valueType);
    else return undefined;
  }
  return current;
}
