/**
 * A project generated from a spec by the built CLI, with the pack's tasks (npm install) and built: for the tests that
 * run a generated service. npm runs with the machine's registry and cache, not the offline ones of test/setup.ts.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { expect, inject } from 'vitest';
import { runCli } from './cli.js';
import { tempDir } from './temp.js';

/** npm as the machine has it set up, and nothing of this vitest run leaking into the project's own. */
export function projectEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    npm_config_offline: undefined,
    npm_config_registry: undefined,
    npm_config_cache: undefined,
    npm_config_prefer_offline: 'true',
    NODE_EXTRA_CA_CERTS: undefined,
    NODE_OPTIONS: undefined,
    CI: 'true',
    NO_COLOR: '1',
  };
  for (const name of Object.keys(process.env))
    if (name.startsWith('VITEST') || name === 'TEST' || name === 'NODE_ENV') env[name] = undefined;
  return env;
}

/**
 * Generates `spec` into a new folder, with the pack's tasks (npm install), and builds it. With `dependenciesFrom` (an
 * installed project), its node_modules is linked in first (linkDependencies): generate's `npm install` then adds only
 * what the project asks for beyond them.
 */
export async function generateProject(spec: string, options: { dependenciesFrom?: string } = {}): Promise<string> {
  const dir = tempDir();
  copyFileSync(spec, join(dir, 'shipshape.yaml'));
  if (options.dependenciesFrom) await linkDependencies(options.dependenciesFrom, dir);
  const generated = await runCli(['generate'], { cwd: dir, env: projectEnv() as Record<string, string> });
  expect(generated.exitCode, generated.stderr + generated.stdout).toBe(0);
  const built = await execa('npm', ['run', 'build'], { cwd: dir, env: projectEnv(), extendEnv: true, reject: false, all: true });
  expect(built.exitCode, String(built.all)).toBe(0);
  return dir;
}

/**
 * The project `generateProject(spec)` makes, once per `vitest run`, for every file that asks: the first one generates,
 * installs and builds it (with generateProject's assertions), the others of the same run wait for it. It sits at the
 * depth of a tempDir, so the relative `file:` link to this shipshape in its node_modules holds in the folders that
 * link or copy it, and goes at the end of the run (test/global-setup.ts). Read only: a test that changes a project
 * takes a copy (sharedProject).
 */
export async function sharedOriginal(spec: string): Promise<string> {
  const registry = inject('sharedProjects');
  const key = createHash('sha256').update(readFileSync(spec)).digest('hex').slice(0, 16);
  const pointer = join(registry, `${key}.path`);
  const lock = join(registry, `${key}.lock`);
  while (!existsSync(pointer)) {
    let mine = false;
    try {
      mkdirSync(lock);
      mine = true;
    } catch {
      // Another file is making it (or failed to: its lock goes, and this file tries).
      await sleep(500);
    }
    if (!mine) continue;
    try {
      const made = await generateProject(spec);
      // Out of the tempDir's reach (removed with its test) and into the run's: global-setup removes it.
      const kept = join(made, '..', basename(made).replace('shipshape-test-', 'shipshape-shared-'));
      renameSync(made, kept);
      writeFileSync(pointer, kept);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return readFileSync(pointer, 'utf8');
}

/** A copy of sharedOriginal(spec) for a test file to change as it likes (node_modules hard-linked: never write there). */
export async function sharedProject(spec: string): Promise<string> {
  const original = await sharedOriginal(spec);
  const dir = tempDir();
  cpSync(original, dir, { recursive: true, verbatimSymlinks: true, filter: (source) => source !== join(original, 'node_modules') });
  await linkDependencies(original, dir);
  return dir;
}

/**
 * Hard-links the node_modules of `from`, an installed project at the depth of a tempDir, into `dir`: an `npm install`
 * there finds those packages in place and installs only what `dir`'s package.json adds (seconds, where a fresh install
 * of the same packages takes tens of them). A fresh install is proven once, where `from` was made. npm rewrites its
 * record of the tree (node_modules/.package-lock.json) in place, so `dir` gets a copy of its own: the rest of an
 * install replaces files rather than writing into them. vitest's results cache (node_modules/.vite), written in place
 * too, is left out.
 */
export async function linkDependencies(from: string, dir: string): Promise<void> {
  const linked = await execa('cp', ['-al', join(from, 'node_modules'), join(dir, 'node_modules')], { reject: false, all: true });
  expect(linked.exitCode, String(linked.all)).toBe(0);
  const record = join(dir, 'node_modules', '.package-lock.json');
  if (existsSync(record)) {
    rmSync(record);
    copyFileSync(join(from, 'node_modules', '.package-lock.json'), record);
  }
  rmSync(join(dir, 'node_modules', '.vite'), { recursive: true, force: true });
}

/** What a project's package.json asks npm to install (both kinds): two projects with the same need the same install. */
export function dependencies(dir: string): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  return { dependencies: manifest['dependencies'], devDependencies: manifest['devDependencies'] };
}

/** The files under `folders` of `dir` whose bytes differ from `reference`'s, or that only one of the two has, sorted. */
export function differingFiles(reference: string, dir: string, folders: readonly string[]): string[] {
  const files = (root: string) =>
    folders.flatMap((folder) =>
      existsSync(join(root, folder))
        ? readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' }).map((path) => join(folder, path))
        : [],
    );
  const isFile = (path: string) => existsSync(path) && statSync(path).isFile();
  const same = (path: string) =>
    isFile(join(reference, path)) && isFile(join(dir, path)) && readFileSync(join(reference, path)).equals(readFileSync(join(dir, path)));
  return [...new Set([...files(reference), ...files(dir)])]
    .filter((path) => (isFile(join(reference, path)) || isFile(join(dir, path))) && !same(path))
    .sort();
}

/**
 * The test files of a generated project that read the project's own spec (they import src/config/spec.js): the ones
 * whose outcome changes with the spec. The others read the reference example's (test/support/triage.ts, taking only
 * the metadata from the project's), so in two projects whose code differs only in src/config/spec.ts they run the
 * same code on the same numbers.
 */
export function specTests(dir: string): string[] {
  return readdirSync(join(dir, 'test'))
    .filter((name) => name.endsWith('.test.ts'))
    .filter((name) => /from '\.\.\/src\/config\/spec\.js'/.test(readFileSync(join(dir, 'test', name), 'utf8')))
    .map((name) => `test/${name}`)
    .sort();
}
