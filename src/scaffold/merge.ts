/**
 * The three-way merge of a merged file: git's own `git merge-file`, never a merge of our own.
 * Conflicts come back inline, in diff3 style, so the user sees the base the pack last wrote too.
 */
// eslint-disable-next-line no-restricted-imports -- scratch inputs for git merge-file, in a private temp folder removed afterwards
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExternalError, UserError } from '../errors.js';

export interface MergeInput {
  /** What the pack wrote last time. */
  base: Buffer;
  /** What is on disk: the user's version. */
  ours: Buffer;
  /** What the pack renders now. */
  theirs: Buffer;
  /** Marker labels: `yours`, `base`, `pack <name>@<version>`. */
  labels: { ours: string; base: string; theirs: string };
}

export interface MergeResult {
  /** No conflicting hunks. */
  clean: boolean;
  /** The merged content; with conflicts, holding <<<<<<< ||||||| ======= >>>>>>> markers. */
  content: Buffer;
  /** How many conflicting hunks (git counts up to 127). */
  conflicts: number;
}

export type Merger = (input: MergeInput) => Promise<MergeResult>;

/** Merges with `git merge-file -p --diff3` on three temp files. */
export const gitMergeFile: Merger = async (input) => {
  const dir = await mkdtemp(join(tmpdir(), 'shipshape-merge-'));
  try {
    const [ours, base, theirs] = [join(dir, 'ours'), join(dir, 'base'), join(dir, 'theirs')];
    await Promise.all([writeFile(ours, input.ours), writeFile(base, input.base), writeFile(theirs, input.theirs)]);
    const args = [
      'merge-file',
      '-p',
      '--diff3',
      '-L',
      input.labels.ours,
      '-L',
      input.labels.base,
      '-L',
      input.labels.theirs,
      ours,
      base,
      theirs,
    ];
    // Loaded on the first merge: most runs have none, and execa takes a while to load.
    const { execa } = await import('execa');
    const result = await execa('git', args, { reject: false, encoding: 'buffer', stdin: 'ignore', stripFinalNewline: false });
    if (result.exitCode === undefined) {
      if (result.code === 'ENOENT') {
        throw new UserError('git is needed to merge files three ways, and it is not installed (or not on PATH)', {
          hint: 'Install git (https://git-scm.com), then run generate again.',
        });
      }
      throw new ExternalError('git merge-file', result.shortMessage ?? String(result.code));
    }
    // The exit code is the number of conflicts; negative (255 here) is an error.
    if (result.exitCode > 127) throw new ExternalError(`git ${args.slice(0, 3).join(' ')}`, Buffer.from(result.stderr).toString('utf8'));
    return { clean: result.exitCode === 0, content: Buffer.from(result.stdout), conflicts: result.exitCode };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
