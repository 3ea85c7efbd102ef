import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runGenerate, type GenerateOptions } from '../../src/scaffold/run.js';
import { EXAMPLE, ROOT, tempDir } from '../helpers/temp.js';

export const PACKS = join(ROOT, 'test', 'fixtures', 'packs');
export const MINI_1 = join(PACKS, 'mini-1.0.0');
export const MINI_2 = join(PACKS, 'mini-2.0.0');
export const NOW = new Date('2026-11-25T10:00:00.000Z');

export const exampleText = readFileSync(EXAMPLE, 'utf8');

/** A project folder holding the reference example as its shipshape.yaml. */
export function project(spec = exampleText): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'shipshape.yaml'), spec);
  return dir;
}

/** A copy of a fixture pack in a temp dir, to change without touching the fixture. */
export function packCopy(from = MINI_1): string {
  const dir = join(tempDir(), 'pack');
  cpSync(from, dir, { recursive: true });
  return dir;
}

/** runGenerate with the defaults of a plain `generate --no-tasks`. */
export const generate = (cwd: string, options: Partial<GenerateOptions> = {}) =>
  runGenerate({
    cwd,
    dryRun: false,
    force: false,
    conflict: 'inline',
    trust: false,
    upgrade: false,
    tasks: false,
    version: '9.9.9',
    now: NOW,
    ...options,
  });

/** Every file under dir (dotfiles and .shipshape included) with its bytes as text and its mode. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = `${(statSync(path).mode & 0o777).toString(8)} ${readFileSync(path, 'latin1')}`;
  }
  return out;
}

export const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');
