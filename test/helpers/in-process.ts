/**
 * The built CLI (dist/cli.cjs, what bin/run.js loads) run inside the test's own process: the same
 * commands, flags, parsing, errors and exit codes as `runCli`, without a Node start per case
 * (300-500 ms of CPU each on a busy machine). For the tests whose subject is what a command does
 * with its input, not the process: exit codes come from the same places (oclif's exit errors,
 * `process.exitCode`, oclif's own handler for anything else), and standard output and error are
 * captured where everything ends up (process.stdout/stderr.write and the console oclif writes to).
 *
 * What stays with `runCli` (a real process): signals, a terminal, stdin, colour variables read at
 * start-up, the start itself (bin/run.js, the lite bundle, the code cache), anything that runs two
 * commands at once. Runs here are one at a time (cwd, env and the streams belong to the process);
 * this needs the forks pool (process.chdir), which the cli lane uses (vitest.config.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Config, run } from '@oclif/core';
import { Exit, handle } from '@oclif/core/handle';
import type { Interfaces } from '@oclif/core';
import type { CliResult } from './cli.js';
import { ROOT } from './temp.js';

/** What `runCli` sets for every run: CI (never prompt), no colour. */
const BASE_ENV: Record<string, string | undefined> = { CI: 'true', NO_COLOR: '1', FORCE_COLOR: undefined, NODE_EXTRA_CA_CERTS: undefined };
/** Variables the CLI reads once, as it loads (src/cli/color-env.ts, chalk): a run that sets them needs a process. */
const READ_AT_START = ['FORCE_COLOR', 'NO_COLOR', 'TERM', 'COLORTERM'];

const configs = new Map<'own' | 'all', Promise<Config>>();

/**
 * oclif's configuration of the CLI, loaded once per test file, as bundle.ts's run() loads it:
 * without the plugins (shell completion) for shipshape's own commands, with them for the rest.
 */
function config(args: readonly string[]): Promise<Config> {
  const first = args.find((arg) => !arg.startsWith('-'));
  const { COMMANDS } = createRequire(import.meta.url)(join(ROOT, 'dist', 'cli.cjs')) as { COMMANDS: Record<string, unknown> };
  const kind = first !== undefined && Object.hasOwn(COMMANDS, first) ? 'own' : 'all';
  let loaded = configs.get(kind);
  if (!loaded) {
    const pjson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Interfaces.PJSON;
    const { plugins: _plugins, ...oclif } = pjson.oclif;
    loaded = Config.load(kind === 'own' ? { root: ROOT, pjson: { ...pjson, oclif } } : { root: ROOT });
    configs.set(kind, loaded);
  }
  return loaded;
}

function applyEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const before: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) {
    before[key] = process.env[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return before;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `shipshape ...args` in this process, in `cwd`, with runCli's environment plus `env`, and
 * resolves with its exit code and what it wrote; never prompts (CI is set, stdin is not read).
 */
export function runInProcess(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const clash = Object.keys(options.env ?? {}).find((key) => READ_AT_START.includes(key));
  if (clash) throw new Error(`runInProcess: ${clash} is read as the CLI loads; use runCli for this case`);
  const result = queue.then(() => runOnce(args, options));
  queue = result.catch(() => undefined);
  return result;
}

async function runOnce(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const text = (chunk: unknown) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
  const { write: outWrite } = process.stdout;
  const { write: errWrite } = process.stderr;
  const { log, info, warn, error, debug } = console;
  const format = (parts: unknown[]) => `${parts.map((part) => (typeof part === 'string' ? part : String(part))).join(' ')}\n`;
  const exitOf = Exit.exit;
  const cwd = process.cwd();
  const exitCodeBefore = process.exitCode;
  const envBefore = applyEnv({ ...BASE_ENV, ...options.env });
  let exitCode: number | undefined;
  // The bundle loads within the first run, with this run's environment: what it reads once is what runCli's processes see.
  const loaded = await config(args).catch((failed: unknown) => {
    applyEnv(envBefore);
    throw failed;
  });
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    stdout += text(chunk);
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    stderr += text(chunk);
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stderr.write;
  console.log = console.info = (...parts: unknown[]) => void (stdout += format(parts));
  console.warn = console.error = console.debug = (...parts: unknown[]) => void (stderr += format(parts));
  Exit.exit = ((code = 0) => void (exitCode ??= code)) as typeof Exit.exit;
  process.exitCode = undefined;
  // runCli's processes have pipes and no stdin: no terminal anywhere.
  const terminals = [process.stdin, process.stdout, process.stderr].map((stream) => {
    const own = Object.getOwnPropertyDescriptor(stream, 'isTTY');
    Object.defineProperty(stream, 'isTTY', { value: false, configurable: true, writable: true });
    return { stream, own };
  });
  try {
    process.chdir(options.cwd);
    await run([...args], loaded);
    exitCode = Number(process.exitCode ?? 0);
  } catch (thrown) {
    // What execute() does with what run() throws: an exit (this.exit) is its code; anything else oclif's
    // handler prints and gives a code. The commands' oclif is the bundle's copy, so an exit is known by its code, not its class.
    const error = thrown as Error & { code?: string; oclif?: { exit?: number } };
    if (error.code === 'EEXIT' && error.oclif?.exit !== undefined) exitCode = error.oclif.exit;
    else await handle(error);
    exitCode ??= 1;
  } finally {
    process.chdir(cwd);
    for (const { stream, own } of terminals) {
      if (own) Object.defineProperty(stream, 'isTTY', own);
      else delete (stream as { isTTY?: boolean }).isTTY;
    }
    process.exitCode = exitCodeBefore;
    applyEnv(envBefore);
    Exit.exit = exitOf;
    process.stdout.write = outWrite;
    process.stderr.write = errWrite;
    Object.assign(console, { log, info, warn, error, debug });
  }
  // As execa gives them (runCli): without the final line feed.
  const strip = (output: string) => output.replace(/\r?\n$/, '');
  return { exitCode, stdout: strip(stdout), stderr: strip(stderr) };
}
