/**
 * The precompiled templates of a bundled pack: the module format that the build writes to
 * dist/templates/<pack>.js (see precompile.ts), and loading it. Kept apart from precompile.ts so
 * that rendering never loads the handlebars compiler when every template is precompiled.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from './package-root.js';
import type { Pack } from './types.js';

/** A precompiled pack, as the module's default export. */
export interface PrecompiledPack {
  /** By pack file path (relative to files/): the sha256 of the source compiled, and the template. */
  files: Record<string, { sha256: string; spec: unknown }>;
  /** Templated paths (those holding `{{`), by the path as written in the pack. */
  paths: Record<string, unknown>;
}

/** What a precompiled template is checked against: a template whose source changed since the build is compiled anew. */
export const sourceHash = (source: string): string => createHash('sha256').update(source).digest('hex');

/** The precompiled templates of a bundled pack (dist/templates/<name>.js), when the build made them. */
export async function loadPrecompiled(pack: Pack): Promise<PrecompiledPack | undefined> {
  if (pack.source.kind !== 'bundled') return undefined;
  const file = join(packageRoot(), 'dist', 'templates', `${pack.manifest.name}.js`);
  if (!existsSync(file)) return undefined;
  return ((await import(pathToFileURL(file).href)) as { default: PrecompiledPack }).default;
}
