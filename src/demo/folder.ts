/** Where `shipshape demo` works: a fresh temp folder, or the one given, which must be empty. */
import { mkdir, mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';

export async function demoFolder(options: { dir?: string; cwd: string }): Promise<{ dir: string; temporary: boolean }> {
  if (options.dir === undefined) return { dir: await mkdtemp(join(tmpdir(), 'shipshape-demo-')), temporary: true };
  const dir = resolve(options.cwd, options.dir);
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (info && !info.isDirectory()) {
    throw new UserError(`${options.dir} is not a folder`, { hint: 'Give the demo an empty or new folder, or none for a temp folder.' });
  }
  if (info) {
    const entries = await readdir(dir);
    if (entries.length > 0) {
      throw new UserError(`${options.dir} is not empty (${entries.length} entries); the demo writes a whole project there`, {
        hint: 'Give the demo an empty or new folder, or none for a temp folder.',
      });
    }
  }
  await mkdir(dir, { recursive: true });
  return { dir, temporary: false };
}
