/**
 * `shipshape demo` as a user runs it (in projectEnv: under vitest's variables listr2 prints no progress): refusals of a folder in use, a stage that fails (named, the folder kept), Ctrl-C.
 * `demo --quick` end to end is test/templates/demo-e2e.test.ts, on the lane of the files that install whole projects.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { projectEnv } from '../helpers/project.js';
import { tempDir } from '../helpers/temp.js';

describe('shipshape demo', () => {
  it('refuses a folder that is not empty, or a file, with exit 2, and touches neither', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'notes.txt'), 'mine\n');
    const busy = await runInProcess(['demo', '.'], { cwd });
    expect(busy.exitCode).toBe(2);
    expect(busy.stderr).toMatch(/^Error: \. is not empty \(1 entries\); the demo writes a whole project there\nTry this: /);
    const file = await runInProcess(['demo', 'notes.txt'], { cwd });
    expect(file.exitCode).toBe(2);
    expect(file.stderr).toMatch(/^Error: notes\.txt is not a folder/);
    expect(readdirSync(cwd)).toEqual(['notes.txt']);
  }, 60_000);

  it('stops at the stage that fails, naming it, the command and why, and keeps the folder', async () => {
    const cwd = tempDir();
    // No npm on the PATH: the pack's `npm install` cannot start (the CLI itself runs from process.execPath).
    const empty = tempDir();
    const result = await runCli(['demo', '--quick', 'made'], { cwd, env: { ...(projectEnv() as Record<string, string>), PATH: empty } });
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/✔ Stage 2: Architecture/);
    expect(result.stderr).toMatch(
      /^Error: stages 3-4 \(Components and orchestration: .*\) failed: `shipshape generate` exited \d+, expected 0: .*command not found: npm/m,
    );
    const dir = join(cwd, 'made');
    expect(result.stderr).toContain(
      `Try this: The folder is kept: ${dir}; demo.log there has every command's output. Remove it with: rm -rf ${dir}`,
    );
    expect(result.stderr).not.toMatch(/Stage 5/);
    expect(readFileSync(join(dir, 'demo.log'), 'utf8')).toMatch(/\$ shipshape generate\n[\s\S]*\(exit \d+, \d+\.\d s\)/);
    expect(existsSync(join(dir, 'docs/adr/0001-architecture.md'))).toBe(true);
  }, 180_000);

  it('stops on Ctrl-C, saying where the folder is, exit 130', async () => {
    const cwd = tempDir();
    const child = execa(process.execPath, [BIN, 'demo', 'made'], {
      cwd,
      env: projectEnv(),
      extendEnv: true,
      reject: false,
      stdin: 'ignore',
    });
    // Interrupted as soon as the first stage is under way.
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('$ shipshape')) resolve();
      });
    });
    child.kill('SIGINT');
    const result = await child;
    const dir = join(cwd, 'made');
    expect(result.exitCode, String(result.stderr)).toBe(130);
    expect(String(result.stderr)).toMatch(/^Error: Interrupted: the demo stopped during stage \d/m);
    expect(String(result.stderr)).toContain(`The folder is kept: ${dir}`);
  }, 120_000);
});
