/**
 * Where a command's spec is: `--spec FILE` as given, else the nearest shipshape.yaml from the
 * working directory (or `--dir`) upward.
 */
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';

export const SPEC_FILE = 'shipshape.yaml';

/** A file, a folder, or nothing at `path` (symlinks followed). */
export function kind(path: string): 'file' | 'dir' | undefined {
  const info = statSync(path, { throwIfNoEntry: false });
  return info === undefined ? undefined : info.isDirectory() ? 'dir' : 'file';
}

/** The nearest shipshape.yaml (or .yml) from `start` upward. */
export async function findSpecUpward(start: string): Promise<string | undefined> {
  let dir = resolve(start);
  for (;;) {
    for (const name of [SPEC_FILE, 'shipshape.yml']) {
      const candidate = join(dir, name);
      if (kind(candidate) === 'file') return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The spec a command works on: `--spec FILE` as given, else the nearest shipshape.yaml from
 * `--dir` (or the working directory) upward.
 */
export async function locateSpec(options: { cwd: string; dir?: string; spec?: string }): Promise<string> {
  if (options.spec) return resolve(options.cwd, options.spec);
  const start = resolve(options.cwd, options.dir ?? '.');
  const found = await findSpecUpward(start);
  if (!found) {
    throw new UserError(`no ${SPEC_FILE} in ${start} or any folder above it`, {
      hint: 'Run `shipshape init` to write one, or pass --spec FILE.',
    });
  }
  return found;
}
