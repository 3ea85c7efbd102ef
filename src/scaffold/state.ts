/**
 * What is on disk where a pack would write: each target file (or why it cannot be written), and
 * the base copies of merged files. Nothing is followed out of the project: a folder on the way
 * that is a symbolic link leading outside blocks the path, and a target that is itself a link is
 * never read or replaced.
 */
import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { BASE_DIR } from './types.js';
import { LARGE_FILE_MAX_BYTES, readFileBounded } from '../fs/read.js';

export type DiskFile =
  | { kind: 'missing' }
  | { kind: 'file'; content: Buffer }
  /** Something is in the way that --force does not remove: a folder, a link, a link out of the project. */
  | { kind: 'blocked'; reason: string };

export interface ProjectState {
  files: Map<string, DiskFile>;
  /** The base copies in .shipshape/base/, by the path of the file they are the base of. */
  bases: Map<string, Buffer>;
}

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** Whether `path` (absolute, resolved) is `root` or inside it. */
function insideRoot(realRoot: string, path: string): boolean {
  const rel = relative(realRoot, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Checks the folders on the way to a project-relative path, memoised across calls. Returns
 * 'missing' when a folder does not exist yet (so neither does the path), a reason when one is not
 * a folder or leaves the project, undefined when all are folders inside the project.
 */
export class FolderGuard {
  private readonly memo = new Map<string, string | 'missing' | undefined>();
  private realRoot: Promise<string> | undefined;
  constructor(readonly root: string) {}

  private async folder(prefix: string): Promise<string | 'missing' | undefined> {
    if (this.memo.has(prefix)) return this.memo.get(prefix);
    let verdict: string | 'missing' | undefined;
    const absolute = join(this.root, prefix);
    try {
      const info = await lstat(absolute);
      if (info.isSymbolicLink()) {
        const target = await realpath(absolute).catch(() => undefined);
        const real = await (this.realRoot ??= realpath(this.root));
        if (target === undefined) verdict = `${prefix} is a broken symbolic link`;
        else if (!insideRoot(real, target)) verdict = `${prefix} is a symbolic link out of the project`;
        else if (!(await lstat(target)).isDirectory()) verdict = `${prefix} is not a folder`;
      } else if (!info.isDirectory()) {
        verdict = `${prefix} is a file, not a folder`;
      }
    } catch (error) {
      if (code(error) !== 'ENOENT') throw error;
      verdict = 'missing';
    }
    this.memo.set(prefix, verdict);
    return verdict;
  }

  /** The first problem of the folders holding `path`. */
  async check(path: string): Promise<string | 'missing' | undefined> {
    const segments = path.split('/').slice(0, -1);
    for (let i = 1; i <= segments.length; i++) {
      const verdict = await this.folder(segments.slice(0, i).join('/'));
      if (verdict !== undefined) return verdict;
    }
    return undefined;
  }

  /** Forgets what it knows (apply creates folders). */
  reset(): void {
    this.memo.clear();
  }
}

/** Reads `path` if it is a regular file inside the project. */
async function readTarget(guard: FolderGuard, path: string): Promise<DiskFile> {
  const folders = await guard.check(path);
  if (folders === 'missing') return { kind: 'missing' };
  if (folders !== undefined) return { kind: 'blocked', reason: folders };
  const absolute = join(guard.root, path);
  try {
    const info = await lstat(absolute);
    if (info.isSymbolicLink()) return { kind: 'blocked', reason: 'is a symbolic link, and shipshape does not write through links' };
    if (info.isDirectory()) return { kind: 'blocked', reason: 'is a folder' };
    if (!info.isFile()) return { kind: 'blocked', reason: 'is not a regular file' };
    return { kind: 'file', content: await readFileBounded(absolute, { maxBytes: LARGE_FILE_MAX_BYTES, display: path }) };
  } catch (error) {
    if (code(error) === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
}

/** What is on disk at each path the pack makes, and the base copies of the merged ones. */
export async function readProjectState(root: string, paths: readonly string[], merged: readonly string[]): Promise<ProjectState> {
  const guard = new FolderGuard(root);
  const files = new Map<string, DiskFile>();
  for (const path of paths) files.set(path, await readTarget(guard, path));
  const bases = new Map<string, Buffer>();
  for (const path of merged) {
    const base = await readTarget(guard, `${BASE_DIR}/${path}`);
    if (base.kind === 'file') bases.set(path, base.content);
  }
  return { files, bases };
}
