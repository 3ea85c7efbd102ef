/**
 * Applying a plan, as a whole: every file is first written to a temp file in its own folder;
 * only when all of them are written are they renamed into place, the project manifest last. If
 * anything fails, the temps and any folder made for them are removed, and the project is as it
 * was (the shared all-or-nothing writer, fs/atomic.ts). Nothing is written through a folder that leads out of the project.
 */
import { MANIFEST_FILE } from '../state/manifest.js';
import { lstat, mkdir, rmdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { writeFilesAtomic, writeTempFile, type TempWriter } from '../fs/atomic.js';
import { InterruptedError, UserError } from '../errors.js';
import { serializeManifest } from './manifest.js';
import { unsafePathReason } from './paths.js';
import { FolderGuard } from './state.js';
import { BASE_DIR, type Plan, type ProjectManifest } from './types.js';

/** The writer of temp files is the shared one (fs/atomic.ts); tests pass one that fails part-way. */
export { writeTempFile, type TempWriter };

export interface ApplyOptions {
  /** The time the manifest records; default: now. */
  now?: Date;
  /** The writer of temp files; tests pass one that fails part-way. */
  writeTemp?: TempWriter;
  /** Aborted (Ctrl-C) before the renames: everything is rolled back and InterruptedError thrown. */
  signal?: AbortSignal;
}

export interface ApplyResult {
  /** Project files written (including .rej files), project-relative. */
  files: string[];
  /** Whether .shipshape/manifest.json was written (not when nothing in it changed). */
  manifest: boolean;
  /** Every file written, shipshape's own (base copies, the manifest) included. */
  total: number;
}

interface Write {
  path: string;
  content: Buffer;
  mode: number;
  /** A project file (reported), rather than shipshape's own bookkeeping. */
  project: boolean;
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a parent of it is not a folder',
};

function cannotWrite(path: string, error: unknown): Error {
  if (error instanceof UserError || error instanceof InterruptedError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reason = (code && REASONS[code]) ?? (error instanceof Error ? error.message : String(error));
  return new UserError(`cannot write ${path}: ${reason}; nothing was changed`, {
    hint: 'Check the path and its permissions, then run generate again.',
    cause: error,
  });
}

/**
 * The manifest after the plan, or undefined when it would say what it says already (then the
 * previous manifest, and its date, stay). Entries without a manifestEntry are dropped: files the
 * pack no longer makes, and files of the user's that the pack did not write.
 */
export function nextManifest(plan: Plan, previous: ProjectManifest | undefined, now: Date): ProjectManifest | undefined {
  const files: ProjectManifest['files'] = {};
  for (const entry of plan.entries) if (entry.manifestEntry) files[entry.path] = entry.manifestEntry;
  const manifest: ProjectManifest = { version: 1, pack: plan.pack, specHash: plan.specHash, generatedAt: now.toISOString(), files };
  if (previous && serializeManifest({ ...manifest, generatedAt: previous.generatedAt }) === serializeManifest(previous)) return undefined;
  return manifest;
}

/** The writes of a plan, the manifest last. */
function writesOf(plan: Plan, manifest: ProjectManifest | undefined): Write[] {
  const writes: Write[] = [];
  for (const entry of plan.entries) {
    if (entry.content) writes.push({ path: entry.path, content: entry.content, mode: entry.mode, project: true });
    if (entry.reject) writes.push({ path: entry.reject.path, content: entry.reject.content, mode: 0o644, project: true });
    if (entry.base) writes.push({ path: `${BASE_DIR}/${entry.path}`, content: entry.base, mode: 0o644, project: false });
  }
  if (manifest) writes.push({ path: MANIFEST_FILE, content: Buffer.from(serializeManifest(manifest)), mode: 0o644, project: false });
  return writes;
}

/** Refuses a path that leaves the project, or that a pack may not write (into .shipshape/). */
function refuseUnsafePath(root: string, write: Write): void {
  // The render refuses such paths already; a plan is data, so apply checks again.
  const rel = relative(root, resolve(root, write.path));
  const outside = rel === '' || rel.startsWith('..') || isAbsolute(rel) || isAbsolute(write.path) ? 'leaves the project' : undefined;
  const unsafe = outside ?? unsafePathReason(write.project ? write.path : write.path.replace(/^\.shipshape\//, ''));
  if (unsafe) {
    throw new UserError(`refusing to write ${JSON.stringify(write.path)}: the path ${unsafe}; nothing was changed`, {
      hint: 'shipshape writes only inside the project, and never into .shipshape/ for a pack.',
    });
  }
}

/** Makes the folders a write needs, one segment at a time, recording each one made (for the roll-back). */
async function makeFolders(root: string, write: Write, createdFolders: string[]): Promise<void> {
  const segments = write.path.split('/').slice(0, -1);
  for (let i = 1; i <= segments.length; i++) {
    const folder = join(root, ...segments.slice(0, i));
    try {
      await mkdir(folder);
      createdFolders.push(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotWrite(write.path, error);
    }
  }
}

/**
 * Prepares every write's folder, each checked on the way: a link out of the project, or a target
 * that is not a regular file, stops everything before a byte is written.
 */
async function prepareFolders(root: string, writes: readonly Write[], createdFolders: string[]): Promise<void> {
  const guard = new FolderGuard(root);
  for (const write of writes) {
    refuseUnsafePath(root, write);
    let verdict = await guard.check(write.path);
    if (verdict === 'missing') {
      await makeFolders(root, write, createdFolders);
      guard.reset();
      verdict = await guard.check(write.path);
    }
    if (verdict !== undefined) {
      throw new UserError(`refusing to write ${write.path}: ${verdict}; nothing was changed`, {
        hint: 'shipshape writes only inside the project; replace the link or file on the way with a folder.',
      });
    }
    const existing = await lstat(join(root, write.path)).catch(() => undefined);
    if (existing && !existing.isFile()) {
      const what = existing.isSymbolicLink() ? 'is a symbolic link' : existing.isDirectory() ? 'is a folder' : 'is not a regular file';
      throw new UserError(`refusing to write ${write.path}: it ${what}; nothing was changed`, {
        hint: 'Move it out of the way, then run generate again.',
      });
    }
  }
}

/** Writes the plan into `root`; see the module comment for the guarantees. */
export async function applyPlan(
  root: string,
  plan: Plan,
  previous: ProjectManifest | undefined,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const manifest = nextManifest(plan, previous, options.now ?? new Date());
  const writes = writesOf(plan, manifest);
  if (writes.length === 0) return { files: [], manifest: false, total: 0 };

  const createdFolders: string[] = [];
  try {
    await prepareFolders(root, writes, createdFolders);
    await writeFilesAtomic(
      writes.map((write) => ({ path: join(root, write.path), content: write.content, mode: write.mode, display: write.path })),
      {
        writeTemp: options.writeTemp ?? writeTempFile,
        ...(options.signal ? { signal: options.signal } : {}),
        onError: (write, error) => cannotWrite(write.display!, error),
      },
    );
  } catch (error) {
    // The shared writer leaves no temp and no half-renamed set; the folders made for them go too.
    for (const folder of createdFolders.reverse()) await rmdir(folder).catch(() => {});
    throw error;
  }
  return {
    files: writes.filter((write) => write.project).map((write) => write.path),
    manifest: manifest !== undefined,
    total: writes.length,
  };
}
