/**
 * Where shipshape itself is installed: the bundled packs live in `templates/` there, and their
 * precompiled templates in `dist/templates/`. Found from this module's own location, which is
 * src/scaffold/ in development and a chunk under dist/ once bundled.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** shipshape's own version, from its package.json. */
export function shipshapeVersion(): string {
  const data = JSON.parse(readTextBoundedSync(join(packageRoot(), 'package.json'))) as { version?: unknown };
  return typeof data.version === 'string' ? data.version : '0.0.0';
}
