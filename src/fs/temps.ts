/**
 * The temp files of fs/atomic.ts (`.<name>.<pid>.<8 hex>.tmp`), recognised after a crash: a kill -9
 * mid-write leaves them, the next write into the same folder removes those whose process is gone,
 * and `status` lists them until then. Kept apart from the writer so `status` does not load node:crypto.
 */
import { readdirSync } from 'node:fs';
import { readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextBoundedSync } from './read.js';

/** `.name.<pid>.<8 hex>.tmp`: the temp files (and backups) the writer makes. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function processGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The temp files in `dir` left by a shipshape process that is gone (killed mid-write). */
export function staleTempsIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((name) => {
    const pid = TEMP_NAME.exec(name)?.[1];
    return pid !== undefined && processGone(Number(pid));
  });
}

/**
 * The journal of a multi-file write (fs/atomic.ts), written into every folder of the write once
 * all its temps are on disk and before the first rename: which temp becomes which file, and the
 * backups of the files it replaces. A kill -9 during the renames leaves it behind, and the next
 * cleanup finishes the write from it, so the set is the new one, never a mix.
 */
export interface WriteJournal {
  renames: { temp: string; target: string; backup?: string }[];
  /** Every copy of this journal, one per folder. */
  copies: string[];
}

/** `.shipshape-journal.<pid>.<8 hex>.tmp`: a temp name too, so status lists it and *.tmp ignores it. */
export const JOURNAL_PREFIX = '.shipshape-journal';
const JOURNAL_NAME = /^\.shipshape-journal\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Finishes the writes whose process died mid-rename, from the journals in `dir`. */
async function finishInterruptedWrites(dir: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const pid = JOURNAL_NAME.exec(name)?.[1];
    if (pid === undefined || !processGone(Number(pid))) continue;
    let journal: WriteJournal;
    try {
      journal = JSON.parse(readTextBoundedSync(join(dir, name), { links: 'refuse' })) as WriteJournal;
    } catch {
      continue; // not ours after all: left to the stale-temp removal
    }
    // Every temp still there was not renamed yet: rename it now. Each copy of the journal was
    // written whole (temp and rename), so every temp it names was on disk and flushed.
    for (const { temp, target } of journal.renames) await rename(temp, target).catch(() => {});
    for (const { backup } of journal.renames) if (backup) await unlink(backup).catch(() => {});
    for (const copy of journal.copies) await unlink(copy).catch(() => {});
  }
}

/** Removes the stale temps (see staleTempsIn) of each folder, after finishing any write a kill interrupted; returns the files removed. */
export async function removeStaleTemps(dirs: Iterable<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of new Set(dirs)) {
    await finishInterruptedWrites(dir, await readdir(dir).catch(() => [] as string[]));
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const pid = TEMP_NAME.exec(name)?.[1];
      if (pid === undefined || !processGone(Number(pid))) continue;
      await unlink(join(dir, name)).then(
        () => removed.push(join(dir, name)),
        () => {},
      );
    }
  }
  return removed;
}
