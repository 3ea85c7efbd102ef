import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { runTasks, type TaskOutcome } from '../../src/scaffold/tasks.js';
import type { TasksState } from '../../src/state/tasks.js';
import type { Pack, PackTask } from '../../src/scaffold/types.js';
import { tempDir } from '../helpers/temp.js';

function packWith(tasks: PackTask[], trusted: boolean): Pack {
  return {
    manifest: {
      name: 'test',
      version: '1.0.0',
      description: 'A pack for tests.',
      requires: [],
      ownership: {},
      defaultOwnership: 'managed',
      when: [],
      tasks,
    },
    root: '/packs/test',
    source: trusted ? { kind: 'bundled', name: 'test' } : { kind: 'npm', spec: '@acme/shipshape-pack-test@1.2.0' },
    trusted,
  };
}

const node = (name: string, script: string): PackTask => ({ name, run: ['node', '-e', script] });
/** A task that leaves a file in the project root: proof that it ran. */
const touch = (name: string, file: string) => node(name, `require('fs').writeFileSync(${JSON.stringify(file)}, 'ran')`);

async function collect(pack: Pack, root: string, trust = false) {
  const chunks: string[] = [];
  const outcomes = await runTasks(pack, root, { trust, onOutput: (chunk) => chunks.push(chunk) });
  return { outcomes, output: chunks.join('') };
}

