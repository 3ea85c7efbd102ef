import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

/** What bash offers for the words typed so far, through the completion function the CLI wrote. */
async function bashCompletes(functions: string, words: string[]): Promise<string[]> {
  const script = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; _shipshape_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await execa('bash', ['-c', script, 'bash', functions, ...words]);
  return stdout.split('\n').filter(Boolean);
}

it('shell completion (oclif autocomplete) completes commands, subcommands and flags, cached outside the project', async () => {
  const cache = tempDir();
  const project = tempDir();
  // oclif puts its cache under <BIN>_CACHE_DIR when set (as here and in CI), else under XDG_CACHE_HOME.
  const env = { SHIPSHAPE_CACHE_DIR: cache };
  const refreshed = await runCli(['autocomplete', '--refresh-cache'], { cwd: project, env });
  expect(refreshed.exitCode).toBe(0);
  const setup = await runCli(['autocomplete', 'script', 'bash'], { cwd: project, env });
  expect(setup.stdout).toContain(join(cache, 'autocomplete', 'bash_setup'));

  const functions = join(cache, 'autocomplete', 'functions', 'bash', 'shipshape.bash');
  expect(await bashCompletes(functions, ['shipshape', 'ch'])).toEqual(['check']);
  expect(await bashCompletes(functions, ['shipshape', 'check', '--form'])).toEqual(['--format']);
  expect(await bashCompletes(functions, ['shipshape', 'deploy', 'sta'])).toEqual(['status']);
});
