/**
 * `shipshape generate` end to end: find and load the spec, resolve the pack (from --template, or
 * from the source the project manifest records), hold the project to its pack and version
 * (--upgrade to move on), render everything in memory, plan against what is on disk, and unless
 * it is a dry run apply the plan and run the pack's tasks.
 */
import { MANIFEST_FILE } from '../state/manifest.js';
import { listOf } from '../text/list.js';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';
import { readTasksLeniently, serializeTasks, TASKS_FILE, type TasksState } from '../state/tasks.js';
import type { Spec } from '../spec/schema.js';
import { displayPath } from '../fs/paths.js';
import { locateSpec } from '../spec/locate.js';
import { InterruptedError, UserError } from '../errors.js';
import { loadValidSpec } from '../spec/load.js';
import { specSchema } from '../spec/schema.js';
import { specHash } from '../stages/hash.js';
import { compareVersions, parseVersion } from '../text/semver.js';
import { applyPlan, type ApplyResult, type TempWriter } from './apply.js';
import { removeStaleTemps } from '../fs/temps.js';
import { readProjectManifest } from './manifest.js';
import { gitMergeFile, type Merger } from './merge.js';
import { resolvePack, templateOf } from './pack.js';
import { shipshapeVersion } from './package-root.js';
import { planGeneration } from './plan.js';
import { loadPrecompiled } from './precompiled.js';
import { renderContext, renderPack } from './render.js';
import { readProjectState } from './state.js';
import type { TaskOutcome } from './tasks.js';
import { taskCommand, type Pack, type PackSource, type Plan, type ProjectManifest, type ConflictStyle } from './types.js';
import { readFileBoundedSync, readTextBounded } from '../fs/read.js';

export interface GenerateOptions {
  cwd: string;
  /** Where to look for shipshape.yaml, upward (default: cwd). */
  dir?: string;
  /** The spec file, instead of looking for one. */
  spec?: string;
  /** --template: a bundled pack's name, ./path, /path or npm:<spec>; default: the project's pack, else service-ts. */
  template?: string;
  dryRun: boolean;
  /** Overwrite managed files edited by hand and files shipshape did not generate. */
  force: boolean;
  conflict: ConflictStyle;
  /** Run the tasks of a pack from outside the bundled set. */
  trust: boolean;
  /** Move the project to a newer version of its pack. */
  upgrade: boolean;
  /** Run the pack's tasks after applying (--no-tasks: false). */
  tasks: boolean;
  /** The npm pack cache (default: the npm module's). */
  cacheDir?: string;
  /** shipshape's version, for {{shipshape.version}} (default: from its package.json). */
  version?: string;
  now?: Date;
  /** What the tasks print, as it comes. */
  onTaskOutput?: (chunk: string) => void;
  /** Ctrl-C: stops before the renames, with nothing written. */
  signal?: AbortSignal;
  /** Seams for tests. */
  merge?: Merger;
  writeTemp?: TempWriter;
}

export interface GenerateResult {
  /** The project root (the spec's folder), absolute. */
  root: string;
  /** The spec, as displayed. */
  spec: string;
  dryRun: boolean;
  plan: Plan;
  /** Whether anything was written (false on a dry run, and when everything was already as planned). */
  written: boolean;
  /** Project files written (.rej files included). */
  files: string[];
  tasks: TaskOutcome[];
  /** The project manifest, absolute. */
  manifestPath: string;
  /** 1 when a file is in conflict or a task failed, 0 otherwise. */
  exitCode: 0 | 1;
}

const SECTIONS = Object.keys(specSchema.shape);

/** Holds a project to the pack and version that generated it, unless --upgrade moves it forward. */
function checkVersion(pack: Pack, previous: ProjectManifest | undefined, upgrade: boolean): void {
  const { name, version } = pack.manifest;
  if (!previous) {
    if (upgrade) {
      throw new UserError(`nothing to upgrade: the project has no ${MANIFEST_FILE}`, {
        hint: 'Run `shipshape generate` (without --upgrade) to generate it a first time.',
      });
    }
    return;
  }
  const was = previous.pack;
  if (was.name !== name) {
    throw new UserError(`the project was generated from the pack ${was.name} ${was.version}, and ${name} is another pack`, {
      hint: `Run generate with --template naming ${was.name}. Moving to another pack is not an upgrade: generate into a new folder, or delete ${MANIFEST_FILE} to start over (your files then count as yours; --force overwrites them).`,
    });
  }
  const order = compareVersions(parseVersion(version)!, parseVersion(was.version)!);
  if (order < 0) {
    throw new UserError(
      `the pack ${name} ${version} is older than ${was.version}, which generated the project: shipshape does not downgrade`,
      {
        hint: `Use ${name} ${was.version} or later (--template names the pack to use).`,
      },
    );
  }
  if (order > 0 && !upgrade) {
    throw new UserError(`the project was generated from ${name} ${was.version}, and the pack is now ${version}`, {
      hint: `Run \`shipshape generate --upgrade\` to move it to ${version}: your edits to merged files are merged three ways.`,
    });
  }
}

