/**
 * The shapes shared by the template engine (`generate`): a pack and where it came from, the
 * files it renders, the plan of what a run would do, and the project manifest that remembers
 * what the pack wrote. The engine is plan-then-apply: everything up to the Plan is computed in
 * memory, and only apply writes.
 */

/** Who owns a file a pack makes. */
export type Ownership =
  /** The pack owns it: a header says so, a re-run replaces it, `check` flags hand edits. */
  | 'managed'
  /** Written once, then the user's: a re-run never touches it. */
  | 'seeded'
  /** The user edits it and the pack keeps contributing: a re-run merges three ways (git merge-file). */
  | 'merged';

export const OWNERSHIPS = ['managed', 'seeded', 'merged'] as const satisfies readonly Ownership[];

/** Where a pack comes from. */
export type PackSource =
  | { kind: 'bundled'; name: string }
  | { kind: 'folder'; path: string }
  /** `npm:<spec>`: anything `npm install` takes (name@version, a tarball path). */
  | { kind: 'npm'; spec: string };

/** A post-generation task, run with execa in the project root after a successful apply. */
export interface PackTask {
  name: string;
  /** The command and its arguments, never a shell string. */
  run: [string, ...string[]];
  /**
   * Project files the task reads (e.g. package.json, package-lock.json): when they hash as they did
   * after its last successful run and every one of `outputs` exists, a re-generate skips the task.
   */
  inputs?: string[];
  /** What the task leaves (e.g. node_modules): without it, the task runs whatever its inputs say. */
  outputs?: string[];
}

/** `template.yaml` of a pack. */
export interface PackManifest {
  name: string;
  /** Semver, x.y.z. */
  version: string;
  description: string;
  /** The spec sections the pack reads; generate refuses a spec without them. */
  requires: string[];
  /** Globs (relative to the pack's files/ folder, matched on the output path) per ownership. */
  ownership: Partial<Record<Ownership, string[]>>;
  /** The ownership of a file no glob names. */
  defaultOwnership: Ownership;
  /** Files made only for some specs: those the globs match are made only when every spec field has a value listed. */
  when: { files: string[]; spec: Record<string, string | number | boolean | null | (string | number | boolean | null)[]> }[];
  tasks: PackTask[];
  /** How `validate` builds the generated service, once, before starting it. */
  build?: [string, ...string[]] | string[];
  /** How `validate` starts the generated service (PORT, HOST and the tier endpoints in its environment). */
  start?: [string, ...string[]] | string[];
  /** A project file the build writes: the request bodies `validate` sends to reach each tier, `{ "<tier>": [body, ...] }`. */
  requests?: string;
  /** Variables for the service when shipshape runs it (validate, the local deploy driver), under their own. */
  env?: Record<string, string>;
}

/** A pack resolved to a folder on disk, ready to render. */
export interface Pack {
  manifest: PackManifest;
  /** The pack's root folder (holding template.yaml and files/). */
  root: string;
  source: PackSource;
  /** Bundled packs run their tasks; others only with --trust. */
  trusted: boolean;
}

/** One file as the pack renders it for this spec. */
export interface RenderedFile {
  /** Project-relative, forward slashes, `.hbs` stripped, templated segments filled in. */
  path: string;
  content: Buffer;
  ownership: Ownership;
  /** Unix permission bits from the pack's file (the executable bit is kept). */
  mode: number;
}

export type PlanAction = 'create' | 'update' | 'merge' | 'conflict' | 'unchanged' | 'skip';

/** What a run does to one file. */
export interface PlanEntry {
  path: string;
  action: PlanAction;
  ownership: Ownership;
  /** Why, in a few words: "edited by hand; --force overwrites it", "seeded: yours now". */
  reason?: string;
  /** Unified diff from what is on disk to what will be written (empty for unchanged/skip). */
  diff: string;
  /** What apply writes at `path` (undefined for unchanged and skip). */
  content?: Buffer;
  /** For --conflict rej: the rejected hunk file written next to the user's file instead. */
  reject?: { path: string; content: Buffer };
  mode: number;
  /** What the next project manifest records for `path`; undefined: no entry (a file that is not the pack's). */
  manifestEntry?: ManifestFileEntry;
  /** Merged files: the pack's render, written to `.shipshape/base/<path>` as the base of the next merge (undefined: keep the base as it is). */
  base?: Buffer;
}

export interface Plan {
  pack: { name: string; version: string; source: PackSource };
  specHash: string;
  entries: PlanEntry[];
  /** Files the old manifest lists that the pack no longer makes; left in place, listed here. */
  orphaned: string[];
}

/** `.shipshape/manifest.json`. Base copies of merged files live in `.shipshape/base/<path>`. */
export interface ProjectManifest {
  /** The format of this file. */
  version: 1;
  pack: { name: string; version: string; source: PackSource };
  specHash: string;
  /** ISO 8601. */
  generatedAt: string;
  /** Project-relative paths with forward slashes: the ownership and the sha256 of what was written. */
  files: Record<string, ManifestFileEntry>;
}

/** One file of the project manifest. */
export interface ManifestFileEntry {
  ownership: Ownership;
  /** The hex sha256 of the file as written (or as found, for a file taken over). */
  sha256: string;
  /**
   * A managed file the user took over by deleting its shipshape header: recorded as seeded, and
   * re-generation leaves it alone.
   */
  takenOver?: boolean;
}

export const BASE_DIR = '.shipshape/base';

/** Where `generate` puts a merge conflict: inline markers, or a `<file>.rej` beside the file. */
export const CONFLICT_STYLES = ['inline', 'rej'] as const;
export type ConflictStyle = (typeof CONFLICT_STYLES)[number];

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

/** A task's command as a shell would show it (display only: tasks never run through a shell). */
export const taskCommand = (task: PackTask): string => task.run.map(quote).join(' ');
