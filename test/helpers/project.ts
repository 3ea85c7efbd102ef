/**
 * A project generated from a spec by the built CLI, with the pack's tasks (npm install) and built: for the tests that
 * run a generated service. npm runs with the machine's registry and cache, not the offline ones of test/setup.ts.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
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
