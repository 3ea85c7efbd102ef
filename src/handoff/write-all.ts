/**
 * Writes a set of files all or none: every new content goes to a temp file beside its target
 * (flushed) before any target is touched, then the temps are renamed over the targets. When a
 * write or a rename fails, the temps are removed, the targets already replaced get their old
 * content back (kept as a hard link until the end) or are removed if they are new, and so are
 * the folders made for them. A local stand-in for the shared all-or-nothing writer of src/fs:
 * the same signature, so `runbook` can switch to it.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { IO_REASONS, UserError } from '../errors.js';

export interface FileToWrite {
  /** Absolute path. */
  path: string;
  content: string | Uint8Array;
}

const sibling = (path: string, suffix: string) =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.${suffix}`);

/** A failure the user can fix, as a UserError naming the target (not the temp file). */
function explain(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code ? { ...IO_REASONS, ENOENT: 'its folder does not exist' }[code] : undefined;
  if (!reason) return error;
  return new UserError(`cannot write ${path}: ${reason}; nothing was written`, {
    hint: 'Check the path and its permissions.',
    cause: error,
  });
}

const quietly = async (step: () => Promise<unknown>) => {
  await step().catch(() => undefined);
};

export async function writeAllOrNothing(files: readonly FileToWrite[]): Promise<void> {
  /** Folders made here, deepest last: removed again on failure. */
  const made: string[] = [];
  const temps = new Map<string, string>();
  /** Targets that existed: a hard link to their old content. */
  const backups = new Map<string, string>();
  const replaced: string[] = [];
  let current = files[0]?.path ?? '';
  try {
    for (const file of files) {
      current = file.path;
      const first = await mkdir(dirname(file.path), { recursive: true });
      if (first !== undefined) {
        // Every folder from `first` down to the file's own was made now.
        for (let dir = dirname(file.path); dir.length >= first.length; dir = dirname(dir)) made.push(dir);
      }
    }
    for (const file of files) {
      current = file.path;
      let mode = 0o644;
      try {
        mode = (await stat(file.path)).mode & 0o777;
      } catch {
        // A new file.
      }
      const temp = sibling(file.path, 'tmp');
      const handle = await open(temp, 'wx', mode);
      temps.set(file.path, temp);
      try {
        await handle.writeFile(file.content);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (const file of files) {
      current = file.path;
      const backup = sibling(file.path, 'bak');
      try {
        await link(file.path, backup);
        backups.set(file.path, backup);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    for (const file of files) {
      current = file.path;
      await rename(temps.get(file.path)!, file.path);
      temps.delete(file.path);
      replaced.push(file.path);
    }
  } catch (error) {
    for (const path of replaced.reverse()) {
      const backup = backups.get(path);
      if (backup) {
        await quietly(() => rename(backup, path));
        backups.delete(path);
      } else await quietly(() => unlink(path));
    }
    for (const temp of temps.values()) await quietly(() => unlink(temp));
    for (const backup of backups.values()) await quietly(() => unlink(backup));
    for (const dir of [...new Set(made)].sort((a, b) => b.length - a.length)) await quietly(() => rmdir(dir));
    throw explain(error, current);
  }
  for (const backup of backups.values()) await quietly(() => unlink(backup));
}
