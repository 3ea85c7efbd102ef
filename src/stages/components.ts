import type { Ownership } from '../scaffold/types.js';
import { posix } from 'node:path';
import { staleTempsIn } from '../fs/temps.js';
import { fileSha256 } from './hash.js';
import type { Project } from './project.js';
import { MANIFEST_FILE, readManifestLeniently } from '../state/manifest.js';
import { readTasksLeniently, TASKS_FILE, unfinishedTask } from '../state/tasks.js';
import { count, type Evidence, type StageEvidence } from './types.js';

/** Files hashed at once: enough to keep the disk busy, few enough for any open-file limit. */
const PARALLEL = 16;

type FileVerdict = 'unchanged' | 'present' | 'changed' | 'missing' | 'outside';

/**
 * A managed file must still have its recorded hash; a seeded or merged file is the user's to
 * edit, so it only has to still be there.
 */
async function verdict(project: Project, path: string, entry: { ownership: Ownership; sha256: string }): Promise<FileVerdict> {
  // A manifest is data from disk: a path that leaves the project is never read.
  const inside = project.inside(path);
  if (!inside) return 'outside';
  if (entry.ownership !== 'managed') return (await project.stat(inside))?.isFile() ? 'present' : 'missing';
  try {
    return (await fileSha256(project.path(inside))) === entry.sha256 ? 'unchanged' : 'changed';
  } catch {
    return 'missing';
  }
}

const PROBLEM: Record<Exclude<FileVerdict, 'unchanged' | 'present'>, string> = {
  changed: 'is managed by the pack but changed since it was generated (its sha256 differs from the manifest)',
  missing: 'listed in the manifest but missing',
  outside: 'listed in the manifest but outside the project; not read',
};

/**
 * The pack's tasks of the last generate (.shipshape/tasks.json), when one did not finish: Ctrl-C
 * during `npm install`, or a killed process, leaves the files written and the install not done.
 * No record (a project generated before it existed, or with --no-tasks) is no evidence either way.
 */
async function tasksEvidence(project: Project): Promise<Evidence[]> {
  const read = await project.readJson(TASKS_FILE);
  if (!read.found) return [];
  const parsed = 'error' in read ? { error: read.error } : readTasksLeniently(read.value);
  if ('error' in parsed) return [{ what: 'pack tasks', file: TASKS_FILE, ok: false, detail: `${TASKS_FILE} ${parsed.error}` }];
  const task = unfinishedTask(parsed.value);
  if (!task) return [];
  const how = task.status === 'interrupted' ? 'was interrupted' : 'did not finish (the process stopped)';
  return [
    {
      what: 'pack tasks',
      file: TASKS_FILE,
      ok: false,
      detail: `the task "${task.name}" (${task.command}) ${how}: run shipshape generate again`,
    },
  ];
}

/**
 * Stage 3: the manifest of generated files, made from the spec as it is now (packs render the
 * spec into the code: a changed spec means stale code), every managed file still as it was
 * generated and every seeded or merged one still there (edited or not).
 */
export function componentsEvidence(project: Project): Promise<StageEvidence> {
  return project.cached('stage:components', async () => {
    const read = await project.readJson(MANIFEST_FILE);
    if (!read.found) {
      return { state: 'not-started', evidence: [{ what: 'manifest', file: MANIFEST_FILE, ok: false, detail: `no ${MANIFEST_FILE}` }] };
    }
    const parsed = 'error' in read ? { error: read.error } : readManifestLeniently(read.value);
    if ('error' in parsed) {
      return {
        state: 'in-progress',
        evidence: [{ what: 'manifest', file: MANIFEST_FILE, ok: false, detail: `${MANIFEST_FILE} ${parsed.error}` }],
      };
    }
    const spec = await project.spec();
    // A manifest that records no spec hash (not one generate wrote) cannot be called stale.
    const recorded = parsed.value.specHash.toLowerCase();
    const current = recorded === '' || recorded === spec.hash;
    const entries = Object.entries(parsed.value.files);
    const verdicts: FileVerdict[] = [];
    for (let i = 0; i < entries.length; i += PARALLEL) {
      const batch = entries.slice(i, i + PARALLEL);
      verdicts.push(...(await Promise.all(batch.map(([path, entry]) => verdict(project, path, entry)))));
    }
    const problems: Evidence[] = entries.flatMap(([path], i) => {
      const found = verdicts[i]!;
      return found === 'unchanged' || found === 'present'
        ? []
        : [{ what: 'generated file', file: path, ok: false, detail: `${path} ${PROBLEM[found]}` }];
    });
    // Temp files of a write that was killed (kill -9): the next write into the folder removes them.
    const folders = new Set(['.', '.shipshape', ...entries.flatMap(([path]) => (project.inside(path) ? [posix.dirname(path)] : []))]);
    const temps = [...folders].flatMap((folder) => staleTempsIn(project.path(folder)).map((name) => posix.join(folder, name)));
    if (temps.length > 0) {
      problems.push({
        what: 'leftover temp files',
        ok: false,
        detail: `${count(temps.length, 'temp file')} left by an interrupted write (${temps.slice(0, 3).join(', ')}${temps.length > 3 ? ', ...' : ''}): run shipshape generate, which removes them`,
      });
    }
    const { name, version } = parsed.value.pack;
    const from = name ? ` from ${name}${version ? ` ${version}` : ''}` : '';
    const managed = entries.filter(([, entry]) => entry.ownership === 'managed').length;
    const others = entries.length - managed;
    const evidence: Evidence[] = [
      {
        what: 'manifest',
        file: MANIFEST_FILE,
        ok: entries.length > 0,
        detail: `${MANIFEST_FILE} lists ${count(entries.length, 'file')}${from}`,
      },
      // Packs render the spec into the code: generated from another version of it, the code is stale.
      ...(current
        ? []
        : [
            {
              what: 'generated from the current spec',
              file: MANIFEST_FILE,
              ok: false,
              detail: `${project.specName} changed since the project was generated: run shipshape generate`,
            },
          ]),
      // Each file that is not as it should be is its own evidence; all well, one line says so.
      ...(problems.length > 0
        ? problems
        : [
            {
              what: 'generated files',
              ok: true,
              detail: `${count(managed, 'managed file')} unchanged${others > 0 ? `, ${count(others, 'seeded or merged file')} in place` : ''}`,
            },
          ]),
    ];
    evidence.push(...(await tasksEvidence(project)));
    const edited = entries.filter((_, i) => verdicts[i] === 'changed').map(([path]) => path);
    return {
      state: evidence.every((item) => item.ok) ? 'done' : 'in-progress',
      evidence,
      // Regenerating would replace a hand edit: the check says where the change belongs instead.
      ...(edited.length > 0
        ? {
            next: {
              command: 'check',
              args: ['--stage', '3'],
              manual: true,
              why:
                edited.length === 1
                  ? `fix ${edited[0]}, a managed file edited by hand`
                  : `fix ${edited[0]} and ${count(edited.length - 1, 'other managed file')} edited by hand`,
            },
          }
        : {}),
    };
  });
}
