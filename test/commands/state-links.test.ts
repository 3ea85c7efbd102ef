/**
 * Issue 12 leftovers: a named pipe or a symbolic link (to /dev/zero, to a file outside the
 * project) where shipshape keeps its own state (.shipshape/deployments.json, the local driver's
 * .shipshape/local/runtime.json): deploy answers at once with one exit-2 line naming the file,
 * status says so in its table, nothing hangs and nothing outside the project is read or written.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

const TIMEOUT = 180_000;
const DEPLOYMENTS = '.shipshape/deployments.json';
const RUNTIME = '.shipshape/local/runtime.json';

type Kind = 'fifo' | 'dev-zero' | 'outside';

function project(file: string, kind: Kind): { dir: string; outside: string } {
  const dir = tempDir();
  writeFileSync(join(dir, 'shipshape.yaml'), readFileSync(EXAMPLE));
  mkdirSync(join(dir, '.shipshape', 'local'), { recursive: true });
  const outside = join(tempDir(), 'elsewhere.json');
  writeFileSync(outside, '{"deployments":[]}\n');
  if (kind === 'fifo') execFileSync('mkfifo', [join(dir, file)]);
  else symlinkSync(kind === 'dev-zero' ? '/dev/zero' : outside, join(dir, file));
  return { dir, outside };
}

const WHAT: Record<Kind, RegExp> = {
  fifo: /it is a named pipe \(FIFO\), not a regular file/,
  'dev-zero': /it is a symbolic link to \/dev\/zero; a (state|runtime) file must be a regular file/,
  outside: /it is a symbolic link to \/.*elsewhere\.json; a (state|runtime) file must be a regular file/,
};

/**
 * A pipe or a device through a process (runCli): a read that blocked in the test's own process
 * would hang it past any timeout, where a process that hangs fails the test at its timeout. A link
 * outside the project can only be read too far, so it runs in this process (test/helpers/in-process.ts).
 */
const runner = (kind: Kind) => (args: string[], cwd: string) => (kind === 'outside' ? runInProcess : runCli)(args, { cwd });

describe('state files that are not files', () => {
  for (const kind of ['fifo', 'dev-zero', 'outside'] as const) {
    const run = runner(kind);
    it(`${DEPLOYMENTS} as ${kind}: deploy status and history exit 2 in one line, status says why`, { timeout: TIMEOUT }, async () => {
      const { dir, outside } = project(DEPLOYMENTS, kind);
      for (const args of [
        ['deploy', 'status'],
        ['deploy', 'history'],
      ]) {
        const result = await run(args, dir);
        expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(2);
        const [first] = result.stderr.split('\n');
        expect(first).toMatch(new RegExp(`^Error: ${DEPLOYMENTS.replace(/\./g, '\\.')} cannot be read: ${WHAT[kind].source}`));
      }
      const status = await run(['status'], dir);
      expect(status.exitCode).toBe(0);
      expect(status.stdout).toMatch(WHAT[kind]);
      expect(readFileSync(outside, 'utf8')).toBe('{"deployments":[]}\n');
    });

    it(`${RUNTIME} as ${kind}: deploy stop exits 2 in one line`, { timeout: TIMEOUT }, async () => {
      const { dir, outside } = project(RUNTIME, kind);
      const result = await run(['deploy', 'stop'], dir);
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr.split('\n')[0]).toMatch(
        new RegExp(`^Error: cannot read ${RUNTIME.replace(/\./g, '\\.')}: ${WHAT[kind].source}`),
      );
      expect(readFileSync(outside, 'utf8')).toBe('{"deployments":[]}\n');
    });
  }
});
