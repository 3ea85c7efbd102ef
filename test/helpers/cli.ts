import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT } from './temp.js';

export const BIN = join(ROOT, 'bin', 'run.js');

export interface CliResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a whole process (`npm test` builds first), never prompting, never coloured. */
export async function runCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; input?: string },
): Promise<CliResult> {
  const env: Record<string, string | undefined> = {
    CI: 'true',
    NO_COLOR: '1',
    FORCE_COLOR: undefined,
    NODE_EXTRA_CA_CERTS: undefined,
    ...options.env,
  };
  const result = await execa(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env,
    extendEnv: true,
    reject: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/**
 * The command that runs the built CLI with `args` so that permission bits hold: under root (CI), without the
 * capabilities that override them (dac_override, dac_read_search), so a folder of mode 555 refuses a write as it
 * would for anyone. Root stays root, so the checkout stays readable wherever it was cloned (a private `mktemp -d`
 * included, which another user could not enter).
 */
export function boundByPermissions(args: readonly string[]): { command: string; args: string[] } {
  const argv = [BIN, ...args];
  return process.getuid?.() === 0
    ? { command: 'setpriv', args: ['--bounding-set=-dac_override,-dac_read_search', process.execPath, ...argv] }
    : { command: process.execPath, args: argv };
}

const shellQuote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the built CLI on a pseudo-terminal (util-linux `script`), for what only a terminal shows:
 * colour, prompts. Standard output and error arrive together, as a terminal shows them, with CRLF
 * line ends. CI and the colour variables are unset unless `env` sets them.
 */
export async function runCliOnTerminal(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined>; input?: string },
): Promise<{ exitCode: number | undefined; output: string }> {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
  const result = await execa('script', ['-qec', command, '/dev/null'], {
    cwd: options.cwd,
    env: {
      CI: undefined,
      NO_COLOR: undefined,
      FORCE_COLOR: undefined,
      TERM: 'xterm-256color',
      NODE_EXTRA_CA_CERTS: undefined,
      ...options.env,
    },
    extendEnv: true,
    reject: false,
    input: options.input ?? '',
  });
  return { exitCode: result.exitCode, output: String(result.stdout) };
}