describe('runTasks', () => {
  it('runs a trusted pack’s tasks in order in the root, streaming and keeping their output', async () => {
    const root = realpathSync(tempDir());
    const pack = packWith(
      [
        // The pause keeps the order of the two pipes certain.
        node('first', 'console.log("one out"); setTimeout(() => console.error("one err"), 50)'),
        node('where', 'console.log(process.cwd())'),
        node('second', 'process.stdout.write("two")'),
      ],
      true,
    );

    const { outcomes, output } = await collect(pack, root);

    expect(outcomes.map((o) => [o.name, o.status, o.exitCode])).toEqual([
      ['first', 'ran', 0],
      ['where', 'ran', 0],
      ['second', 'ran', 0],
    ]);
    expect(output).toBe(`one out\none err\n${root}\ntwo`);
    expect(outcomes[0]!.output).toBe('one out\none err\n');
    expect(outcomes[0]!.command).toBe(`node -e 'console.log("one out"); setTimeout(() => console.error("one err"), 50)'`);
  });

  it('passes arguments as they are: no shell expands them', async () => {
    const root = tempDir();
    const pack = packWith([{ name: 'echo', run: ['node', '-e', 'console.log(process.argv[1])', '$HOME && echo hi; `id` *'] }], true);

    const { output } = await collect(pack, root);

    expect(output).toBe('$HOME && echo hi; `id` *\n');
  });

  it('skips every task of a pack from outside the bundled set, spawning nothing', async () => {
    const root = tempDir();
    const pack = packWith([touch('make', 'made.txt'), touch('also', 'also.txt')], false);

    const { outcomes, output } = await collect(pack, root);

    expect(outcomes).toEqual([
      {
        name: 'make',
        command: expect.stringMatching(/^node -e /),
        status: 'skipped',
        reason: 'pack from outside the bundled set: --trust runs its tasks',
      },
      {
        name: 'also',
        command: expect.stringMatching(/^node -e /),
        status: 'skipped',
        reason: 'pack from outside the bundled set: --trust runs its tasks',
      },
    ]);
    expect(output).toBe('');
    expect(existsSync(join(root, 'made.txt'))).toBe(false);
    expect(existsSync(join(root, 'also.txt'))).toBe(false);
  });

  it('runs the tasks of a pack from outside the bundled set under --trust', async () => {
    const root = tempDir();
    const pack = packWith([touch('make', 'made.txt')], false);

    const { outcomes } = await collect(pack, root, true);

    expect(outcomes.map((o) => o.status)).toEqual(['ran']);
    expect(existsSync(join(root, 'made.txt'))).toBe(true);
  });

  it('stops at a failing task, with its exit code, and skips the rest', async () => {
    const root = tempDir();
    const pack = packWith(
      [node('ok', 'console.log("fine")'), node('boom', 'console.error("broke"); process.exit(3)'), touch('after', 'after.txt')],
      true,
    );

    const { outcomes, output } = await collect(pack, root);

    expect(outcomes).toEqual([
      expect.objectContaining({ name: 'ok', status: 'ran', exitCode: 0 }),
      expect.objectContaining({ name: 'boom', status: 'failed', exitCode: 3, reason: 'exited with code 3', output: 'broke\n' }),
      { name: 'after', command: expect.any(String), status: 'skipped', reason: 'an earlier task failed' },
    ]);
    expect(output).toBe('fine\nbroke\n');
    expect(existsSync(join(root, 'after.txt'))).toBe(false);
    // Each task that ran says how long it took; a skipped one does not.
    for (const outcome of outcomes.slice(0, 2)) expect(outcome.seconds).toBeGreaterThanOrEqual(0);
    expect(outcomes[2]).not.toHaveProperty('seconds');
  });

  it('fails a task whose command is not found, saying so, and skips the rest', async () => {
    const root = tempDir();
    const pack = packWith([{ name: 'missing', run: ['shipshape-no-such-command', '--flag'] }, touch('after', 'after.txt')], true);

    const { outcomes } = await collect(pack, root);

    expect(outcomes).toEqual([
      {
        name: 'missing',
        command: 'shipshape-no-such-command --flag',
        status: 'failed',
        reason: 'command not found: shipshape-no-such-command (is it installed and on PATH?)',
        output: '',
      },
      { name: 'after', command: expect.any(String), status: 'skipped', reason: 'an earlier task failed' },
    ]);
    expect(existsSync(join(root, 'after.txt'))).toBe(false);
  });

  it('passes Ctrl-C to the running task, then rejects with InterruptedError and runs nothing more', async () => {
    const root = tempDir();
    const pack = packWith(
      [
        node(
          'wait',
          `process.on('SIGINT', () => { require('fs').writeFileSync('got-sigint', ''); process.exit(130) });
           console.log('ready'); setInterval(() => {}, 1000)`,
        ),
        touch('after', 'after.txt'),
      ],
      true,
    );
    const listeners = process.listenerCount('SIGINT');

    const run = runTasks(pack, root, {
      trust: false,
      onOutput: (chunk) => {
        if (chunk.includes('ready')) process.kill(process.pid, 'SIGINT');
      },
    });

    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    expect(existsSync(join(root, 'got-sigint'))).toBe(true);
    expect(existsSync(join(root, 'after.txt'))).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });

  it('fails a task that names no command', async () => {
    const { outcomes } = await collect(packWith([{ name: 'blank', run: [' '] }], true), tempDir());

    expect(outcomes).toEqual([{ name: 'blank', command: "' '", status: 'failed', reason: 'the task names no command', output: '' }]);
  });

  it('returns no outcomes for a pack without tasks', async () => {
    expect(await runTasks(packWith([], true), tempDir(), { trust: false })).toEqual([]);
  });

  describe('a task with inputs and outputs (npm install on a re-generate)', () => {
    /** Appends a line to runs.log and makes the output folder, like npm install writing node_modules and the lockfile. */
    const install: PackTask = {
      name: 'install',
      run: [
        'node',
        '-e',
        "const fs=require('fs');fs.appendFileSync('runs.log','x');fs.mkdirSync('out',{recursive:true});fs.writeFileSync('lock','locked')",
      ],
      inputs: ['deps', 'lock'],
      outputs: ['out'],
    };
    const runs = (root: string) => readFileSync(join(root, 'runs.log'), 'utf8').length;

    /** The record generate writes from the outcomes (scaffold/run.ts): what the next run is given. */
    const recorded = (outcomes: TaskOutcome[]): TasksState => ({
      version: 1,
      startedAt: '2026-12-01T00:00:00Z',
      tasks: outcomes.map(({ name, command, status, inputs }) => ({ name, command, status, ...(inputs ? { inputs } : {}) })),
    });
    const again = (pack: Pack, root: string, previous?: TasksState) =>
      runTasks(pack, root, { trust: true, ...(previous ? { previous } : {}) });

    it('runs once, then is skipped while its inputs are unchanged and its output is there', async () => {
      const root = tempDir();
      writeFileSync(join(root, 'deps'), 'a');
      const pack = packWith([install], true);

      const first = await again(pack, root);
      expect(first[0]!.status).toBe('ran');
      expect(first[0]!.inputs).toEqual({
        deps: createHash('sha256').update('a').digest('hex'),
        lock: createHash('sha256').update('locked').digest('hex'),
      });
      const second = await again(pack, root, recorded(first));
      expect([second[0]!.status, second[0]!.reason]).toEqual(['skipped', 'deps and lock unchanged since it last ran, out there']);
      // Skipped as up to date, it carries the hashes on: a third run skips it too.
      expect(second[0]!.inputs).toEqual(first[0]!.inputs);
      expect((await again(pack, root, recorded(second)))[0]!.status).toBe('skipped');
      expect(runs(root)).toBe(1);

      // A changed input, a missing output, a changed command: each runs it again.
      writeFileSync(join(root, 'deps'), 'b');
      expect((await again(pack, root, recorded(first)))[0]!.status).toBe('ran');
      const current = recorded(await again(pack, root));
      rmSync(join(root, 'out'), { recursive: true });
      expect((await again(pack, root, current))[0]!.status).toBe('ran');
      const changed = packWith([{ ...install, run: [...install.run, 'extra'] }], true);
      expect((await again(changed, root, current))[0]!.status).toBe('ran');
      expect(runs(root)).toBe(5);
    });

    it('runs again after a failure or an interrupted run: only a task that ran vouches for what it left', async () => {
      const root = tempDir();
      writeFileSync(join(root, 'deps'), 'a');
      const ran = recorded(await again(packWith([install], true), root));
      const failing = {
        ...install,
        run: ['node', '-e', "require('fs').appendFileSync('runs.log','x');process.exit(3)"] as [string, ...string[]],
      };
      const failed = await again(packWith([failing], true), root, ran);
      expect([failed[0]!.status, failed[0]!.inputs]).toEqual(['failed', undefined]);
      expect((await again(packWith([install], true), root, recorded(failed)))[0]!.status).toBe('ran');
      const pending: TasksState = { ...ran, tasks: ran.tasks.map(({ inputs: _, ...task }) => ({ ...task, status: 'pending' as const })) };
      expect((await again(packWith([install], true), root, pending))[0]!.status).toBe('ran');
      expect(runs(root)).toBe(4);
    });
  });
});
