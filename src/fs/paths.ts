import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * `file` (absolute, or relative to `root`) as a path inside `root` with forward slashes, or
 * undefined when it is `root` itself or lies outside it. A name that merely starts with two dots
 * (`..notes`) is inside.
 */
export function insideRoot(root: string, file: string): string | undefined {
  const rel = relative(root, resolve(root, file));
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/** How a file is named in output: relative to the working directory when inside it. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return file;
  return rel.split(sep).join('/');
}
