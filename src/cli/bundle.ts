/**
 * The CLI as one bundle (dist/cli.cjs): oclif, every command, the not-found hook and, behind each
 * command's lazy imports, the core. bin/run.js loads it through the code cache (boot.ts) and calls
 * `run`; package.json points oclif at this same file for the commands and the hook, and Node's
 * module cache hands oclif the copy already loaded.
 */
import './no-engine-check.js';
// Before anything that colours is loaded: oclif's help reads the variables as it is imported.
import './color-env.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Interfaces } from '@oclif/core';
import { execute } from '@oclif/core/execute';
import { COMMANDS } from '../commands/index.js';
import { readTextBoundedSync } from '../fs/read.js';

export { COMMANDS };
export { default as notFound } from './not-found.js';

/**
 * Runs the command line, the way oclif's bin script does. A run of one of shipshape's own commands
 * does not load the plugins package.json lists (shell completion): oclif would find, read and
 * index each at every start, for commands this run cannot reach. Anything else (no command, help,
 * `autocomplete`, a mistyped command that wants suggestions) loads them, as oclif always does.
 */
export function run(): Promise<unknown> {
  const first = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) {
    const root = dirname(dirname(fileURLToPath(import.meta.url)));
    let pjson: Interfaces.PJSON | undefined;
    try {
      pjson = JSON.parse(readTextBoundedSync(join(root, 'package.json'))) as Interfaces.PJSON;
    } catch {
      pjson = undefined; // oclif reads it itself, and says what is wrong with it
    }
    if (pjson?.oclif) {
      const { plugins: _plugins, ...oclif } = pjson.oclif;
      return execute({ loadOptions: { root, pjson: { ...pjson, oclif } } });
    }
  }
  return execute({ dir: import.meta.url });
}
