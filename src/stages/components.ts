import type { Project } from './project.js';
import { fileSha256 } from './hash.js';
import { MANIFEST_FILE, parseManifest } from './records.js';
import { count, type Evidence, type StageEvidence } from './types.js';

/** Files hashed at once: enough to keep the disk busy, few enough for any open-file limit. */
const PARALLEL = 16;

type FileVerdict = 'unchanged' | 'changed' | 'missing' | 'outside';

async function verdict(project: Project, path: string, sha256: string): Promise<FileVerdict> {
  // A manifest is data from disk: a path that leaves the project is never read.
  const inside = project.inside(path);
  if (!inside) return 'outside';
  try {
    const actual = await fileSha256(project.path(inside));
    return actual === sha256.toLowerCase() ? 'unchanged' : 'changed';
  } catch {
    return 'missing';
  }
}

const PROBLEM: Record<Exclude<FileVerdict, 'unchanged'>, string> = {
  changed: 'changed since it was generated (its sha256 differs from the manifest)',
  missing: 'listed in the manifest but missing',
  outside: 'listed in the manifest but outside the project; not read',
};

/** Stage 3: the manifest of generated files, every one of them still as it was generated. */
export function componentsEvidence(project: Project): Promise<StageEvidence> {
  return project.cached('stage:components', async () => {
    const read = await project.readJson(MANIFEST_FILE);
    if (!read.found) {
      return { state: 'not-started', evidence: [{ what: 'manifest', file: MANIFEST_FILE, ok: false, detail: `no ${MANIFEST_FILE}` }] };
    }
    const parsed = 'error' in read ? { error: read.error } : parseManifest(read.value);
    if ('error' in parsed) {
      return {
        state: 'in-progress',
        evidence: [{ what: 'manifest', file: MANIFEST_FILE, ok: false, detail: `${MANIFEST_FILE} ${parsed.error}` }],
      };
    }
    const entries = Object.entries(parsed.value.files);
    const verdicts: FileVerdict[] = [];
    for (let i = 0; i < entries.length; i += PARALLEL) {
      const batch = entries.slice(i, i + PARALLEL);
      verdicts.push(...(await Promise.all(batch.map(([path, entry]) => verdict(project, path, entry.sha256)))));
    }
    const problems: Evidence[] = entries.flatMap(([path], i) => {
      const found = verdicts[i]!;
      return found === 'unchanged' ? [] : [{ what: 'generated file', file: path, ok: false, detail: `${path} ${PROBLEM[found]}` }];
    });
    const { name, version } = parsed.value.pack;
    const from = name ? ` from ${name}${version ? ` ${version}` : ''}` : '';
    const evidence: Evidence[] = [
      {
        what: 'manifest',
        file: MANIFEST_FILE,
        ok: entries.length > 0,
        detail: `${MANIFEST_FILE} lists ${count(entries.length, 'file')}${from}`,
      },
      // Each file that is not as generated is its own evidence; all well, one line says so.
      ...(problems.length > 0
        ? problems
        : [{ what: 'generated files', ok: true, detail: `${count(entries.length, 'generated file')} unchanged` }]),
    ];
    return { state: evidence.every((item) => item.ok) ? 'done' : 'in-progress', evidence };
  });
}
