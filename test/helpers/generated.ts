import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Ownership } from '../../src/scaffold/types.js';

export const MANIFEST = '.shipshape/manifest.json';

export const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

export function put(dir: string, file: string, text: string | Buffer): string {
  const path = join(dir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** What a pack writes, by project path. */
export type Generated = Record<string, { ownership: Ownership; text: string }>;

/** The files of a small generated service: one of each ownership. */
export const GENERATED: Generated = {
  'src/serving/app.ts': { ownership: 'managed', text: 'export const app = {};\n' },
  'src/orchestration/breaker.ts': { ownership: 'managed', text: 'export const breaker = {};\n' },
  'src/pipeline/steps.ts': { ownership: 'seeded', text: 'export const steps = [];\n' },
  'src/config.ts': { ownership: 'merged', text: 'export const config = {};\n' },
};

/**
 * Writes what `generate` would leave in `dir`: the files, and a manifest recording their
 * ownership and hash, from `pack` (service-ts 1.4.0 unless said otherwise).
 */
export function generate(dir: string, files: Generated = GENERATED, pack = { name: 'service-ts', version: '1.4.0' }): void {
  for (const [path, { text }] of Object.entries(files)) put(dir, path, text);
  const entries = Object.fromEntries(
    Object.entries(files).map(([path, { ownership, text }]) => [path, { ownership, sha256: sha256(text) }]),
  );
  const manifest = {
    version: 1,
    pack: { ...pack, source: { kind: 'bundled', name: pack.name } },
    specHash: sha256('spec'),
    generatedAt: '2026-11-01T10:00:00.000Z',
    files: entries,
  };
  put(dir, MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
}
