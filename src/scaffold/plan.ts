/**
 * The plan of a run: for each file the pack renders, what generate does to it (create, update,
 * merge, conflict, unchanged, skip) and why, worked out from the render, the previous project
 * manifest and what is on disk. Pure but for the three-way merge, which is injected; nothing is
 * written here.
 */
import { createHash } from 'node:crypto';
import { unifiedDiff } from '../text/diff.js';
import { hasHeader } from './header.js';
import type { Merger } from './merge.js';
import type { ProjectState } from './state.js';
import type { ManifestFileEntry, Plan, PlanEntry, PackSource, ProjectManifest, RenderedFile } from './types.js';

/** Where `generate` puts a merge conflict: inline markers, or a `<file>.rej` beside the file. */
export const CONFLICT_STYLES = ['inline', 'rej'] as const;
export type ConflictStyle = (typeof CONFLICT_STYLES)[number];

export interface PlanInput {
  pack: { name: string; version: string; source: PackSource };
  specHash: string;
  rendered: readonly RenderedFile[];
  previous: ProjectManifest | undefined;
  state: ProjectState;
}

export interface PlanOptions {
  /** Overwrite managed files edited by hand, and files shipshape did not generate. */
  force: boolean;
  /** Merge conflicts: markers in the file, or the user's file untouched and the pack's version in <path>.rej. */
  conflict: ConflictStyle;
  merge: Merger;
}

export const sha256 = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

const isBinary = (content: Buffer) => content.subarray(0, 8000).includes(0);

/** A unified diff from `before` to `after` (a one-line note for binary files). */
function diffOf(path: string, before: Buffer | undefined, after: Buffer): string {
  if ((before && isBinary(before)) || isBinary(after)) {
    return before?.equals(after) ? '' : `Binary files ${before ? `a/${path}` : '/dev/null'} and b/${path} differ\n`;
  }
  return unifiedDiff(before?.toString('utf8') ?? '', after.toString('utf8'), path);
}

const FORCE = '--force overwrites it';

/** The markers this planner's inline conflicts leave (see the labels below), at the start of a line. */
const hasConflictMarkers = (content: Buffer): boolean =>
  /^<{7} yours$/m.test(content.toString('utf8')) && /^>{7} pack /m.test(content.toString('utf8'));

/** What planning one existing file needs: the file, its record, and the shapes of the possible answers. */
interface FilePlanning {
  path: string;
  rendered: Buffer;
  current: Buffer;
  previous: ManifestFileEntry | undefined;
  oldBase: Buffer | undefined;
  input: PlanInput;
  options: PlanOptions;
  entry(action: PlanEntry['action'], fields: Partial<PlanEntry>): PlanEntry;
  record(content: Buffer): ManifestFileEntry;
  /** The new base copy of a merged file, when it moves. */
  base: { base?: Buffer };
  /** The manifest entry of the last run, kept when the file is not written. */
  keep: { manifestEntry?: ManifestFileEntry };
  overwrite(reason?: string): PlanEntry;
  refuse(reason: string): PlanEntry;
  notOurs(): PlanEntry;
}

async function planFile(file: RenderedFile, input: PlanInput, options: PlanOptions): Promise<PlanEntry> {
  const { path, ownership, mode } = file;
  const rendered = file.content;
  const previous = input.previous?.files[path];
  const disk = input.state.files.get(path) ?? { kind: 'missing' };
  const oldBase = input.state.bases.get(path);
  const record = (content: Buffer): ManifestFileEntry => ({ ownership, sha256: sha256(content) });
  // A merged file's base moves to the pack's render whenever the render is what the user now has.
  const base = ownership === 'merged' && !oldBase?.equals(rendered) ? { base: rendered } : {};
  const entry = (action: PlanEntry['action'], fields: Partial<PlanEntry>): PlanEntry => ({
    path,
    action,
    ownership,
    diff: '',
    mode,
    ...fields,
  });
  const keep = previous ? { manifestEntry: previous } : {};

  if (disk.kind === 'blocked') {
    return entry('conflict', { reason: `${disk.reason}; shipshape will not write there`, ...keep });
  }
  if (disk.kind === 'missing') {
    return entry('create', {
      ...(previous ? { reason: 'was deleted; written again' } : {}),
      diff: diffOf(path, undefined, rendered),
      content: rendered,
      manifestEntry: record(rendered),
      ...base,
    });
  }
  const current = disk.content;
  if (current.equals(rendered)) return entry('unchanged', { manifestEntry: record(rendered), ...base });
  if (ownership === 'seeded') {
    return entry('skip', { reason: previous ? 'seeded: yours now' : 'seeded, and a file of yours is already there', ...keep });
  }

  const overwrite = (reason?: string): PlanEntry =>
    entry('update', {
      ...(reason ? { reason } : {}),
      diff: diffOf(path, current, rendered),
      content: rendered,
      manifestEntry: record(rendered),
      ...base,
    });
  const refuse = (reason: string): PlanEntry => entry('conflict', { reason, diff: diffOf(path, current, rendered), ...keep });
  const notOurs = (): PlanEntry =>
    options.force
      ? overwrite('not generated by shipshape; overwritten (--force)')
      : refuse(`exists, and shipshape did not generate it; ${FORCE}`);
  const planning: FilePlanning = {
    path,
    rendered,
    current,
    previous,
    oldBase,
    input,
    options,
    entry,
    record,
    base,
    keep,
    overwrite,
    refuse,
    notOurs,
  };
  return ownership === 'managed' ? planManaged(planning) : planMerged(planning);
}

