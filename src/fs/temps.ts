/**
 * The temp files of fs/atomic.ts (`.<name>.<pid>.<8 hex>.tmp`), recognised after a crash: a kill -9
 * mid-write leaves them, the next write into the same folder removes those whose process is gone,
 * and `status` lists them until then. Kept apart from the writer so `status` does not load node:crypto.
 */
import { readdirSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

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

/** Removes the stale temps (see staleTempsIn) of each folder; returns the files removed. */
export async function removeStaleTemps(dirs: Iterable<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of new Set(dirs)) {
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