/** The source as the manifest records it: a folder relative to the project, so the project can move. */
function recordedSource(source: PackSource, root: string): PackSource {
  if (source.kind !== 'folder') return source;
  return { kind: 'folder', path: relative(root, source.path).split(sep).join('/') || '.' };
}

export async function runGenerate(options: GenerateOptions): Promise<GenerateResult> {
  try {
    return await generate(options);
  } catch (error) {
    // Ctrl-C reaches child processes too (git merge-file, a task): whatever failed, it was the interrupt.
    if (options.signal?.aborted && !(error instanceof InterruptedError)) throw new InterruptedError();
    throw error;
  }
}

/** What generate works from: the spec, the project it is in, its manifest, and the pack. */
interface Inputs {
  specFile: string;
  display: (path: string) => string;
  spec: Spec;
  root: string;
  previous: ProjectManifest | undefined;
  pack: Pack;
}

/** Finds and loads the spec, resolves the pack (from --template or the manifest), and holds the project to it. */
async function resolveInputs(options: GenerateOptions): Promise<Inputs> {
  const specFile = await locateSpec(options);
  const display = (path: string) => displayPath(path, options.cwd);
  const { spec } = await loadValidSpec(specFile, display(specFile), 'generate');
  const root = dirname(specFile);
  const previous = await readProjectManifest(root);
  const template = options.template ?? (previous ? templateOf(previous.pack.source, root) : undefined);
  const pack = await resolvePack(template, { cwd: options.cwd, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) }).catch(
    (error: unknown) => {
      if (options.template !== undefined || !previous || !(error instanceof UserError)) throw error;
      // The pack came from the manifest: say so, since the user never named it.
      throw new UserError(`${error.message} (the pack ${MANIFEST_FILE} records: ${template})`, {
        hint: `Pass --template to say where the pack ${previous.pack.name} is now.`,
        cause: error,
      });
    },
  );
  checkVersion(pack, previous, options.upgrade);
  requireSections(pack, spec, display(specFile));
  return { specFile, display, spec, root, previous, pack };
}

/** The spec sections the pack needs, present, or a UserError that says to run design. */
function requireSections(pack: Pack, spec: Spec, specName: string): void {
  const missing = pack.manifest.requires.filter((section) => (spec as Record<string, unknown>)[section] === undefined);
  if (missing.length === 0) return;
  throw new UserError(
    `the pack ${pack.manifest.name} needs the spec section${missing.length === 1 ? '' : 's'} ${listOf(missing)}, which ${specName} does not have`,
    {
      file: specName,
      hint: 'Run `shipshape design`: it fills in the later sections with defaults derived from the spec. Then run generate again.',
    },
  );
}

