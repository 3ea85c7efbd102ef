/** The CLI's start (dist/cli/run.cjs): a bundle of the CLI through V8's code cache, then oclif. */
import { fileURLToPath } from 'node:url';
import { loadBundle } from './boot.js';

interface Bundle {
  COMMANDS: Record<string, unknown>;
  run(): Promise<unknown>;
}

/** What the lite bundle (dist/cli-lite.cjs) runs: everything else is in dist/cli.cjs (see scripts/build.js). */
const LITE_COMMANDS = new Set(['check', 'status', 'rules', 'schema', 'help']);
/** What dist/cli-gen.cjs runs: the same CLI with the cores of design and generate only. */
const GEN_COMMANDS = new Set(['design', 'generate']);

const args = process.argv.slice(2);
const first = args.find((arg) => !arg.startsWith('-'));
// One cache per command (each compiles its own code), and one for help.
const key = first === undefined || first === 'help' || args.includes('--help') || args.includes('-h') ? 'help' : first;
const full = fileURLToPath(new URL('../cli.cjs', import.meta.url));
const lighter = LITE_COMMANDS.has(key) ? '../cli-lite.cjs' : GEN_COMMANDS.has(key) ? '../cli-gen.cjs' : undefined;
const { exports, saveCache } = lighter
  ? loadBundle<Bundle>(fileURLToPath(new URL(lighter, import.meta.url)), key, { saveOnExit: false, alsoAs: full })
  : loadBundle<Bundle>(full, key, { saveOnExit: false });
// A mistyped command leaves no cache of its own behind.
process.once('exit', () => {
  if (key === 'help' || Object.hasOwn(exports.COMMANDS, key)) saveCache();
});
void exports.run();
