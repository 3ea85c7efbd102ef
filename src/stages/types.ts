/**
 * The vocabulary of `status` and `walk`: what a stage is, and what its evidence says. Plain data,
 * recomputed from the files on disk on every call (DESIGN.md, Principle 2).
 */
import type { Project } from './project.js';
import type { StageInfo } from './table.js';

export const STAGE_STATES = ['done', 'in-progress', 'not-started'] as const;
export type StageState = (typeof STAGE_STATES)[number];

/** One fact found on disk, for or against a stage being done. */
export interface Evidence {
  what: string;
  /** The file it is about, relative to the project root with forward slashes. */
  file?: string;
  ok: boolean;
  detail: string;
}

/** What to run to move a stage on, when it is not simply the stage's own command. */
export interface NextStep {
  command: string;
  args: string[];
  /** The command only shows what to fix; the fix itself is an edit by hand. */
  manual?: boolean;
  why?: string;
}

export interface StageEvidence {
  state: StageState;
  evidence: Evidence[];
  next?: NextStep;
}

/** A stage of the table with the function that reads its evidence from a project. */
export interface Stage extends StageInfo {
  evidence(project: Project): Promise<StageEvidence>;
}

/** The state a stage gets from its evidence: nothing of it yet, all of it, or some. */
export function stateOf(started: boolean, evidence: readonly Evidence[]): StageState {
  if (!started) return 'not-started';
  return evidence.every((item) => item.ok) ? 'done' : 'in-progress';
}

/** `1 error`, `3 errors`. */
export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** `a, b, c and 4 more`: a list short enough for one line of the table. */
export function some(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
