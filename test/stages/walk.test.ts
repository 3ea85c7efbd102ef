import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { STAGES } from '../../src/stages/index.js';
import { computeStatus, stageReports, type NextCommand, type ProjectStatus } from '../../src/stages/status.js';
import type { StageState } from '../../src/stages/types.js';
import { walk, type WalkDeps } from '../../src/stages/walk.js';
import { createWalkConfirm } from '../../src/ui/walk-prompts.js';
import { exampleText, stageOneText } from '../design/helpers.js';
import { tempDir } from '../helpers/temp.js';

const ROOT = '/projects/triage';
/** The commands this release has: from stage 5 on, the next command is still to come. */
const CLI_COMMANDS = ['check', 'design', 'init', 'rules', 'schema', 'status', 'walk'];
const WITH_GENERATE = [...CLI_COMMANDS, 'generate'];
const ALL_COMMANDS = [...WITH_GENERATE, 'validate', 'deploy', 'runbook', 'review'];

/**
 * A status with stages 1 to `done` done and the next one in `state`; its `next` is that stage's
 * own command unless `next` says otherwise.
 */
function fakeStatus(
  done: number,
  options: { state?: StageState; commands?: readonly string[]; next?: Partial<NextCommand> } = {},
): ProjectStatus {
  const commands = new Set(options.commands ?? ALL_COMMANDS);
  const stages = stageReports(
    STAGES.map((stage) => ({
      state: stage.number <= done ? 'done' : stage.number === done + 1 ? (options.state ?? 'not-started') : 'not-started',
      evidence: [],
    })),
    commands,
  );
  const stage = stages[done];
  const command = options.next?.command ?? stage?.command;
  const args = options.next?.args ?? [];
  return {
    root: ROOT,
    spec: 'shipshape.yaml',
    specHash: 'a'.repeat(64),
    stages,
    done,
    next:
      stage && command
        ? {
            stage: stage.number,
            title: stage.title,
            command,
            args,
            line: ['shipshape', command, ...args].join(' '),
            available: commands.has(command),
            manual: false,
            ...options.next,
          }
        : null,
  };
}

/** Fake deps that log every call in order, and fail the test when asked for more than scripted. */
function fakeDeps(script: { statuses: ProjectStatus[]; answers?: boolean[]; exitCodes?: number[] }) {
  const statuses = [...script.statuses];
  const answers = [...(script.answers ?? [])];
  const exitCodes = [...(script.exitCodes ?? [])];
  const log: string[] = [];
  const take = <T>(queue: T[], what: string): T => {
    if (queue.length === 0) throw new Error(`walk asked for one ${what} too many`);
    return queue.shift()!;
  };
  const deps: WalkDeps = {
    status: async () => take(statuses, 'status'),
    show: (status) => log.push(`show ${status.done}/8, next: ${status.next?.line ?? 'none'}`),
    say: (text) => log.push(`say ${text}`),
    confirm: async (message) => {
      log.push(`confirm ${message}`);
      return take(answers, 'answer');
    },
    run: async (command, args, cwd) => {
      log.push(`run ${[command, ...args].join(' ')} in ${cwd}`);
      return take(exitCodes, 'exit code');
    },
  };
  const unused = () => ({ statuses: statuses.length, answers: answers.length, exitCodes: exitCodes.length });
  return { deps, log, unused };
}