/** Renders the pack in memory and plans every file against what is on disk. */
async function planProject(inputs: Inputs, options: GenerateOptions, interrupted: () => void): Promise<Plan> {
  const { pack, spec, root, previous } = inputs;
  const context = renderContext(spec, pack.manifest, options.version ?? shipshapeVersion(), SECTIONS);
  const precompiled = await loadPrecompiled(pack);
  const rendered = await renderPack(pack, context, { cwd: options.cwd, ...(precompiled ? { precompiled } : {}) });
  const state = await readProjectState(
    root,
    rendered.map((file) => file.path),
    rendered.filter((file) => file.ownership === 'merged').map((file) => file.path),
  );
  interrupted();
  return planGeneration(
    {
      pack: { name: pack.manifest.name, version: pack.manifest.version, source: recordedSource(pack.source, root) },
      specHash: specHash(readFileBoundedSync(inputs.specFile, { what: 'spec' })),
      rendered,
      previous,
      state,
    },
    { force: options.force, conflict: options.conflict, merge: options.merge ?? gitMergeFile },
  );
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** What apply left on disk, for the message of an interrupt after it. */
function writtenSummary(applied: ApplyResult): string {
  if (applied.total === 0) return 'the project was already up to date';
  const files = applied.files.length > 0 ? count(applied.files.length, 'file') : undefined;
  return `wrote ${[files, applied.manifest ? MANIFEST_FILE : undefined].filter(Boolean).join(' and ') || "shipshape's own files"}`;
}

/** The tasks record of the last generate, if there is a readable one: it only ever saves work. */
async function readPreviousTasks(root: string): Promise<TasksState | undefined> {
  try {
    const read = readTasksLeniently(JSON.parse(await readTextBounded(join(root, TASKS_FILE), { what: 'tasks record' })));
    return 'value' in read ? read.value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs the pack's tasks (`npm install`, ...) after the files are written, recording each one's
 * end in .shipshape/tasks.json. Ctrl-C stops the running task: the interrupt then says what was
 * written and which task did not finish, and the record tells `status` so.
 */
async function runPackTasks(inputs: Inputs, options: GenerateOptions, applied: ApplyResult): Promise<TaskOutcome[]> {
  const { runTasks } = await import('./tasks.js');
  const { pack, root } = inputs;
  const record: TasksState = {
    version: 1,
    startedAt: (options.now ?? new Date()).toISOString(),
    tasks: pack.manifest.tasks.map((task) => ({ name: task.name, command: taskCommand(task), status: 'pending' })),
  };
  const previous = await readPreviousTasks(root);
  const save = () => writeFileAtomic(join(root, TASKS_FILE), serializeTasks(record));
  await save();
  let ended = 0;
  try {
    return await runTasks(pack, root, {
      trust: options.trust,
      ...(options.onTaskOutput ? { onOutput: options.onTaskOutput } : {}),
      ...(previous ? { previous } : {}),
      onOutcome: async (outcome) => {
        record.tasks[ended++] = {
          name: outcome.name,
          command: outcome.command,
          status: outcome.status,
          ...(outcome.reason ? { reason: outcome.reason } : {}),
          ...(outcome.inputs ? { inputs: outcome.inputs } : {}),
        };
        await save();
      },
    });
  } catch (error) {
    const task = record.tasks[ended];
    if (!(error instanceof InterruptedError || options.signal?.aborted) || !task) throw error;
    task.status = 'interrupted';
    await save();
    const rest = record.tasks.length - ended - 1;
    throw new InterruptedError(
      `${writtenSummary(applied)}, but the task "${task.name}" (${task.command}) did not finish${rest > 0 ? ` and ${count(rest, 'later task')} did not run` : ''}`,
      'Run `shipshape generate` again to finish the tasks (the files are already in place), or run the command yourself in the project.',
    );
  }
}

async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const interrupted = () => {
    if (options.signal?.aborted) throw new InterruptedError();
  };
  const inputs = await resolveInputs(options);
  interrupted();
  const plan = await planProject(inputs, options, interrupted);
  const conflicts = plan.entries.some((entry) => entry.action === 'conflict');
  const result: GenerateResult = {
    root: inputs.root,
    spec: inputs.display(inputs.specFile),
    dryRun: options.dryRun,
    plan,
    written: false,
    files: [],
    tasks: [],
    manifestPath: resolve(inputs.root, MANIFEST_FILE),
    exitCode: conflicts ? 1 : 0,
  };
  if (options.dryRun) return result;

  // A run killed mid-write (kill -9) left temp files: ours are recognisable, so they go now.
  const folders = new Set(['.', '.shipshape', ...plan.entries.map((entry) => posix.dirname(entry.path))]);
  await removeStaleTemps([...folders].map((folder) => join(inputs.root, folder)));
  const applied = await applyPlan(inputs.root, plan, inputs.previous, {
    ...(options.now ? { now: options.now } : {}),
    ...(options.writeTemp ? { writeTemp: options.writeTemp } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  result.written = applied.total > 0;
  result.files = applied.files;
  if (options.tasks) {
    result.tasks = await runPackTasks(inputs, options, applied);
    if (result.tasks.some((task) => task.status === 'failed')) result.exitCode = 1;
  }
  return result;
}
