/** writeAllOrNothing, and `runbook` writing its four files through it: every file, or none as they were. */
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { applyHandoff, planHandoff } from '../../src/handoff/run.js';
import { writeAllOrNothing } from '../../src/handoff/write-all.js';
import { EXAMPLE, tempDir } from '../helpers/temp.js';

/** Every file under `dir`, relative, with its content. */
function tree(dir: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(files, tree(dir, path), { [`${path}/`]: '' });
    else files[path] = readFileSync(join(dir, path), 'utf8');
  }
  return files;
}

describe('writeAllOrNothing', () => {
  it('writes every file, making their folders, and keeps the mode of a file it replaces', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.sh'), 'old\n');
    chmodSync(join(dir, 'a.sh'), 0o755);
    await writeAllOrNothing([
      { path: join(dir, 'a.sh'), content: 'new a\n' },
      { path: join(dir, 'deep/er/b.txt'), content: 'b\n' },
    ]);
    expect(tree(dir)).toEqual({ 'a.sh': 'new a\n', 'deep/': '', 'deep/er/': '', 'deep/er/b.txt': 'b\n' });
    expect(statSync(join(dir, 'a.sh')).mode & 0o777).toBe(0o755);
  });

  it('when a target cannot be replaced, puts back the ones already written and leaves no temp file or new folder', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'first.txt'), 'first, old\n');
    // The third target is a folder with something in it: its rename fails after the first two succeeded.
    mkdirSync(join(dir, 'third'));
    writeFileSync(join(dir, 'third', 'keep.txt'), 'keep\n');
    const before = tree(dir);
    const attempt = writeAllOrNothing([
      { path: join(dir, 'first.txt'), content: 'first, new\n' },
      { path: join(dir, 'new/second.txt'), content: 'second\n' },
      { path: join(dir, 'third'), content: 'third\n' },
    ]);
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow(/cannot write .*third: .*nothing was written/);
    expect(tree(dir)).toEqual(before);
  });

  it('writes nothing when a folder cannot be made', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'old\n');
    writeFileSync(join(dir, 'blocker'), 'a file where a folder should be\n');
    const before = tree(dir);
    await expect(
      writeAllOrNothing([
        { path: join(dir, 'a.txt'), content: 'new\n' },
        { path: join(dir, 'blocker/b.txt'), content: 'b\n' },
      ]),
    ).rejects.toThrow();
    expect(tree(dir)).toEqual(before);
  });
});

describe('runbook writes its four files all or none', () => {
  it('leaves the previous runbook and rules as they were when the dashboard cannot be written', async () => {
    const dir = tempDir();
    copyFileSync(EXAMPLE, join(dir, 'shipshape.yaml'));
    await applyHandoff(await planHandoff({ cwd: dir, dryRun: false, force: false }), false);
    const written = tree(dir);
    // The spec changes (so every file would change), and the dashboard's path turns into a folder after the plan.
    writeFileSync(join(dir, 'shipshape.yaml'), readFileSync(EXAMPLE, 'utf8').replace('p95Ms: 1200\n', 'p95Ms: 1100\n'));
    const plan = await planHandoff({ cwd: dir, dryRun: false, force: false });
    expect(plan.files.filter((file) => file.changed).length).toBeGreaterThan(1);
    const dashboard = join(dir, 'monitoring/grafana-dashboard.json');
    const old = readFileSync(dashboard, 'utf8');
    rmSync(dashboard);
    mkdirSync(dashboard);
    writeFileSync(join(dashboard, 'x'), 'x');
    await expect(applyHandoff(plan, false)).rejects.toThrow(/grafana-dashboard\.json.*nothing was written/);
    for (const file of ['docs/runbook.md', 'monitoring/prometheus-rules.yaml', 'monitoring/prometheus-rules.test.yaml'])
      expect(readFileSync(join(dir, file), 'utf8'), file).toBe(written[file]);
    expect(old).toBe(written['monitoring/grafana-dashboard.json']);
    // No temp file or backup left beside them.
    expect(readdirSync(join(dir, 'docs'))).toEqual(['runbook.md']);
    expect(readdirSync(join(dir, 'monitoring')).sort()).toEqual([
      'grafana-dashboard.json',
      'prometheus-rules.test.yaml',
      'prometheus-rules.yaml',
    ]);
  });
});
