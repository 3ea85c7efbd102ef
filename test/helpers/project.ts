/**
 * A project generated from a spec by the built CLI, with the pack's tasks (npm install) and built: for the tests that
 * run a generated service. npm runs with the machine's registry and cache, not the offline ones of test/setup.ts.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

/** Generates `spec` into a new folder, with the pack's tasks (npm install), and builds it. */
export async function generateProject(spec: string): Promise<string> {
  const dir = tempDir();
  copyFileSync(spec, join(dir, 'shipshape.yaml'));
  const generated = await runCli(['generate'], { cwd: dir, env: projectEnv() as Record<string, string> });
  expect(generated.exitCode, generated.stderr + generated.stdout).toBe(0);
  const built = await execa('npm', ['run', 'build'], { cwd: dir, env: projectEnv(), extendEnv: true, reject: false, all: true });
  expect(built.exitCode, String(built.all)).toBe(0);
  return dir;
}

/**
 * A copy of the project `generateProject(spec)` makes, for a test file to change as it likes: the
 * first file that asks generates, installs and builds it (with generateProject's assertions), the
 * others of the same `vitest run` wait for it, then each gets its own copy (node_modules hard-linked,
 * so never write there). The originals sit at the depth of a tempDir, so the relative `file:` link
 * to this shipshape in node_modules holds in the copies, and go at the end of the run
 * (test/global-setup.ts).
 */
export async function sharedProject(spec: string): Promise<string> {
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
  const original = readFileSync(pointer, 'utf8');
  const dir = tempDir();
  cpSync(original, dir, { recursive: true, verbatimSymlinks: true, filter: (source) => source !== join(original, 'node_modules') });
  const linked = await execa('cp', ['-al', join(original, 'node_modules'), join(dir, 'node_modules')], { reject: false, all: true });
  expect(linked.exitCode, String(linked.all)).toBe(0);
  return dir;
}
