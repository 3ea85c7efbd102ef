/**
 * What a bundled pack says about running the service it made (template.yaml `build`, `start`, `requests`, `env`), read
 * for a project from its `.shipshape/manifest.json`: how `validate` builds, starts and feeds it, and the variables both
 * `validate` and the local deploy driver give it. A pack from elsewhere says nothing here: it runs nothing on its own say.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readTextBoundedSync } from '../fs/read.js';
import { resolvePack } from './pack.js';

export interface PackCommands {
  build?: string[];
  start?: string[];
  requests?: string;
  env?: Record<string, string>;
}

/** The project's pack's commands, requests file and variables; nothing for a project without a bundled pack. */
export async function packCommands(root: string): Promise<PackCommands> {
  const file = join(root, '.shipshape/manifest.json');
  if (!existsSync(file)) return {};
  try {
    const manifest = JSON.parse(readTextBoundedSync(file)) as { pack?: { name?: unknown; source?: { kind?: unknown } } };
    const name = manifest.pack?.name;
    if (typeof name !== 'string' || (manifest.pack?.source?.kind ?? 'bundled') !== 'bundled') return {};
    const pack = await resolvePack(name, { cwd: root });
    return {
      ...(pack.manifest.build ? { build: pack.manifest.build } : {}),
      ...(pack.manifest.start ? { start: pack.manifest.start } : {}),
      ...(pack.manifest.requests ? { requests: pack.manifest.requests } : {}),
      ...(pack.manifest.env ? { env: pack.manifest.env } : {}),
    };
  } catch {
    return {};
  }
}
