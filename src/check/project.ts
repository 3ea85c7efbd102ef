/**
 * The project around a spec, as the rules about generated files see it: the spec's folder, the
 * manifest `generate` left in it, and the hash or the text of a file in it. Nothing is read until a rule asks,
 * and then synchronously (rules are synchronous, and the engine may run them in a worker thread),
 * so checking a spec whose project has no manifest costs one stat.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileSha256Sync } from '../stages/hash.js';
import { insideRoot } from '../fs/paths.js';
import { DEPLOYMENTS_FILE, parseDeployments, type DeploymentRecord } from '../stages/records.js';
import { listReviews, type ReviewFile } from '../stages/review.js';
import { MANIFEST_FILE, readManifestLeniently, type Manifest } from '../state/manifest.js';
import { LARGE_FILE_MAX_BYTES, ReadError, readTextBoundedSync } from '../fs/read.js';

/** The manifest as found: none yet, one that cannot be used (why, after its name), or its data. */
export type ManifestRead = { found: false } | { found: true; error: string } | { found: true; manifest: Manifest };
/** The deployment history as found, the same way. */
export type DeploymentsRead = { found: false } | { found: true; error: string } | { found: true; records: DeploymentRecord[] };

export interface ProjectFiles {
  /** `.shipshape/manifest.json`, read and checked on first use. */
  manifest(): ManifestRead;
  /** A project-relative path with forward slashes, or undefined when `file` leaves the project. */
  inside(file: string): string | undefined;
  /**
   * The hex sha256 of a project file; undefined when it is missing or not a regular file, and for
   * a path that leaves the project, which is never read.
   */
  sha256(file: string): string | undefined;
  /** A project file as text; undefined when it is missing, not a regular file, or outside the project. */
  text(file: string): string | undefined;
  /** `.shipshape/deployments.json`, written by `deploy`, read and checked on first use. */
  deployments(): DeploymentsRead;
  /** The reviews in docs/reviews/, oldest first. */
  reviews(): ReviewFile[];
  /** When a project file was last modified; undefined when it is missing, not a regular file, or outside the project. */
  mtimeMs?(file: string): number | undefined;
  /** When the spec itself was last modified. */
  specMtimeMs?(): number | undefined;
  /** What a path the spec names is (a corpus folder, a schema file), never following a link out of the project. */
  kindOf?(file: string): PathKind;
}

/**
 * What a path is: `outside` names a path that leaves the project, `escapes` one that is inside
 * by name but a symbolic link (itself or a parent) takes out of it; neither is read.
 */
export type PathKind =
  | { kind: 'outside' | 'escapes' | 'missing' | 'file' | 'other' }
  | { kind: 'folder'; /** Regular files in it and its subfolders, not hidden ones. */ files: number };

/** Enough to tell an empty folder from one with documents; a corpus is counted no further. */
const COUNT_LIMIT = 10_000;

function countFiles(dir: string, limit: number): number {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isFile()) count += 1;
    // Subfolders are counted only when they are real folders: a link is never followed.
    else if (entry.isDirectory()) count += countFiles(join(dir, entry.name), limit - count);
    if (count >= limit) break;
  }
  return count;
}

function pathKind(root: string, file: string): PathKind {
  const rel = insideRoot(root, file);
  if (rel === undefined) return { kind: 'outside' };
  const path = join(root, rel);
  try {
    if (!lstatSync(path, { throwIfNoEntry: false })) return { kind: 'missing' };
    const realRoot = realpathSync(root);
    const real = realpathSync(path);
    if (insideRoot(realRoot, real) === undefined) return { kind: 'escapes' };
    const info = statSync(real);
    if (info.isDirectory()) return { kind: 'folder', files: countFiles(real, COUNT_LIMIT) };
    return { kind: info.isFile() ? 'file' : 'other' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A dangling link, or a parent that is a file: nothing is there.
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'other' };
  }
}

type JsonFile = { found: false } | { found: true; error: string } | { found: true; value: unknown };

function readJsonFile(path: string): JsonFile {
  let text: string;
  try {
    if (!statSync(path, { throwIfNoEntry: false })) return { found: false };
    text = readTextBoundedSync(path, { what: 'state file', links: 'refuse' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A parent (`.shipshape`) that is a file, not a folder: the file is not there either.
    if (code === 'ENOTDIR') return { found: false };
    if (error instanceof ReadError && !code) return { found: true, error: `cannot be read: ${error.detail}` };
    return { found: true, error: `cannot be read (${code ?? String(error)})` };
  }
  try {
    return { found: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { found: true, error: `is not valid JSON (${(error as Error).message})` };
  }
}

function readDeploymentsFile(path: string): DeploymentsRead {
  const read = readJsonFile(path);
  if (!read.found || 'error' in read) return read;
  const parsed = parseDeployments(read.value);
  return 'error' in parsed ? { found: true, error: parsed.error } : { found: true, records: parsed.value };
}

function readManifest(path: string): ManifestRead {
  // `.shipshape` being a file, not a folder, reads as no manifest (readJsonFile: ENOTDIR).
  const read = readJsonFile(path);
  if (!read.found || 'error' in read) return read;
  const parsed = readManifestLeniently(read.value);
  return 'error' in parsed ? { found: true, error: parsed.error } : { found: true, manifest: parsed.value };
}

/** The project of `specFile`: the folder that holds it. */
export function projectFiles(specFile: string): ProjectFiles {
  const root = dirname(resolve(specFile));
  let manifest: ManifestRead | undefined;
  let deployments: DeploymentsRead | undefined;
  let reviews: ReviewFile[] | undefined;
  const inside = (file: string): string | undefined => insideRoot(root, file);
  return {
    manifest: () => (manifest ??= readManifest(join(root, MANIFEST_FILE))),
    deployments: () => (deployments ??= readDeploymentsFile(join(root, DEPLOYMENTS_FILE))),
    reviews: () => (reviews ??= listReviews(root)),
    inside,
    sha256(file) {
      const rel = inside(file);
      return rel === undefined ? undefined : fileSha256Sync(join(root, rel));
    },
    mtimeMs(file) {
      const rel = inside(file);
      if (rel === undefined) return undefined;
      try {
        const info = statSync(join(root, rel), { throwIfNoEntry: false });
        return info?.isFile() ? info.mtimeMs : undefined;
      } catch {
        return undefined;
      }
    },
    specMtimeMs() {
      try {
        return statSync(specFile, { throwIfNoEntry: false })?.mtimeMs;
      } catch {
        return undefined;
      }
    },
    kindOf: (file) => pathKind(root, file),
    text(file) {
      const rel = inside(file);
      if (rel === undefined) return undefined;
      try {
        return statSync(join(root, rel), { throwIfNoEntry: false })?.isFile()
          ? readTextBoundedSync(join(root, rel), { maxBytes: LARGE_FILE_MAX_BYTES })
          : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
