/**
 * Loading a spec: parse with positions, validate with the schema, and report every problem
 * at its place (`shipshape.yaml:42:7 error slo.latency.p95Ms must be a positive number`). A valid
 * spec is read by the quick look first (fast-load.ts) and parses its positions only when asked.
 */
import { UserError } from '../errors.js';
import { lazilyParsed, quickData, readSpecBytes } from './fast-load.js';
import { maskDiagnostics, refuseSecrets } from './secrets.js';
import type * as z from 'zod';
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

/**
 * A parsed spec held to the schema. `checked` is the schema's answer the quick look already had
 * for the same data (the quick look sees exactly the data the full parse sees), so a spec with
 * problems is not validated twice.
 */
function finish(parsed: ParsedYaml, checked?: z.ZodSafeParseResult<Spec>): LoadedSpec {
  // A message may quote the spec (a duplicate or unknown key): a secret in it is masked here, once.
  if (parsed.diagnostics.length > 0) return { parsed, diagnostics: maskDiagnostics(parsed, parsed.diagnostics), unreadable: true };
  const validated = checked ? validate(parsed, specSchema, checked) : validate(parsed, specSchema);
  const data = validated.data;
  const diagnostics = maskDiagnostics(parsed, validated.diagnostics);
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  const loaded: LoadedSpec = { parsed, ...(data ? { spec: data } : {}), diagnostics, unreadable: false };
  if (!data && validated.diagnostics.every((d) => d.unknownKey && d.path)) {
    const pruned = structuredClone(parsed.data);
    for (const { path } of validated.diagnostics) deleteAt(pruned, path!);
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

/**
 * A valid spec through the quick look (fast-load.ts); else the schema's answer when the quick look
 * read the data, or undefined. Its `parsed` has the text and
 * data at once; the yaml Document and line counter are parsed on first use, from the same input.
 */
function quickLoad(file: string, input: string | Uint8Array): LoadedSpec | z.ZodSafeParseResult<Spec> | undefined {
  const quick = quickData(input);
  if (!quick) return undefined;
  const result = specSchema.safeParse(quick.data);
  if (!result.success) return result;
  const parsed = lazilyParsed(file, input, quick);
  return { parsed, spec: result.data, diagnostics: [], unreadable: false };
}

/** A spec loaded the full way, positions and all, whatever it holds (the quick look is held to this). */
export function loadSpecTextFully(file: string, text: string | Uint8Array): LoadedSpec {
  return finish(parseYamlText(file, text));
}

export function loadSpecText(file: string, text: string | Uint8Array): LoadedSpec {
  const quick = quickLoad(file, text);
  if (quick !== undefined && 'parsed' in quick) return quick;
  return finish(parseYamlText(file, text), quick);
}

export async function loadSpecFile(path: string, displayName = path): Promise<LoadedSpec> {
  const bytes = readSpecBytes(path);
  // Over the size limit: the full reader says so without reading it.
  return bytes === undefined ? finish(await readYamlFile(path, displayName)) : loadSpecText(displayName, bytes);
}

/** At most this many problems are listed when a command refuses a spec; `check` shows them all. */
const LISTED_PROBLEMS = 10;

/**
 * The spec a command builds on, or a UserError: a spec that holds a secret (anywhere in its text,
 * whatever else is wrong with it) is refused first, in one line naming where; then a spec that is
 * not valid, its problems listed at their places (one problem with its own hint; several, up to
 * ten, with the hint to run check). Every stage that reads the spec goes through this.
 */
export function requireValidSpec(loaded: LoadedSpec, command: string): Spec {
  refuseSecrets(loaded.parsed, command);
  if (loaded.spec) return loaded.spec;
  const displayName = loaded.parsed.file;
  const problems = loaded.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`);
  const hint = `Fix the spec (\`shipshape check\` explains each problem), then run \`shipshape ${command}\` again.`;
  if (problems.length === 0) throw new UserError(`${displayName} is not a valid spec`, { hint });
  if (problems.length === 1) throw new UserError(problems[0]!, { hint: loaded.diagnostics[0]!.hint ?? hint });
  const listed = problems.slice(0, LISTED_PROBLEMS);
  const more = problems.length > listed.length ? `\n  and ${problems.length - listed.length} more` : '';
  throw new UserError(`${displayName} has ${problems.length} problems:\n  ${listed.join('\n  ')}${more}`, { hint });
}

/** The spec file a command builds on, read and held to requireValidSpec. */
export async function loadValidSpec(path: string, displayName: string, command: string): Promise<{ spec: Spec; loaded: LoadedSpec }> {
  const loaded = await loadSpecFile(path, displayName);
  return { spec: requireValidSpec(loaded, command), loaded };
}
