/**
 * `shipshape design` end to end: find and load the spec, decide which recommendations to take
 * (all under --yes or --dry-run, the injected chooser on a terminal, an error otherwise), plan,
 * and apply unless it is a dry run.
 */
import { join, resolve } from 'node:path';
import { displayPath } from '../fs/paths.js';
import { locateSpec } from '../spec/locate.js';
import { UserError } from '../errors.js';
import { loadValidSpec } from '../spec/load.js';
import type { PatternId } from '../spec/schema.js';
import { ADR_FILE, MERMAID_FILE } from './adr.js';
import { applyDesign, planDesign, planDiff, type DesignPlan } from './plan.js';
import { recommend, type PatternChoice } from './recommend.js';
import { readTextBounded } from '../fs/read.js';

/** Asks which of the recommended patterns to take (src/ui/design-prompts.ts on a terminal). */
export type Chooser = (recommended: readonly PatternChoice[]) => Promise<PatternId[]>;

export interface DesignOptions {
  cwd: string;
  /** Where to look for shipshape.yaml, upward (default: cwd). */
  dir?: string;
  /** The spec file, instead of looking for one. */
  spec?: string;
  /** Accept every recommendation without asking. */
  yes: boolean;
  /** Plan and show the diff; write nothing. */
  dryRun: boolean;
  /** May prompt (a terminal, not CI). */
  interactive: boolean;
  /** Why it may not (`CI is set`), for the error that says so. */
  noPrompt?: string;
  choose?: Chooser;
  today?: Date;
}

export interface DesignResult {
  plan: DesignPlan;
  dryRun: boolean;
  /** The unified diff of every change (dry run only). */
  diff?: string;
  /** The files written, as displayed. */
  written: string[];
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readTextBounded(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function runDesign(options: DesignOptions): Promise<DesignResult> {
  const specFile = await locateSpec(options);
  const display = (path: string) => displayPath(path, options.cwd);
  const { spec, loaded } = await loadValidSpec(specFile, display(specFile), 'design');

  const { recommended } = recommend(spec);
  let accepted: PatternId[];
  if (options.yes || options.dryRun) {
    accepted = recommended.map((choice) => choice.pattern);
  } else if (options.interactive && options.choose) {
    accepted = recommended.length === 0 ? [] : await options.choose(recommended);
  } else {
    const what = recommended.length === 0 ? 'defaults for the missing sections' : `${recommended.length} recommended patterns and defaults`;
    throw new UserError(
      `design would write ${what} to ${display(specFile)}, and it does not ask to confirm when ${options.noPrompt ?? 'there is no terminal'}`,
      {
        hint: 'Pass --yes to accept every recommendation, or --dry-run to see the changes first.',
      },
    );
  }

  const root = resolve(specFile, '..');
  const existing: Record<string, string> = {};
  for (const path of [ADR_FILE, MERMAID_FILE]) {
    const text = await readIfExists(join(root, path));
    if (text !== undefined) existing[path] = text;
  }
  const plan = planDesign({ specFile, display, text: loaded.parsed.text, spec, accepted, today: options.today ?? new Date(), existing });
  if (options.dryRun) return { plan, dryRun: true, diff: planDiff(plan), written: [] };
  const written = await applyDesign(plan);
  return { plan, dryRun: false, written: written.map((file) => file.display) };
}
