/**
 * Which files `check` looks at: files, folders and globs as given, or the shipshape.yaml found
 * from the working directory upward.
 */
import { resolve } from 'node:path';
import type { GlobOptions } from 'tinyglobby';
import { UserError } from '../errors.js';
import { findSpecUpward, kind, SPEC_FILE } from '../spec/locate.js';

/** Inside a folder, these names are specs. */
const SPEC_GLOBS = ['**/shipshape.{yaml,yml}', '**/*.shipshape.{yaml,yml}'];
const IGNORE = ['**/node_modules/**', '**/.git/**', '**/dist/**'];

const isGlob = (path: string) => /[*?[\]{}!]/.test(path);

/** Resolves the paths given on the command line into a sorted, de-duplicated list of absolute files. */
export async function resolveSpecFiles(paths: readonly string[], cwd: string): Promise<string[]> {
  if (paths.length === 0) {
    const found = await findSpecUpward(cwd);
    if (!found) {
      throw new UserError(`no ${SPEC_FILE} in ${cwd} or any folder above it`, {
        hint: 'Run `shipshape init` to write one, or pass the spec files to check.',
      });
    }
    return [found];
  }
  // tinyglobby (with fdir and picomatch) loads only for a folder or a glob: `status` and CI
  // calls that name their spec files never pay for it.
  const glob = async (patterns: string[], options: GlobOptions) => (await import('tinyglobby')).glob(patterns, options);
  const files = new Set<string>();
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    const found = kind(absolute);
    if (found === 'file') {
      files.add(absolute);
    } else if (found === 'dir') {
      const matches = await glob(SPEC_GLOBS, { cwd: absolute, absolute: true, ignore: IGNORE, dot: false });
      if (matches.length === 0) {
        throw new UserError(`no spec files in ${path}`, {
          hint: `A folder is searched for ${SPEC_FILE} and *.shipshape.yaml files; name the files to check another name.`,
        });
      }
      for (const match of matches) files.add(resolve(match));
    } else if (isGlob(path)) {
      const matches = await glob([path], { cwd, absolute: true, ignore: IGNORE, onlyFiles: true });
      if (matches.length === 0)
        throw new UserError(`no files match ${path}`, { hint: 'Check the pattern, and quote it so the shell does not expand it.' });
      for (const match of matches) files.add(resolve(match));
    } else {
      throw new UserError(`no such file or folder: ${path}`, { hint: 'Check the path, or run `shipshape init` to write a spec.' });
    }
  }
  return [...files].sort();
}
