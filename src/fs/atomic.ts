/**
 * The one way shipshape writes files: all or nothing.
 *
 * Every file of a write is first written to a temp file in its own folder and flushed (fsync);
 * only when all of them are written are they renamed into place. If anything fails before the
 * renames, every temp is removed and nothing on disk changed. If a rename fails part-way (rare:
 * the temps sit in the very folders), the files already renamed are put back from hard-link
 * backups taken just before, so a multi-file write (design's spec + ADR, runbook's four files,
 * generate's plan) lands whole or not at all.
 *
 * Temp files are named `.<name>.<pid>.<hex>.tmp`. A kill -9 can still leave some; they are
 * recognisable, so the next write into the same folder removes those whose process is gone
 * (`removeStaleTemps`), `status` lists them until then, and generated projects ignore `*.tmp`.
 * A kill -9 during the renames of a multi-file write would leave a mix of old and new files: a
 * journal written into each of its folders before the first rename (temps.ts, WriteJournal) lets
 * the next write into any of them finish the renames first, so the set is the new one.
 * eslint forbids node:fs writes elsewhere in src/ (see eslint.config.js).
 */
import { copyFile, link, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InterruptedError, IO_REASONS, UserError } from '../errors.js';
import { nodeCrypto } from './crypto.js';
import { JOURNAL_PREFIX, removeStaleTemps, type WriteJournal } from './temps.js';

export interface FileWrite {
  /** Absolute path of the file to write. */
  path: string;
  content: string | Uint8Array;
  /** Default: the mode of the file it replaces, or 0o644. */
  mode?: number;
  /** How the file is named in messages; default its path. */
  display?: string;
}

/** Writes one temp file, created new (never over an existing one). Tests pass one that fails part-way. */
export type TempWriter = (path: string, content: string | Uint8Array, mode: number) => Promise<void>;

export interface WriteOptions {
  writeTemp?: TempWriter;
  /** Aborted (Ctrl-C) before the renames: everything is rolled back and InterruptedError thrown. */
  signal?: AbortSignal;
  /** The error for a write that failed before anything was renamed; default "cannot write <file>: <reason>". */
  onError?: (write: FileWrite, error: unknown) => unknown;
  /** Called after each rename, with its index: tests stop (kill -9) a write there. */
  afterRename?: (index: number) => void | Promise<void>;
}

/** Temp files written at once: overlapping fsyncs, few enough for any open-file limit. */
const WRITE_BATCH = 16;

