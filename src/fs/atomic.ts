/**
 * Atomic writes: a temp file in the same directory, flushed, then renamed over the target, so a
 * crash or Ctrl-C leaves either the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { IO_REASONS, UserError } from '../errors.js';

/** Failures the user can fix (a missing folder, no permission) become a UserError naming the file. */
function explain(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  // Writing, a missing path means its folder is missing.
  const reasons: Record<string, string> = { ...IO_REASONS, ENOENT: 'its folder does not exist' };
  const reason = code ? reasons[code] : undefined;
  if (!reason) return error;
  return new UserError(`cannot write ${path}: ${reason}`, { hint: 'Check the path and its permissions.', cause: error });
}

export async function writeFileAtomic(path: string, content: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let mode = options.mode;
  if (mode === undefined) {
    try {
      mode = (await stat(path)).mode & 0o777;
    } catch {
      mode = 0o644;
    }
  }
  const handle = await open(temp, 'wx', mode).catch((error: unknown) => {
    throw explain(error, path);
  });
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => {});
    throw explain(error, path);
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw explain(error, path);
  }
}
