/**
 * Which files `check` looks at: files, folders and globs as given, or the shipshape.yaml found
 * from the working directory upward.
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';

export const SPEC_FILE = 'shipshape.yaml';
/** Inside a folder, these names are specs. */
const SPEC_GLOBS = ['**/shipshape.{yaml,yml}', '**/*.shipshape.{yaml,yml}'];
const IGNORE = ['**/node_modules/**', '**/.git/**', '**/dist/**'];

function kind(path: string): 'file' | 'dir' | undefined {
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
  const { glob } = await import('tinyglobby');
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

/** How a file is named in output: relative to the working directory when inside it. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return file;
  return rel.split(sep).join('/');
}