export const writeTempFile: TempWriter = async (path, content, mode) => {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
};

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${nodeCrypto().randomBytes(4).toString('hex')}.tmp`);
}

/** Failures the user can fix (a missing folder, no permission) become a UserError naming the file. */
function explain(error: unknown, path: string, several: boolean): unknown {
  if (error instanceof UserError || error instanceof InterruptedError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  // Writing, a missing path means its folder is missing.
  const reasons: Record<string, string> = { ...IO_REASONS, ENOENT: 'its folder does not exist' };
  const reason = code ? reasons[code] : undefined;
  if (!reason) return error;
  return new UserError(`cannot write ${path}: ${reason}${several ? '; nothing was changed' : ''}`, {
    hint: 'Check the path and its permissions.',
    cause: error,
  });
}

interface Staged {
  write: FileWrite;
  temp: string;
  /** A hard link to the file being replaced, taken before the renames, for putting it back. */
  backup?: string;
}

async function modeOf(write: FileWrite): Promise<number> {
  if (write.mode !== undefined) return write.mode;
  try {
    return (await stat(write.path)).mode & 0o777;
  } catch {
    return 0o644;
  }
}

/** Writes every file, or none of them; see the module comment. */
export async function writeFilesAtomic(writes: readonly FileWrite[], options: WriteOptions = {}): Promise<void> {
  if (writes.length === 0) return;
  const writeTemp = options.writeTemp ?? writeTempFile;
  const several = writes.length > 1;
  const fail = (write: FileWrite, error: unknown) =>
    options.onError ? options.onError(write, error) : explain(error, write.display ?? write.path, several);
  await removeStaleTemps(writes.map((write) => dirname(write.path)));

  const staged: Staged[] = writes.map((write) => ({ write, temp: tempPathFor(write.path) }));
  const written: Staged[] = [];
  const removeTemps = (list: readonly Staged[]) => Promise.all(list.map(({ temp }) => unlink(temp).catch(() => {})));
  try {
    // A batch settles whole before an error stops the rest, so the roll-back finds every temp it made.
    for (let start = 0; start < staged.length; start += WRITE_BATCH) {
      if (options.signal?.aborted) throw new InterruptedError();
      const batch = staged.slice(start, start + WRITE_BATCH);
      const outcomes = await Promise.allSettled(
        batch.map(async (item) => {
          const mode = await modeOf(item.write);
          await writeTemp(item.temp, item.write.content, mode);
          written.push(item);
        }),
      );
      const failed = outcomes.findIndex((outcome) => outcome.status === 'rejected');
      if (failed !== -1) throw fail(batch[failed]!.write, (outcomes[failed] as PromiseRejectedResult).reason);
    }
    if (options.signal?.aborted) throw new InterruptedError();
  } catch (error) {
    await removeTemps(staged);
    throw error;
  }

  // Backups of the files about to be replaced, so a failed rename can put everything back.
  if (several) {
    for (const item of staged) {
      const backup = tempPathFor(item.write.path);
      try {
        await link(item.write.path, backup);
        item.backup = backup;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue;
        try {
          await copyFile(item.write.path, backup);
          item.backup = backup;
        } catch {
          // A folder or a file we cannot read: the rename below fails on it, before or as we get there.
        }
      }
    }
  }
  const backups = staged.flatMap(({ backup }) => (backup ? [backup] : []));
  const journals = several
    ? await writeJournal(staged).catch(async (error: unknown) => {
        await removeTemps(staged);
        await Promise.all(backups.map((backup) => unlink(backup).catch(() => {})));
        throw explain(error, dirname(staged[0]!.write.path), several);
      })
    : [];
  const dropJournals = () => Promise.all(journals.map((journal) => unlink(journal).catch(() => {})));
  for (const [i, item] of staged.entries()) {
    try {
      await rename(item.temp, item.write.path);
      await options.afterRename?.(i);
    } catch (error) {
      await dropJournals();
      // Put back what was renamed, newest first; drop the rest.
      for (const done of staged.slice(0, i).reverse()) {
        if (done.backup) await rename(done.backup, done.write.path).catch(() => {});
        else await unlink(done.write.path).catch(() => {});
      }
      await removeTemps(staged.slice(i));
      await Promise.all(backups.map((backup) => unlink(backup).catch(() => {})));
      const reason = explain(error, item.write.display ?? item.write.path, several);
      throw reason instanceof UserError
        ? reason
        : new UserError(
            `cannot move ${item.write.display ?? item.write.path} into place: ${(error as Error).message}; nothing was changed`,
            {
              hint: 'Fix the cause, then run the command again.',
              cause: error,
            },
          );
    }
  }
  await Promise.all(backups.map((backup) => unlink(backup).catch(() => {})));
  await dropJournals();
  await syncFolders(staged.map(({ write }) => dirname(write.path)));
}

/**
 * Writes the journal of the renames into every folder of the write (temps.ts, WriteJournal), each
 * copy whole or not at all, so that a kill -9 during the renames is finished by the next write.
 */
async function writeJournal(staged: readonly Staged[]): Promise<string[]> {
  const dirs = [...new Set(staged.map(({ write }) => dirname(write.path)))];
  const copies = dirs.map((dir) => join(dir, `${JOURNAL_PREFIX}.${process.pid}.${nodeCrypto().randomBytes(4).toString('hex')}.tmp`));
  const journal: WriteJournal = {
    renames: staged.map(({ temp, write, backup }) => ({ temp, target: write.path, ...(backup ? { backup } : {}) })),
    copies,
  };
  const text = `${JSON.stringify(journal)}\n`;
  const written: string[] = [];
  try {
    for (const copy of copies) {
      const temp = tempPathFor(copy);
      await writeTempFile(temp, text, 0o600);
      await rename(temp, copy).catch(async (error: unknown) => {
        await unlink(temp).catch(() => {});
        throw error;
      });
      written.push(copy);
    }
  } catch (error) {
    await Promise.all(written.map((copy) => unlink(copy).catch(() => {})));
    throw error;
  }
  return copies;
}

/** Flushes the folders' entries (the renames) to disk; best effort, as not every file system allows it. */
async function syncFolders(dirs: readonly string[]): Promise<void> {
  await Promise.all(
    [...new Set(dirs)].map(async (dir) => {
      try {
        const handle = await open(dir, 'r');
        await handle.sync().finally(() => handle.close());
      } catch {
        // not supported here
      }
    }),
  );
}

/** One file, atomically: a temp file in the same folder, flushed, then renamed over the target. */
export async function writeFileAtomic(path: string, content: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  await writeFilesAtomic([{ path, content, ...(options.mode === undefined ? {} : { mode: options.mode }) }]);
}