describe('walk', () => {
  it('runs the next command and shows the status again, step after step, until a command still to come', async () => {
    const last = fakeStatus(4, { commands: WITH_GENERATE });
    const { deps, log, unused } = fakeDeps({
      statuses: [
        fakeStatus(1, { commands: WITH_GENERATE }),
        fakeStatus(2, { commands: WITH_GENERATE }),
        fakeStatus(3, { commands: WITH_GENERATE }),
        last,
      ],
      answers: [true, true, true],
      exitCodes: [0, 0, 0],
    });
    const result = await walk(deps);
    expect(log).toEqual([
      'show 1/8, next: shipshape design',
      'confirm Run `shipshape design` for stage 2 (Architecture)?',
      `run design in ${ROOT}`,
      'show 2/8, next: shipshape generate',
      'confirm Run `shipshape generate` for stage 3 (Modular components)?',
      `run generate in ${ROOT}`,
      'show 3/8, next: shipshape generate',
      'confirm Run `shipshape generate` for stage 4 (Circuit breakers and orchestration)?',
      `run generate in ${ROOT}`,
      'show 4/8, next: shipshape validate',
      'say Next is stage 5 (End-to-end validation): `shipshape validate` is coming in a later release. ' +
        'It will leave failure scenarios run against the real service with injected faults and load; JSON and JUnit reports. ' +
        'Done when: .shipshape/reports/validation.json passed, for the spec as it is now (same spec hash).',
    ]);
    expect(result.stopped).toBe('coming');
    expect(result.ran).toEqual([
      { command: 'design', args: [], exitCode: 0 },
      { command: 'generate', args: [], exitCode: 0 },
      { command: 'generate', args: [], exitCode: 0 },
    ]);
    expect(result.status).toBe(last);
    expect(unused()).toEqual({ statuses: 0, answers: 0, exitCodes: 0 });
  });

  it('stops at once, asking nothing, when the next command is still to come', async () => {
    const { deps, log } = fakeDeps({ statuses: [fakeStatus(2, { commands: CLI_COMMANDS })] });
    const result = await walk(deps);
    expect(log).toEqual([
      'show 2/8, next: shipshape generate',
      expect.stringMatching(
        /^say Next is stage 3 \(Modular components\): `shipshape generate` is coming in a later release\. It will leave a project skeleton/,
      ),
    ]);
    expect(result).toMatchObject({ stopped: 'coming', ran: [] });
  });

  it('stops when the user says no, running nothing more', async () => {
    const second = fakeStatus(2);
    const { deps, log, unused } = fakeDeps({ statuses: [fakeStatus(1), second], answers: [true, false], exitCodes: [0] });
    const result = await walk(deps);
    expect(log).toEqual([
      'show 1/8, next: shipshape design',
      'confirm Run `shipshape design` for stage 2 (Architecture)?',
      `run design in ${ROOT}`,
      'show 2/8, next: shipshape generate',
      'confirm Run `shipshape generate` for stage 3 (Modular components)?',
      'say Stopped. Run `shipshape walk` again to go on from here.',
    ]);
    expect(result.stopped).toBe('declined');
    expect(result.ran).toEqual([{ command: 'design', args: [], exitCode: 0 }]);
    expect(result.status).toBe(second);
    expect(unused()).toEqual({ statuses: 0, answers: 0, exitCodes: 0 });
  });

  it('a no to the first question runs nothing', async () => {
    const { deps, log } = fakeDeps({ statuses: [fakeStatus(0)], answers: [false] });
    const result = await walk(deps);
    expect(log).toEqual([
      'show 0/8, next: shipshape init',
      'confirm Run `shipshape init` for stage 1 (Requirements)?',
      'say Stopped. Run `shipshape walk` again to go on from here.',
    ]);
    expect(result).toMatchObject({ stopped: 'declined', ran: [] });
  });

  it('stops on a non-zero exit, after showing the status the command left', async () => {
    const after = fakeStatus(1, { state: 'in-progress' });
    const { deps, log, unused } = fakeDeps({ statuses: [fakeStatus(1), after], answers: [true], exitCodes: [2] });
    const result = await walk(deps);
    expect(log).toEqual([
      'show 1/8, next: shipshape design',
      'confirm Run `shipshape design` for stage 2 (Architecture)?',
      `run design in ${ROOT}`,
      'show 1/8, next: shipshape design',
      'say `shipshape design` exited with code 2; stopping here.',
    ]);
    expect(result.stopped).toBe('failed');
    expect(result.ran).toEqual([{ command: 'design', args: [], exitCode: 2 }]);
    expect(result.status).toBe(after);
    expect(unused()).toEqual({ statuses: 0, answers: 0, exitCodes: 0 });
  });

  it('stops when a command succeeded but the status did not change, rather than run it again', async () => {
    const { deps, log, unused } = fakeDeps({ statuses: [fakeStatus(1), fakeStatus(1)], answers: [true], exitCodes: [0] });
    const result = await walk(deps);
    expect(log).toEqual([
      'show 1/8, next: shipshape design',
      'confirm Run `shipshape design` for stage 2 (Architecture)?',
      `run design in ${ROOT}`,
      'show 1/8, next: shipshape design',
      'say `shipshape design` finished, but stage 2 (Architecture) is still not started; see the evidence above.',
    ]);
    expect(result.stopped).toBe('no-progress');
    expect(result.ran).toEqual([{ command: 'design', args: [], exitCode: 0 }]);
    expect(unused()).toEqual({ statuses: 0, answers: 0, exitCodes: 0 });
  });

  it('counts the same stage in another state as progress, and stops the next time nothing moves', async () => {
    const { deps, log, unused } = fakeDeps({
      statuses: [fakeStatus(1), fakeStatus(1, { state: 'in-progress' }), fakeStatus(1, { state: 'in-progress' })],
      answers: [true, true],
      exitCodes: [0, 0],
    });
    const result = await walk(deps);
    expect(log).toEqual([
      'show 1/8, next: shipshape design',
      'confirm Run `shipshape design` for stage 2 (Architecture)?',
      `run design in ${ROOT}`,
      'show 1/8, next: shipshape design',
      'confirm Run `shipshape design` for stage 2 (Architecture)?',
      `run design in ${ROOT}`,
      'show 1/8, next: shipshape design',
      'say `shipshape design` finished, but stage 2 (Architecture) is still in progress; see the evidence above.',
    ]);
    expect(result.stopped).toBe('no-progress');
    expect(result.ran).toHaveLength(2);
    expect(unused()).toEqual({ statuses: 0, answers: 0, exitCodes: 0 });
  });

  it('a manual step: runs the command that shows what to fix, says what to fix, and stops without looking again', async () => {
    const manual = fakeStatus(0, {
      state: 'in-progress',
      next: { command: 'check', args: ['--stage', '1'], manual: true, why: 'fix the errors in shipshape.yaml' },
    });
    const { deps, log, unused } = fakeDeps({ statuses: [manual], answers: [true], exitCodes: [1] });
    const result = await walk(deps);
    expect(log).toEqual([
      'show 0/8, next: shipshape check --stage 1',
      'confirm stage 1 (Requirements) needs an edit by hand (fix the errors in shipshape.yaml). Run `shipshape check --stage 1` to see what to fix?',
      `run check --stage 1 in ${ROOT}`,
      'say Fix the errors in shipshape.yaml, then run `shipshape walk` again.',
    ]);
    // The check exits 1 on the errors it shows: that is the manual stop, not a failure.
    expect(result.stopped).toBe('manual');
    expect(result.ran).toEqual([{ command: 'check', args: ['--stage', '1'], exitCode: 1 }]);
    expect(result.status).toBe(manual);
    expect(unused()).toEqual({ statuses: 0, answers: 0, exitCodes: 0 });
  });

  it('a manual step without a reason falls back to the evidence', async () => {
    const manual = fakeStatus(1, { state: 'in-progress', next: { command: 'check', args: ['--stage', '2'], manual: true } });
    const { deps, log } = fakeDeps({ statuses: [manual], answers: [true], exitCodes: [1] });
    const result = await walk(deps);
    expect(log.slice(1)).toEqual([
      'confirm stage 2 (Architecture) needs an edit by hand (see the evidence above). Run `shipshape check --stage 2` to see what to fix?',
      `run check --stage 2 in ${ROOT}`,
      'say Fix what it lists, then run `shipshape walk` again.',
    ]);
    expect(result.stopped).toBe('manual');
  });

  it('all done from the start: says so and asks nothing', async () => {
    const done = fakeStatus(8);
    expect(done.next).toBeNull();
    const { deps, log } = fakeDeps({ statuses: [done] });
    const result = await walk(deps);
    expect(log).toEqual([
      'show 8/8, next: none',
      'say All eight stages are done. The next cycle starts from the review backlog: edit shipshape.yaml and walk again.',
    ]);
    expect(result).toEqual({ stopped: 'all-done', ran: [], status: done });
  });

  it('all done after the last step', async () => {
    const { deps, log, unused } = fakeDeps({ statuses: [fakeStatus(7), fakeStatus(8)], answers: [true], exitCodes: [0] });
    const result = await walk(deps);
    expect(log).toEqual([
      'show 7/8, next: shipshape review',
      'confirm Run `shipshape review` for stage 8 (Iterative improvement)?',
      `run review in ${ROOT}`,
      'show 8/8, next: none',
      'say All eight stages are done. The next cycle starts from the review backlog: edit shipshape.yaml and walk again.',
    ]);
    expect(result.stopped).toBe('all-done');
    expect(result.ran).toEqual([{ command: 'review', args: [], exitCode: 0 }]);
    expect(unused()).toEqual({ statuses: 0, answers: 0, exitCodes: 0 });
  });

  it('walks a real project: the status is read from disk after each step', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'shipshape.yaml'), stageOneText);
    const log: string[] = [];
    const result = await walk({
      status: () => computeStatus({ cwd: dir, commands: CLI_COMMANDS }),
      show: (status) => log.push(`show ${status.stages.map((s) => s.state[0]).join('')}`),
      say: (text) => log.push(`say ${text}`),
      confirm: async (message) => {
        log.push(`confirm ${message}`);
        return true;
      },
      // What `design` leaves: the architecture in the spec, and the ADR.
      run: async (command, args, cwd) => {
        log.push(`run ${command} in ${cwd}`);
        writeFileSync(join(cwd, 'shipshape.yaml'), exampleText);
        mkdirSync(join(cwd, 'docs', 'adr'), { recursive: true });
        writeFileSync(join(cwd, 'docs', 'adr', '0001-architecture.md'), '# ADR 0001\n');
        return 0;
      },
    });
    expect(log).toEqual([
      'show dnnnnnnn',
      'confirm Run `shipshape design` for stage 2 (Architecture)?',
      `run design in ${dir}`,
      'show ddnnnnnn',
      expect.stringMatching(/^say Next is stage 3 \(Modular components\): `shipshape generate` is coming in a later release\./),
    ]);
    expect(result.stopped).toBe('coming');
    expect(result.status.done).toBe(2);
  });
});

/** Drives the real confirm prompt: each key is typed once the prompt has drawn itself. */
async function confirmWith(keys: string[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const pending = createWalkConfirm({ input, output })('Run `shipshape design` for stage 2 (Architecture)?');
  for (const key of keys) {
    await new Promise((done) => setTimeout(done, 20));
    input.write(key);
  }
  return { answer: await pending, screen: () => screen };
}

describe('createWalkConfirm', () => {
  it('asks the question with yes as the default: Enter answers yes', async () => {
    const { answer, screen } = await confirmWith(['\r']);
    expect(answer).toBe(true);
    // eslint-disable-next-line no-control-regex
    const plain = screen().replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toContain('Run `shipshape design` for stage 2 (Architecture)? (Y/n)');
  });

  it('n answers no', async () => {
    expect((await confirmWith(['n', '\r'])).answer).toBe(false);
  });

  it('turns Ctrl-C into an interruption', async () => {
    await expect(confirmWith(['\u0003'])).rejects.toBeInstanceOf(InterruptedError);
  });
});
