/**
 * The CLI as one bundle (dist/cli.cjs): oclif, every command, the not-found hook and, behind each
 * command's lazy imports, the core. bin/run.js loads it through the code cache (boot.ts) and calls
 * `run`; package.json points oclif at this same file for the commands and the hook, and Node's
 * module cache hands oclif the copy already loaded.
 */
import './no-engine-check.js';
// Before anything that colours is loaded: oclif's help reads the variables as it is imported.
import './color-env.js';
import { execute } from '@oclif/core/execute';

export { COMMANDS } from '../commands/index.js';
export { default as notFound } from './not-found.js';

/** Runs the command line, the way oclif's bin script does. */
export function run(): Promise<unknown> {
  return execute({ dir: import.meta.url });
}
