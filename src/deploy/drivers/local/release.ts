/**
 * A release of the local driver: a copy of the project under `.shipshape/releases/<version>`,
 * built with its own `build` script, so blue keeps running the code it was promoted with while
 * the working tree moves on.
 */
// eslint-disable-next-line no-restricted-imports -- a release is a copy of the project tree (fs.cp refuses pipes and devices), not a file shipshape reads or writes
import { cp, mkdir, readdir, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ExternalError, UserError } from '../../../errors.js';
import type { Release } from '../../driver.js';
import { readTextBounded } from '../../../fs/read.js';

export const RELEASES_DIR = '.shipshape/releases';
/** Never copied into a release: shipshape's own state, dependencies (linked instead) and git. */
const SKIPPED = new Set(['.shipshape', 'node_modules', '.git']);

const SAFE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The version of a new release: as given, else the short git commit (with `-dirty` for a working
 * tree with changes), else the spec hash and a counter; never one the history already has.
 */
export async function pickVersion(options: { root: string; specHash: string; given?: string; known: readonly string[] }): Promise<string> {
  if (options.given !== undefined) {
    if (!SAFE_VERSION.test(options.given))
      throw new UserError(`--version ${JSON.stringify(options.given)} is not a version name`, {
        hint: 'Use letters, digits, dots, dashes and underscores (at most 64).',
      });
    if (options.known.includes(options.given))
      throw new UserError(`version ${options.given} was already deployed`, {
        hint: 'Give a new --version, or leave it out to use the git commit.',
      });
    return options.given;
  }
  const known = new Set(options.known);
  const unique = (base: string): string => {
    if (!known.has(base)) return base;
    for (let n = 2; ; n++) if (!known.has(`${base}.${n}`)) return `${base}.${n}`;
  };
  const git = await execa('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: options.root, reject: false });
  if (git.exitCode === 0 && /^[0-9a-f]+$/.test(String(git.stdout).trim())) {
    const dirty = await execa('git', ['status', '--porcelain', '--', '.', ':!.shipshape'], { cwd: options.root, reject: false });
    return unique(`${String(git.stdout).trim()}${String(dirty.stdout).trim() ? '-dirty' : ''}`);
  }
  const base = options.specHash.slice(0, 12);
  for (let n = 1; ; n++) if (!known.has(`${base}-${n}`)) return `${base}-${n}`;
}

export const releaseDir = (root: string, version: string): string => join(root, RELEASES_DIR, version);

/** Copies the project into its release folder and runs its build script, if it has one. */
export async function buildRelease(root: string, version: string, signal?: AbortSignal): Promise<Release> {
  const dir = releaseDir(root, version);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // Entry by entry: the release folder lives inside the project, and cp refuses to copy a folder into itself.
  for (const entry of await readdir(root)) {
    if (SKIPPED.has(entry)) continue;
    await cp(join(root, entry), join(dir, entry), { recursive: true, verbatimSymlinks: true });
  }
  // Dependencies are linked, not copied: a release differs in code, not in node_modules.
  if (existsSync(join(root, 'node_modules'))) await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const pkg = await readPackage(dir);
  if (pkg.scripts?.['build']) {
    const built = await execa('npm', ['run', 'build'], { cwd: dir, reject: false, all: true, ...(signal ? { cancelSignal: signal } : {}) });
    if (built.exitCode !== 0) throw new ExternalError(`npm run build (release ${version})`, String(built.all ?? ''));
  }
  return { version, location: dir };
}

export interface PackageJson {
  scripts?: Record<string, string>;
}

export async function readPackage(dir: string): Promise<PackageJson> {
  try {
    return JSON.parse(await readTextBounded(join(dir, 'package.json'))) as PackageJson;
  } catch {
    return {};
  }
}
