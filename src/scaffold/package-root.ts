/**
 * Where shipshape itself is installed: the bundled packs live in `templates/` there, and their
 * precompiled templates in `dist/templates/`. Found from this module's own location, which is
 * src/scaffold/ in development and a chunk under dist/ once bundled.
 */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BugError } from '../errors.js';
import { readTextBoundedSync } from '../fs/read.js';

let root: string | undefined;

/** The folder holding shipshape's package.json. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    dir = dirname(dir);
  }
  throw new BugError(`cannot find shipshape's package.json above ${fileURLToPath(import.meta.url)}`);
}

/**
 * What a generated project's package.json names to install this shipshape, pinned: the exact
 * version when shipshape runs from an installed package (a registry has it), and `file:` its
 * folder when it runs from a source checkout, which no registry has: the project then links to
 * the very shipshape that generated it, which installs offline but only on this machine.
 */
export function shipshapeDependency(version: string): string {
  const root = packageRoot();
  return root.split(sep).includes('node_modules') ? version : `file:${root}`;
}

/** shipshape's own version, from its package.json. */
export function shipshapeVersion(): string {
  const data = JSON.parse(readTextBoundedSync(join(packageRoot(), 'package.json'))) as { version?: unknown };
  return typeof data.version === 'string' ? data.version : '0.0.0';
}