/** A managed file: replaced while untouched; edited by hand, it needs --force; without its header, it is the user's. */
function planManaged({ path, rendered, current, previous, options, entry, overwrite, refuse, notOurs }: FilePlanning): PlanEntry {
  if (!previous) return notOurs();
  if (previous.takenOver)
    return entry('skip', { reason: 'taken over (its shipshape header was removed): yours now', manifestEntry: previous });
  if (!hasHeader(current, path) && hasHeader(rendered, path)) {
    return entry('skip', {
      reason: 'taken over: its shipshape header was removed, so it is yours now',
      manifestEntry: { ownership: 'seeded', sha256: sha256(current), takenOver: true },
    });
  }
  if (sha256(current) === previous.sha256) return overwrite();
  return options.force ? overwrite('edited by hand; overwritten (--force)') : refuse(`edited by hand since it was generated; ${FORCE}`);
}

/** A merged file: the user's edits and the pack's changes merged three ways from the last base. */
async function planMerged(p: FilePlanning): Promise<PlanEntry> {
  const { path, rendered, current, previous, oldBase, input, options, entry, record, base, keep, overwrite, refuse, notOurs } = p;
  if (!previous) return notOurs();
  if (oldBase?.equals(current) || (!oldBase && sha256(current) === previous.sha256)) return overwrite('not edited since it was generated');
  if (isBinary(current) || isBinary(rendered) || (oldBase && isBinary(oldBase))) {
    return options.force
      ? overwrite('binary, edited on both sides; overwritten (--force)')
      : refuse(`binary, and changed by you and by the pack: it cannot be merged; ${FORCE}`);
  }
  if (hasConflictMarkers(current)) {
    return refuse('still holds the conflict markers of an earlier run: resolve them, then run generate again');
  }
  const twoWay = oldBase ? '' : ' (no base copy in .shipshape/base: merged two ways)';
  const merged = await options.merge({
    base: oldBase ?? Buffer.alloc(0),
    ours: current,
    theirs: rendered,
    labels: { ours: 'yours', base: 'base', theirs: `pack ${input.pack.name}@${input.pack.version}` },
  });
  if (merged.clean) {
    if (merged.content.equals(current)) {
      return entry('unchanged', { reason: 'your edits kept; nothing new from the pack', manifestEntry: record(current), ...base });
    }
    return entry('merge', {
      reason: `your edits merged with the pack's changes${twoWay}`,
      diff: diffOf(path, current, merged.content),
      content: merged.content,
      manifestEntry: record(merged.content),
      ...base,
    });
  }
  const hunks = merged.conflicts === 1 ? '1 conflicting change' : `${merged.conflicts} conflicting changes`;
  if (options.conflict === 'rej') {
    return entry('conflict', {
      reason: `${hunks}${twoWay}; your file is untouched and the pack's version is in ${path}.rej`,
      diff: diffOf(path, current, rendered),
      reject: { path: `${path}.rej`, content: rendered },
      ...keep,
    });
  }
  return entry('conflict', {
    reason: `${hunks}${twoWay}, marked inline: resolve the <<<<<<< yours / >>>>>>> pack markers`,
    diff: diffOf(path, current, merged.content),
    content: merged.content,
    manifestEntry: record(merged.content),
    ...base,
  });
}

/** The plan of a run; entries sorted by path, one per rendered file. */
export async function planGeneration(input: PlanInput, options: PlanOptions): Promise<Plan> {
  const entries: PlanEntry[] = [];
  for (const file of input.rendered) entries.push(await planFile(file, input, options));
  const made = new Set(input.rendered.map((file) => file.path));
  const orphaned = Object.keys(input.previous?.files ?? {})
    .filter((path) => !made.has(path))
    .sort();
  return {
    pack: input.pack,
    specHash: input.specHash,
    entries: entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    orphaned,
  };
}
