import { join } from 'node:path';
import { execa, type Result } from 'execa';
import { ROOT } from './temp.js';

export const BIN = join(ROOT, 'bin', 'run.js');

/** Runs the built CLI as a whole process (`npm test` builds first), never prompting, never coloured. */
export function runCli(args: readonly string[], options: { cwd: string; env?: Record<string, string>; input?: string }): Promise<Result> {
  const env: Record<string, string | undefined> = {
    CI: 'true',
    NO_COLOR: '1',
    FORCE_COLOR: undefined,
    NODE_EXTRA_CA_CERTS: undefined,
    ...options.env,
  };
  return execa(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env,
    extendEnv: true,
    reject: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
}
