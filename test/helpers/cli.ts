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
