/**
 * Where a project stands: find its spec from a folder upward, run every stage's evidence, and
 * name the next command. Nothing is stored; every call looks at the disk again.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { findSpecUpward, SPEC_FILE } from '../spec/locate.js';
import { UserError } from '../errors.js';
import { STAGES } from './index.js';
import { Project } from './project.js';
import type { StageNumber } from './table.js';
import type { Evidence, StageEvidence, StageState } from './types.js';

export interface StatusOptions {
  cwd: string;
  /** Look for shipshape.yaml from this folder upward (default: cwd). */
  dir?: string;
  /** The commands this CLI has: a stage whose command is not among them is marked as coming. */
  commands: readonly string[];
  today?: Date;
}

export interface StageReport {
  number: StageNumber;
  id: string;
  title: string;
  summary: string;
  command: string;
  /** False while the stage's command is still to come in a later release. */
  available: boolean;
  leaves: string;
  proof: string;
  state: StageState;
  evidence: Evidence[];
}

export interface NextCommand {
  stage: StageNumber;
  title: string;
  command: string;
  args: string[];
  /** `shipshape init`, as a user would type it. */
  line: string;
  available: boolean;
  /** The command shows what to fix; the fix is an edit by hand. */
  manual: boolean;
  why?: string;
}

export interface ProjectStatus {
  /** The folder of the spec (or the folder searched, when there is none). */
  root: string;
  /** The spec's file name in the root, or null when there is none. */
  spec: string | null;
  specHash: string | null;
  stages: StageReport[];
  /** How many of the eight stages are done. */
  done: number;
  /** The first stage not done and what to run for it; null when all eight are done. */
  next: NextCommand | null;
}

async function startFolder(options: StatusOptions): Promise<string> {
  const start = resolve(options.cwd, options.dir ?? '.');
  const info = await stat(start).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UserError(`no such folder: ${options.dir ?? start}`, {
      hint: 'Pass --dir a folder of the project (or any folder inside it).',
    });
  }
  return start;
}

function withoutSpec(start: string): StageEvidence[] {
  return STAGES.map((stage) => ({
    state: 'not-started',
    evidence: [
      stage.number === 1
        ? { what: 'spec', file: SPEC_FILE, ok: false, detail: `no ${SPEC_FILE} in ${start} or any folder above it` }
        : { what: 'spec', file: SPEC_FILE, ok: false, detail: `needs ${SPEC_FILE} (stage 1) first` },
    ],
  }));
}

/** Each of the eight stages as reported, from its evidence (`results`, in stage order) and the commands this CLI has. */
export function stageReports(results: readonly StageEvidence[], commands: ReadonlySet<string>): StageReport[] {
  return STAGES.map((stage, i) => ({
    number: stage.number,
    id: stage.id,
    title: stage.title,
    summary: stage.summary,
    command: stage.command,
    available: commands.has(stage.command),
    leaves: stage.leaves,
    proof: stage.proof,
    state: results[i]!.state,
    evidence: results[i]!.evidence,
  }));
}

export async function computeStatus(options: StatusOptions): Promise<ProjectStatus> {
  const start = await startFolder(options);
  const specFile = await findSpecUpward(start);
  const project = specFile ? new Project(specFile, options.today ? { today: options.today } : {}) : undefined;
  const results = project ? await Promise.all(STAGES.map((stage) => stage.evidence(project))) : withoutSpec(start);
  const commands = new Set(options.commands);

  const stages = stageReports(results, commands);
  const index = stages.findIndex((stage) => stage.state !== 'done');
  let next: NextCommand | null = null;
  if (index !== -1) {
    const stage = stages[index]!;
    const step = results[index]!.next;
    const command = step?.command ?? stage.command;
    const args = step?.args ?? [];
    next = {
      stage: stage.number,
      title: stage.title,
      command,
      args,
      line: ['shipshape', command, ...args].join(' '),
      available: commands.has(command),
      manual: step?.manual ?? false,
      ...(step?.why ? { why: step.why } : {}),
    };
  }
  const snapshot = project ? await project.spec() : undefined;
  const status = {
    root: project?.root ?? start,
    spec: project?.specName ?? null,
    stages,
    done: stages.filter((stage) => stage.state === 'done').length,
    next,
  };
  // A getter, so the table (which does not show it) never pays for hashing; JSON and callers that
  // read it get it.
  return Object.defineProperty(status, 'specHash', { enumerable: true, get: () => snapshot?.hash ?? null }) as ProjectStatus;
}

/** Why stages 1..upTo are not all done (the first one that is not), or undefined when they are. */
export function unmetStage(status: ProjectStatus, upTo: number): string | undefined {
  const stage = status.stages.find((s) => s.number <= upTo && s.state !== 'done');
  if (!stage) return undefined;
  const against = stage.evidence.find((item) => !item.ok);
  return `stage ${stage.number} (${stage.title}) is ${stage.state.replace('-', ' ')}${against ? `: ${against.detail}` : ''}`;
}
