/**
 * `.shipshape/manifest.json`, written by `generate`: the pack, the spec hash, and each generated
 * file's ownership and sha256. One schema, read two ways: strictly where the next generation
 * depends on every field (scaffold), leniently where a report can say what it found (status,
 * check), with one message per problem.
 */
import * as z from 'zod';
import { OWNERSHIPS } from '../scaffold/types.js';
import { VERSION_PATTERN } from '../text/semver.js';

export const MANIFEST_FILE = '.shipshape/manifest.json';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The schemas, built on first use: `check` and `status` load this module for every spec, and a
 * project has no manifest before `generate`.
 */
function buildSchemas() {
  const sourceSchema = z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('bundled'), name: z.string().min(1) }),
    z.strictObject({ kind: z.literal('folder'), path: z.string().min(1) }),
    z.strictObject({ kind: z.literal('npm'), spec: z.string().min(1) }),
  ]);

  const fileEntrySchema = z.object({
    ownership: z.enum(OWNERSHIPS),
    sha256: z.string().regex(SHA256, { error: 'must be 64 lower-case hex digits' }),
    takenOver: z.boolean().optional(),
  });

  const versionSchema = z.literal(1, { error: 'must be 1 (this shipshape reads manifest format 1)' });

  /** Everything `generate` writes and needs back. */
  const manifestSchema = z.object({
    version: versionSchema,
    pack: z.object({
      name: z.string().min(1),
      version: z.string().regex(VERSION_PATTERN, { error: 'must be x.y.z' }),
      source: sourceSchema,
    }),
    specHash: z.string(),
    generatedAt: z.string(),
    files: z.record(z.string(), fileEntrySchema),
  });

  /**
   * The same manifest as status and check read it: the files (ownership and hash) must be right,
   * since findings depend on them; the rest is shown as found, empty when it is missing or odd.
   * A sha256 in upper case is the same hash.
   */
  const lenientSchema = z.object({
    version: versionSchema.optional(),
    pack: z
      .object({ name: z.unknown().optional(), version: z.unknown().optional() })
      .transform((pack) => ({ name: String(pack.name ?? ''), version: String(pack.version ?? '') }))
      .catch({ name: '', version: '' }),
    specHash: z.string().min(1).catch(''),
    generatedAt: z.string().min(1).optional().catch(undefined),
    files: z.record(
      z.string(),
      z.object({
        sha256: z
          .string()
          .transform((hash) => hash.toLowerCase())
          .pipe(fileEntrySchema.shape.sha256),
        ownership: fileEntrySchema.shape.ownership,
      }),
    ),
  });
  return { manifestSchema, lenientSchema };
}
type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | undefined;
const schemas = (): Schemas => (built ??= buildSchemas());

export type Manifest = z.infer<Schemas['lenientSchema']>;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** One sentence about the first problem, completing "`.shipshape/manifest.json` ...". */
function lenientProblem(value: unknown, issue: z.core.$ZodIssue): string {
  if (!isObject(value)) return 'is not a JSON object';
  const [head, path, field] = issue.path;
  // A later format may mean something else by the same fields: better to say so than to misread it.
  if (head === 'version') return `is format version ${JSON.stringify(value['version'])}; this shipshape reads version 1`;
  if (head !== 'files' || path === undefined) return 'has no "files" object';
  const entry = (value['files'] as Record<string, unknown>)[path as string];
  const name = String(path);
  if (!isObject(entry) || (field === 'sha256' && typeof entry['sha256'] !== 'string') || (field === 'sha256' && entry['sha256'] === ''))
    return `has no sha256 for ${name}`;
  if (field === 'sha256') return `has a sha256 for ${name} that is not 64 hex digits`;
  const ownership = entry['ownership'];
  const given = ownership === undefined ? 'no ownership' : `the ownership ${JSON.stringify(ownership)}`;
  return `gives ${name} ${given}; expected managed, seeded or merged`;
}

/** The manifest as status and check read it, or what is wrong with it in one sentence. */
export function readManifestLeniently(value: unknown): { value: Manifest } | { error: string } {
  const result = schemas().lenientSchema.safeParse(value);
  if (result.success) return { value: result.data };
  // Report the problem a person reads first: the format, then the files in their order.
  const issues = [...result.error.issues].sort((a, b) => rank(a) - rank(b));
  return { error: lenientProblem(value, issues[0]!) };
}

function rank(issue: z.core.$ZodIssue): number {
  if (issue.path.length === 0) return 0;
  if (issue.path[0] === 'version') return 1;
  if (issue.path.length === 1) return 2;
  return 3;
}

/** The manifest as generate reads it, or the first problem with its field path. */
export function readManifestStrictly(value: unknown): { value: z.infer<Schemas['manifestSchema']> } | { error: string } {
  const result = schemas().manifestSchema.safeParse(value);
  if (result.success) return { value: result.data };
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  return { error: `${path ? `${path} ` : ''}${issue.message}` };
}
