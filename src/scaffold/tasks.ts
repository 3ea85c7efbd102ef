/**
 * A pack's post-generation tasks (`npm install`, `git init`, ...), run in the project root after
 * a successful apply. A pack from outside the bundled set runs code on the user's machine, so its
 * tasks run only when the user says --trust.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';
import { InterruptedError } from '../errors.js';
import { fileSha256 } from '../stages/hash.js';
import { type InputHashes, type TasksState } from '../state/tasks.js';
import { listOf } from '../text/list.js';
import { taskCommand as display, type Pack, type PackTask } from './types.js';

export interface TaskOutcome {
  name: string;
  /** The command as a shell would show it (display only: tasks never run through a shell). */
  command: string;
  status: 'ran' | 'failed' | 'skipped';
  /** Why a task failed or was skipped. */
  reason?: string;
  exitCode?: number;
  /** What the task printed, standard output and error interleaved (absent when skipped). */
  output?: string;
  /** How long it ran, in seconds to a tenth (absent when skipped, or when its command could not start). */
  seconds?: number;
  /** A task with inputs that ran, or was skipped as up to date: the hashes of its inputs then. */
  inputs?: InputHashes;
}

const UNTRUSTED_REASON = 'pack from outside the bundled set: --trust runs its tasks';
const EARLIER_FAILED_REASON = 'an earlier task failed';

/** The sha256 of each input file as it is now; null for one that does not exist. */
async function hashInputs(root: string, inputs: readonly string[]): Promise<InputHashes> {
  const hashes: InputHashes = {};
  for (const input of inputs) {
    // A missing input (or one that is not a regular file) hashes as null: the task then runs.
    hashes[input] = await fileSha256(join(root, input)).catch(() => null);
  }
  return hashes;
}

const sameHashes = (a: InputHashes, b: InputHashes) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([path, hash]) => b[path] === hash);

/**
 * Why a task with inputs need not run again (its command and inputs as after its last successful
 * run, its outputs there), or undefined when it must run.
 */
async function upToDate(
  task: PackTask,
  root: string,
  previous: TasksState | undefined,
): Promise<{ reason: string; inputs: InputHashes } | undefined> {
  const record = previous?.tasks.find(
    (entry) => entry.name === task.name && entry.inputs && (entry.status === 'ran' || entry.status === 'skipped'),
  );
  if (!task.inputs || task.inputs.length === 0 || !record?.inputs || record.command !== display(task)) return undefined;
  const outputs = task.outputs ?? [];
  if (outputs.some((output) => !existsSync(join(root, output)))) return undefined;
  if (!sameHashes(await hashInputs(root, task.inputs), record.inputs)) return undefined;
  return {
    reason: `${listOf(task.inputs)} unchanged since it last ran${outputs.length > 0 ? `, ${listOf(outputs)} there` : ''}`,
    inputs: record.inputs,
  };
}

/** Runs one task; `onSpawn` hands the running child to the Ctrl-C handler. */
async function runTask(
  task: PackTask,
  root: string,
  onOutput: ((chunk: string) => void) | undefined,
  onSpawn: (kill: (signal: NodeJS.Signals) => void) => void,
): Promise<TaskOutcome & { signal?: string }> {
  const [file, ...args] = task.run;
  const command = display(task);
  if (file.trim() === '') return { name: task.name, command, status: 'failed', reason: 'the task names no command', output: '' };
  const started = performance.now();
  const subprocess = execa(file, args, { cwd: root, reject: false, stdin: 'ignore', all: true, buffer: false });
  onSpawn((signal) => subprocess.kill(signal));
  let output = '';
  const decoder = new StringDecoder('utf8');
  const take = (text: string) => {
    if (text === '') return;
    output += text;
    onOutput?.(text);
  };
  subprocess.all?.on('data', (chunk: Buffer | string) => take(typeof chunk === 'string' ? chunk : decoder.write(chunk)));
  const result = await subprocess;
  take(decoder.end());

  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const outcome = { name: task.name, command, output };
  if (!result.failed) return { ...outcome, seconds, status: 'ran', exitCode: 0 };
  if (result.exitCode !== undefined) {
    return { ...outcome, seconds, status: 'failed', exitCode: result.exitCode, reason: `exited with code ${result.exitCode}` };
  }
  if (result.signal) return { ...outcome, seconds, status: 'failed', signal: result.signal, reason: `killed by ${result.signal}` };
  // Below, the command never started: no time to tell.
  if (result.code === 'ENOENT') {
    const reason = existsSync(root)
      ? `command not found: ${file} (is it installed and on PATH?)`
      : `the project folder ${root} does not exist`;
    return { ...outcome, status: 'failed', reason };
  }
  if (result.code === 'EACCES') return { ...outcome, status: 'failed', reason: `${file} is not executable (permission denied)` };
  return { ...outcome, status: 'failed', reason: result.shortMessage };
}

/**
 * Runs the pack's post-generation tasks in `root` with execa, in order, stopping at the first
 * failure. Packs not trusted run none unless options.trust. Ctrl-C is passed to the running task
 * (a second one kills it) and then rejects with InterruptedError.
 */
export async function runTasks(
  pack: Pack,
  root: string,
  options: {
    trust: boolean;
    onOutput?: (chunk: string) => void;
    /** Called as each task ends, in order, before the next starts (the caller records progress). */
    onOutcome?: (outcome: TaskOutcome) => Promise<void>;
    /** The record of the last generate: a task whose inputs are unchanged since it ran is skipped. */
    previous?: TasksState;
  },
): Promise<TaskOutcome[]> {
  const tasks = pack.manifest.tasks;
  if (!pack.trusted && !options.trust) {
    return tasks.map((task) => ({ name: task.name, command: display(task), status: 'skipped', reason: UNTRUSTED_REASON }));
  }

  let interrupts = 0;
  let kill: ((signal: NodeJS.Signals) => void) | undefined;
  // While a listener is attached Node does not exit on SIGINT: the task gets to stop cleanly.
  const onSigint = () => {
    interrupts += 1;
    kill?.(interrupts === 1 ? 'SIGINT' : 'SIGKILL');
  };
  process.on('SIGINT', onSigint);
  try {
    const outcomes: TaskOutcome[] = [];
    for (const task of tasks) {
      if (interrupts > 0) throw new InterruptedError();
      if (outcomes.some((outcome) => outcome.status === 'failed')) {
        const skipped: TaskOutcome = { name: task.name, command: display(task), status: 'skipped', reason: EARLIER_FAILED_REASON };
        outcomes.push(skipped);
        await options.onOutcome?.(skipped);
        continue;
      }
      const unchanged = await upToDate(task, root, options.previous);
      if (unchanged) {
        const skipped: TaskOutcome = { name: task.name, command: display(task), status: 'skipped', ...unchanged };
        outcomes.push(skipped);
        await options.onOutcome?.(skipped);
        continue;
      }
      const { signal, ...outcome } = await runTask(task, root, options.onOutput, (killer) => (kill = killer));
      kill = undefined;
      if (interrupts > 0 || signal === 'SIGINT') throw new InterruptedError();
      outcomes.push(outcome);
      if (outcome.status === 'ran' && task.inputs && task.inputs.length > 0) outcome.inputs = await hashInputs(root, task.inputs);
      await options.onOutcome?.(outcome);
    }
    return outcomes;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
