/**
 * Issue 12: kill -9 during the renames of a multi-file write. A child process (the real writer,
 * bundled by esbuild) is killed with SIGKILL right after its k-th rename; the files are then a mix
 * of old and new, with the temps, backups and journal it left. The next write into any of the
 * folders finishes the interrupted one first: the set is the new one, and no temp is left.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/fs/atomic.js';
import { staleTempsIn } from '../../src/fs/temps.js';
import { ROOT, tempDir } from '../helpers/temp.js';

const FILES = ['shipshape.yaml', 'docs/adr/0001-architecture.md', 'docs/architecture.mmd', 'docs/runbook.md'];

/** The child: writes FILES under argv[2] with "new <file>", and kills itself after rename number argv[3]. */
const CHILD = `
import { join } from 'node:path';
import { writeFilesAtomic } from ${JSON.stringify(join(ROOT, 'src/fs/atomic.ts'))};
const [root, killAfter] = [process.argv[2], Number(process.argv[3])];
const files = ${JSON.stringify(FILES)};
await writeFilesAtomic(files.map((file) => ({ path: join(root, file), content: 'new ' + file })), {
  afterRename: (index) => { if (index === killAfter) process.kill(process.pid, 'SIGKILL'); },
});
`;

let child = '';
beforeAll(() => {
  const dir = tempDir();
  child = join(dir, 'child.mjs');
  writeFileSync(join(dir, 'entry.mjs'), CHILD);
  buildSync({ entryPoints: [join(dir, 'entry.mjs')], bundle: true, platform: 'node', format: 'esm', outfile: child, logLevel: 'error' });
});

function project(): string {
  const root = tempDir();
  mkdirSync(join(root, 'docs', 'adr'), { recursive: true });
  for (const file of FILES) writeFileSync(join(root, file), `old ${file}`);
  return root;
}

const contents = (root: string) => FILES.map((file) => readFileSync(join(root, file), 'utf8'));
const leftovers = (root: string) => [root, join(root, 'docs'), join(root, 'docs', 'adr')].flatMap((dir) => staleTempsIn(dir));

describe('kill -9 during the renames of a multi-file write', () => {
  for (const killAfter of [0, 1, 2]) {
    it(`killed after rename ${killAfter + 1} of ${FILES.length}: the next write finishes it, no temp is left`, async () => {
      const root = project();
      const run = spawnSync(process.execPath, [child, root, String(killAfter)], { encoding: 'utf8', timeout: 60_000 });
      expect(run.signal).toBe('SIGKILL');
      // The crash state: some files new, some old, and recognisable leftovers (temps, backups, journals).
      const mixed = contents(root);
      expect(mixed.filter((text) => text.startsWith('new'))).toHaveLength(killAfter + 1);
      expect(leftovers(root).length).toBeGreaterThan(0);
      expect(leftovers(root).some((name) => name.startsWith('.shipshape-journal.'))).toBe(true);
      // Any next write into one of the folders, here an unrelated file in docs/.
      await writeFileAtomic(join(root, 'docs', 'other.md'), 'other');
      expect(contents(root)).toEqual(FILES.map((file) => `new ${file}`));
      expect(leftovers(root)).toEqual([]);
      expect(readdirSync(join(root, 'docs', 'adr'))).toEqual(['0001-architecture.md']);
    });
  }

  it('killed after the last rename: nothing to finish, the leftovers go', async () => {
    const root = project();
    const run = spawnSync(process.execPath, [child, root, String(FILES.length - 1)], { encoding: 'utf8', timeout: 60_000 });
    expect(run.signal).toBe('SIGKILL');
    expect(contents(root)).toEqual(FILES.map((file) => `new ${file}`));
    await writeFileAtomic(join(root, 'shipshape.yaml'), 'newer');
    expect(leftovers(root)).toEqual([]);
  });
});
