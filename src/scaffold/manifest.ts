/**
 * `.shipshape/manifest.json`: what the pack wrote last time (its name, version and source, the
 * spec hash, each file's ownership and sha256). It is data from disk like any other input, so it
 * is validated before anything trusts it, its paths included.
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { unsafePathReason } from './paths.js';
import { MANIFEST_FILE, readManifestStrictly } from '../state/manifest.js';
import type { ProjectManifest } from './types.js';
import { ReadError, readTextBounded } from '../fs/read.js';
import { jsonSyntaxProblem } from '../text/json.js';

const HINT =
  'Restore .shipshape/manifest.json from version control, or delete it: generate then treats every existing file as yours (--force overwrites them).';

/** The project manifest of `root`, or undefined when the project has none. */
export async function readProjectManifest(root: string): Promise<ProjectManifest | undefined> {
  let text: string;
  try {
    text = await readTextBounded(join(root, MANIFEST_FILE), { what: 'state file', display: MANIFEST_FILE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof ReadError) throw error;
    throw new UserError(`cannot read ${MANIFEST_FILE}: ${(error as Error).message}`, { hint: HINT, cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const { message, position } = jsonSyntaxProblem(text, error);
    throw new UserError(`is not valid JSON: ${message}`, {
      file: MANIFEST_FILE,
      hint: HINT,
      cause: error,
      ...(position ? { position } : {}),
    });
  }
  const result = readManifestStrictly(data);
  if ('error' in result) throw new UserError(`is not a valid manifest: ${result.error}`, { file: MANIFEST_FILE, hint: HINT });
  for (const path of Object.keys(result.value.files)) {
    const unsafe = unsafePathReason(path);
    if (unsafe) throw new UserError(`lists the path ${JSON.stringify(path)}, which ${unsafe}`, { file: MANIFEST_FILE, hint: HINT });
  }
  return result.value as ProjectManifest;
}

/** The manifest as written: files sorted by path, two-space JSON, a final newline. */
export function serializeManifest(manifest: ProjectManifest): string {
  const files = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ ...manifest, files }, null, 2)}\n`;
}
