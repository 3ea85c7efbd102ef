/**
 * `.shipshape/manifest.json`: what the pack wrote last time (its name, version and source, the
 * spec hash, each file's ownership and sha256). It is data from disk like any other input, so it
 * is validated before anything trusts it, its paths included.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { UserError } from '../errors.js';
import { VERSION_PATTERN } from '../text/semver.js';
import { unsafePathReason } from './paths.js';
import { OWNERSHIPS, PROJECT_MANIFEST, type ProjectManifest } from './types.js';

const source = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bundled'), name: z.string().min(1) }),
  z.strictObject({ kind: z.literal('folder'), path: z.string().min(1) }),
  z.strictObject({ kind: z.literal('npm'), spec: z.string().min(1) }),
]);

const manifestSchema = z.object({
  version: z.literal(1, { error: 'must be 1 (this shipshape reads manifest format 1)' }),
  pack: z.object({ name: z.string().min(1), version: z.string().regex(VERSION_PATTERN, { error: 'must be x.y.z' }), source }),
  specHash: z.string(),
  generatedAt: z.string(),
  files: z.record(
    z.string(),
    z.object({
      ownership: z.enum(OWNERSHIPS),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lower-case hex digits' }),
      takenOver: z.boolean().optional(),
    }),
  ),
});

const HINT =
  'Restore .shipshape/manifest.json from version control, or delete it: generate then treats every existing file as yours (--force overwrites them).';

/** The project manifest of `root`, or undefined when the project has none. */
export async function readProjectManifest(root: string): Promise<ProjectManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(root, PROJECT_MANIFEST), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`cannot read ${PROJECT_MANIFEST}: ${(error as Error).message}`, { hint: HINT, cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`is not valid JSON: ${(error as Error).message}`, { file: PROJECT_MANIFEST, hint: HINT, cause: error });
  }
  const result = manifestSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    throw new UserError(`is not a valid manifest: ${path ? `${path} ` : ''}${issue.message}`, { file: PROJECT_MANIFEST, hint: HINT });
  }
  for (const path of Object.keys(result.data.files)) {
    const unsafe = unsafePathReason(path);
    if (unsafe) throw new UserError(`lists the path ${JSON.stringify(path)}, which ${unsafe}`, { file: PROJECT_MANIFEST, hint: HINT });
  }
  return result.data as ProjectManifest;
}

/** The manifest as written: files sorted by path, two-space JSON, a final newline. */
export function serializeManifest(manifest: ProjectManifest): string {
  const files = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ ...manifest, files }, null, 2)}\n`;
}
