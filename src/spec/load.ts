/**
 * Loading a spec: parse with positions, validate with the schema, and report every problem
 * at its place (`shipshape.yaml:42:7 error slo.latency.p95Ms must be a positive number`).
 */
import { specSchema, type Spec } from './schema.js';
import { parseYamlText, readYamlFile, validate, type Diagnostic, type ParsedYaml } from './yaml-file.js';

export interface LoadedSpec {
  parsed: ParsedYaml;
  /** Present when the file parsed and passed the schema. */
  spec?: Spec;
  /**
   * When unknown keys are the only schema problems: the spec without them, so that `check` can
   * still run its rules and report everything in one pass (a typo does not hide a budget error).
   */
  withoutUnknownKeys?: Spec;
  /** Parse problems (the file could not be read) and schema problems, in file order. */
  diagnostics: Diagnostic[];
  /** True when the file could not be read as YAML at all. */
  unreadable: boolean;
}

function finish(parsed: ParsedYaml): LoadedSpec {
  if (parsed.diagnostics.length > 0) return { parsed, diagnostics: parsed.diagnostics, unreadable: true };
  const { data, diagnostics } = validate(parsed, specSchema);
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  const loaded: LoadedSpec = { parsed, ...(data ? { spec: data } : {}), diagnostics, unreadable: false };
  if (!data && diagnostics.every((d) => d.unknownKey && d.path)) {
    const pruned = structuredClone(parsed.data);
    for (const { path } of diagnostics) deleteAt(pruned, path!);
    const retry = specSchema.safeParse(pruned);
    if (retry.success) loaded.withoutUnknownKeys = retry.data;
  }
  return loaded;
}

function deleteAt(root: unknown, path: readonly (string | number)[]): void {
  let node = root;
  for (const segment of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string | number, unknown>)[segment];
  }
  if (node !== null && typeof node === 'object') delete (node as Record<string | number, unknown>)[path[path.length - 1]!];
}

export function loadSpecText(file: string, text: string | Uint8Array): LoadedSpec {
  return finish(parseYamlText(file, text));
}

export async function loadSpecFile(path: string, displayName = path): Promise<LoadedSpec> {
  return finish(await readYamlFile(path, displayName));
}
