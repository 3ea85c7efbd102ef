import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ExternalError, InterruptedError } from '../../src/errors.js';
import type { TempWriter } from '../../src/scaffold/apply.js';
import { writeTempFile } from '../../src/scaffold/apply.js';
import type { ProjectManifest } from '../../src/scaffold/types.js';
import { exampleText, generate, MINI_1, MINI_2, NOW, packCopy, project, read, snapshot } from './helpers.js';
import { rejection } from '../helpers/errors.js';

vi.mock('../../src/scaffold/tasks.js', () => ({
  runTasks: vi.fn(async () => [{ name: 'install', command: 'npm install', status: 'ran', exitCode: 0 }]),
}));
const { runTasks } = await import('../../src/scaffold/tasks.js');

const actions = (result: { plan: { entries: { path: string; action: string }[] } }) =>
  Object.fromEntries(result.plan.entries.map((entry) => [entry.path, entry.action]));
const manifestOf = (dir: string) => JSON.parse(read(dir, '.shipshape/manifest.json')) as ProjectManifest;
const HEADER = '// Managed by shipshape (pack mini): `shipshape generate` rewrites this file. To take it over, delete this line.';

describe('runGenerate: a first generation', () => {
  it('creates every file, records them in the manifest with base copies of merged files, and a re-run changes nothing', async () => {
    const dir = project();
    const result = await generate(dir, { template: MINI_1 });
    expect(actions(result)).toEqual({
      '.editorconfig': 'create',
      'README.md': 'create',
      'assets/pixel.gif': 'create',
      'bin/start.sh': 'create',
      'config/service.yaml': 'create',
      'docs/notes.md': 'create',
      'slo.json': 'create',
      'src/index.ts': 'create',
      'src/support-triage.ts': 'create',
    });
    expect(result.written).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(result.files).toEqual(result.plan.entries.map((entry) => entry.path));
    expect(read(dir, 'src/support-triage.ts')).toBe(
      `${HEADER}\nexport const service = {\n  name: 'support-triage',\n  owner: 'support-ai-lead@example.com',\n  tier: 1,\n  p99Ms: 2500,\n};\n`,
    );
    expect(readFileSync(join(dir, 'assets/pixel.gif')).equals(readFileSync(join(MINI_1, 'files/assets/pixel.gif')))).toBe(true);
    expect(read(dir, '.shipshape/base/config/service.yaml')).toBe(read(dir, 'config/service.yaml'));

    const manifest = manifestOf(dir);
    expect(manifest).toMatchObject({
      version: 1,
      pack: { name: 'mini', version: '1.0.0', source: { kind: 'folder' } },
      generatedAt: NOW.toISOString(),
    });
    expect(Object.keys(manifest.files)).toEqual(Object.keys(actions(result)));
    expect(manifest.files['README.md']).toEqual({ ownership: 'seeded', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(manifest.files['config/service.yaml']?.ownership).toBe('merged');

    const before = snapshot(dir);
    // Again, without --template: the project's pack is found from the manifest.
    const again = await generate(dir);
    expect(new Set(Object.values(actions(again)))).toEqual(new Set(['unchanged']));
    expect(again.written).toBe(false);
    expect(snapshot(dir)).toEqual(before);
  });

  it('a dry run plans and diffs everything, and writes nothing', async () => {
    const dir = project();
    const before = snapshot(dir);
    const result = await generate(dir, { template: MINI_1, dryRun: true });
    expect(result.written).toBe(false);
    expect(result.plan.entries.every((entry) => entry.action === 'create')).toBe(true);
    expect(result.plan.entries.find((entry) => entry.path === 'src/index.ts')?.diff).toBe(
      `--- a/src/index.ts\n+++ b/src/index.ts\n@@ -0,0 +1,3 @@\n+${HEADER}\n+export { service } from './support-triage.js';\n+export const className = 'SupportTriageService';\n`,
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it('an edited managed file is a conflict (exit 1) and stays as edited; --force overwrites it', async () => {
    const dir = project();
    await generate(dir, { template: MINI_1 });
    const edited = `${read(dir, 'src/index.ts')}// mine\n`;
    writeFileSync(join(dir, 'src/index.ts'), edited);
    writeFileSync(join(dir, 'shipshape.yaml'), exampleText.replace('p99Ms: 2500', 'p99Ms: 2000'));

    const result = await generate(dir);
    expect(result.exitCode).toBe(1);
    const entry = result.plan.entries.find((e) => e.path === 'src/index.ts');
    expect(entry).toMatchObject({ action: 'conflict', reason: 'edited by hand since it was generated; --force overwrites it' });
    expect(read(dir, 'src/index.ts')).toBe(edited);
    // The rest is written all the same, and the manifest keeps the edited file's old entry.
    expect(read(dir, 'src/support-triage.ts')).toContain('p99Ms: 2000');
    const manifest = manifestOf(dir);
    expect(manifest.files['src/index.ts']?.sha256).not.toBe(undefined);

    const forced = await generate(dir, { force: true });
    expect(forced.exitCode).toBe(0);
    expect(forced.plan.entries.find((e) => e.path === 'src/index.ts')).toMatchObject({
      action: 'update',
      reason: 'edited by hand; overwritten (--force)',
    });
    expect(read(dir, 'src/index.ts')).toBe(
      `${HEADER}\nexport { service } from './support-triage.js';\nexport const className = 'SupportTriageService';\n`,
    );
  });

  it('files already there that shipshape did not write are conflicts, seeded ones skipped, until --force', async () => {
    const dir = project();
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/index.ts'), 'mine\n');
    writeFileSync(join(dir, 'README.md'), '# my readme\n');
    const result = await generate(dir, { template: MINI_1 });
    expect(result.exitCode).toBe(1);
    expect(result.plan.entries.find((e) => e.path === 'src/index.ts')).toMatchObject({
      action: 'conflict',
      reason: 'exists, and shipshape did not generate it; --force overwrites it',
    });
    expect(result.plan.entries.find((e) => e.path === 'README.md')).toMatchObject({
      action: 'skip',
      reason: 'seeded, and a file of yours is already there',
    });
    expect(read(dir, 'src/index.ts')).toBe('mine\n');
    expect(manifestOf(dir).files['src/index.ts']).toBe(undefined);
    expect(manifestOf(dir).files['README.md']).toBe(undefined);

    const forced = await generate(dir, { force: true });
    expect(actions(forced)['src/index.ts']).toBe('update');
    expect(actions(forced)['README.md']).toBe('skip');
    expect(read(dir, 'README.md')).toBe('# my readme\n');
  });

  it('a managed file whose header the user deleted is taken over: skipped from then on, recorded as seeded', async () => {
    const dir = project();
    await generate(dir, { template: MINI_1 });
    const mine = read(dir, 'src/index.ts').replace(`${HEADER}\n`, '') + 'export const mine = 1;\n';
    writeFileSync(join(dir, 'src/index.ts'), mine);
    const result = await generate(dir);
    expect(result.plan.entries.find((e) => e.path === 'src/index.ts')).toMatchObject({
      action: 'skip',
      reason: 'taken over: its shipshape header was removed, so it is yours now',
    });
    expect(manifestOf(dir).files['src/index.ts']).toMatchObject({ ownership: 'seeded', takenOver: true });
    writeFileSync(join(dir, 'src/index.ts'), `${HEADER}\n${mine}`);
    // Even with the header back and --force: it stays the user's.
    const again = await generate(dir, { force: true });
    expect(actions(again)['src/index.ts']).toBe('skip');
    expect(read(dir, 'src/index.ts')).toBe(`${HEADER}\n${mine}`);
  });
});

describe('runGenerate --upgrade', () => {
  async function generatedWith1(): Promise<string> {
    const dir = project();
    await generate(dir, { template: MINI_1 });
    return dir;
  }

  it('moves to 2.0.0: managed files updated, the seeded README skipped, a new file, an orphan kept, a user edit merged cleanly', async () => {
    const dir = await generatedWith1();
    writeFileSync(join(dir, 'config/service.yaml'), read(dir, 'config/service.yaml').replace('port: 8080', 'port: 9090'));
    writeFileSync(join(dir, 'README.md'), '# mine\n');

    const result = await generate(dir, { template: MINI_2, upgrade: true });
    expect(actions(result)).toEqual({
      '.editorconfig': 'unchanged',
      'README.md': 'skip',
      'assets/pixel.gif': 'unchanged',
      'bin/start.sh': 'unchanged',
      'config/service.yaml': 'merge',
      'slo.json': 'unchanged',
      'src/health.ts': 'create',
      'src/index.ts': 'unchanged',
      'src/support-triage.ts': 'update',
    });
    expect(result.plan.orphaned).toEqual(['docs/notes.md']);
    expect(result.exitCode).toBe(0);
    expect(read(dir, 'config/service.yaml')).toBe(
      "# How the service runs. Edit freely: generate merges your edits with the pack's.\nservice: support-triage\nowner: support-ai-lead@example.com\nport: 9090\ntimeoutMs: 2500\nretries: 2\nlogLevel: warn\nmetrics: true\n",
    );
    expect(read(dir, 'README.md')).toBe('# mine\n');
    expect(existsSync(join(dir, 'docs/notes.md'))).toBe(true);
    const manifest = manifestOf(dir);
    expect(manifest.pack.version).toBe('2.0.0');
    expect(manifest.files['docs/notes.md']).toBe(undefined);
    // The base of the next merge is the pack's render, not the merged file.
    expect(read(dir, '.shipshape/base/config/service.yaml')).toContain('port: 8080\n');
    expect(read(dir, '.shipshape/base/config/service.yaml')).toContain('metrics: true\n');
  });

  it('a conflicting edit of a merged file gets inline markers labelled yours / base / pack, and exit 1', async () => {
    const dir = await generatedWith1();
    writeFileSync(join(dir, 'config/service.yaml'), read(dir, 'config/service.yaml').replace('logLevel: info', 'logLevel: debug'));
    const result = await generate(dir, { template: MINI_2, upgrade: true });
    expect(result.exitCode).toBe(1);
    expect(result.plan.entries.find((e) => e.path === 'config/service.yaml')).toMatchObject({
      action: 'conflict',
      reason: '1 conflicting change, marked inline: resolve the <<<<<<< yours / >>>>>>> pack markers',
    });
    expect(read(dir, 'config/service.yaml')).toBe(
      [
        "# How the service runs. Edit freely: generate merges your edits with the pack's.",
        'service: support-triage',
        'owner: support-ai-lead@example.com',
        'port: 8080',
        'timeoutMs: 2500',
        'retries: 2',
        '<<<<<<< yours',
        'logLevel: debug',
        '||||||| base',
        'logLevel: info',
        '=======',
        'logLevel: warn',
        'metrics: true',
        '>>>>>>> pack mini@2.0.0',
        '',
      ].join('\n'),
    );
    // Everything else moved to 2.0.0.
    expect(manifestOf(dir).pack.version).toBe('2.0.0');
    expect(read(dir, 'src/health.ts')).toContain('export const health');

    // Until the markers are resolved, every run says so; once they are, the file is the user's merge.
    expect(actions(await generate(dir))['config/service.yaml']).toBe('conflict');
    const resolved = read(dir, 'config/service.yaml').replace(
      /<<<<<<< yours\n(.*\n)\|\|\|\|\|\|\| base\n.*\n=======\n.*\n(.*\n)>>>>>>> .*\n/,
      '$1$2',
    );
    expect(resolved).toContain('logLevel: debug\nmetrics: true\n');
    writeFileSync(join(dir, 'config/service.yaml'), resolved);
    const after = await generate(dir);
    expect(after.plan.entries.find((e) => e.path === 'config/service.yaml')).toMatchObject({
      action: 'unchanged',
      reason: 'your edits kept; nothing new from the pack',
    });
    expect(after.exitCode).toBe(0);
  });

  it('--conflict rej leaves the user file untouched and writes the pack version to <file>.rej', async () => {
    const dir = await generatedWith1();
    const mine = read(dir, 'config/service.yaml').replace('logLevel: info', 'logLevel: debug');
    writeFileSync(join(dir, 'config/service.yaml'), mine);
    const oldBase = read(dir, '.shipshape/base/config/service.yaml');
    const result = await generate(dir, { template: MINI_2, upgrade: true, conflict: 'rej' });
    expect(result.exitCode).toBe(1);
    expect(result.plan.entries.find((e) => e.path === 'config/service.yaml')).toMatchObject({
      action: 'conflict',
      reason: "1 conflicting change; your file is untouched and the pack's version is in config/service.yaml.rej",
    });
    expect(read(dir, 'config/service.yaml')).toBe(mine);
    expect(read(dir, 'config/service.yaml.rej')).toContain('logLevel: warn\nmetrics: true\n');
    expect(result.files).toContain('config/service.yaml.rej');
    // The base stays, so the next run proposes the pack's change again.
    expect(read(dir, '.shipshape/base/config/service.yaml')).toBe(oldBase);
  });

  it('without --upgrade, a newer version of the pack is refused with a hint to --upgrade; nothing is written', async () => {
    const dir = await generatedWith1();
    const before = snapshot(dir);
    const error = await rejection(generate(dir, { template: MINI_2 }));
    expect(error.message).toBe('the project was generated from mini 1.0.0, and the pack is now 2.0.0');
    expect(error.hint).toMatch(/^Run `shipshape generate --upgrade` to move it to 2\.0\.0/);
    expect(error.exitCode).toBe(2);
    expect(snapshot(dir)).toEqual(before);
  });

  it('a downgrade is refused, with --upgrade or without', async () => {
    const dir = project();
    await generate(dir, { template: MINI_2 });
    const before = snapshot(dir);
    for (const upgrade of [true, false]) {
      const error = await rejection(generate(dir, { template: MINI_1, upgrade }));
      expect(error.message).toBe('the pack mini 1.0.0 is older than 2.0.0, which generated the project: shipshape does not downgrade');
    }
    expect(snapshot(dir)).toEqual(before);
  });

  it('re-resolves the pack from the source the manifest records when --template is not given', async () => {
    const pack = packCopy(MINI_1);
    const dir = project();
    await generate(dir, { template: pack });
    rmSync(pack, { recursive: true });
    const { cpSync } = await import('node:fs');
    cpSync(MINI_2, pack, { recursive: true });
    const error = await rejection(generate(dir));
    expect(error.message).toBe('the project was generated from mini 1.0.0, and the pack is now 2.0.0');
    const result = await generate(dir, { upgrade: true });
    expect(manifestOf(dir).pack).toMatchObject({ name: 'mini', version: '2.0.0' });
    expect(actions(result)['src/health.ts']).toBe('create');

    rmSync(pack, { recursive: true });
    const gone = await rejection(generate(dir));
    expect(gone.message).toBe(`no pack folder at ${pack} (the pack .shipshape/manifest.json records: ${pack})`);
    expect(gone.hint).toBe('Pass --template to say where the pack mini is now.');
  });

  it('--upgrade with no manifest, and a pack of another name, are refused', async () => {
    const dir = project();
    expect((await rejection(generate(dir, { template: MINI_1, upgrade: true }))).message).toBe(
      'nothing to upgrade: the project has no .shipshape/manifest.json',
    );
    await generate(dir, { template: MINI_1 });
    const other = packCopy(MINI_2);
    writeFileSync(join(other, 'template.yaml'), read(other, 'template.yaml').replace('name: mini', 'name: other'));
    const error = await rejection(generate(dir, { template: other, upgrade: true }));
    expect(error.message).toBe('the project was generated from the pack mini 1.0.0, and other is another pack');
  });
});

describe('runGenerate: refusals', () => {
  it('an invalid spec is a UserError at file:line:col with exit code 2', async () => {
    const dir = project(exampleText.replace('  tier: 1 ', '  tier: 7 '));
    const error = await rejection(generate(dir, { template: MINI_1 }));
    expect(error.message).toMatch(/^shipshape\.yaml:11:9 metadata\.tier must be 1/);
    expect(error.exitCode).toBe(2);
  });

  it('a spec without the sections the pack requires: names them and `shipshape design`', async () => {
    const pack = packCopy(MINI_1);
    writeFileSync(
      join(pack, 'template.yaml'),
      read(pack, 'template.yaml').replace('requires: [metadata, slo]', 'requires: [metadata, resilience, scenarios]'),
    );
    const dir = project(exampleText.slice(0, exampleText.indexOf('\narchitecture:') + 1));
    const error = await rejection(generate(dir, { template: pack }));
    expect(error.message).toBe('the pack mini needs the spec sections resilience and scenarios, which shipshape.yaml does not have');
    expect(error.hint).toContain('shipshape design');
    expect(readdirSync(dir)).toEqual(['shipshape.yaml']);
  });

  it.each([
    ['..', '../escape/x.txt', 'leaves the project (..)'],
    ['an absolute path', '/tmp/escape.txt', 'is absolute'],
    ['.shipshape/', '.shipshape/manifest.json', 'is inside .shipshape/, which shipshape keeps for itself'],
  ])('a template path rendering to %s is refused, and nothing is written', async (_, problem, reason) => {
    const pack = packCopy(MINI_1);
    // The path comes from the spec, through a templated file name.
    writeFileSync(join(pack, 'files', '{{spec.business.problem}}'), 'x\n');
    const dir = project(exampleText.replace(/problem: .*/, `problem: ${JSON.stringify(problem)}`));
    const error = await rejection(generate(dir, { template: pack }));
    expect(error.message).toBe(`renders to the path ${JSON.stringify(problem)}, which ${reason}`);
    expect(error.file).toMatch(/files\/\{\{spec\.business\.problem\}\}$/);
    expect(readdirSync(dir)).toEqual(['shipshape.yaml']);
  });

  it('a failure part-way through writing changes no file and leaves no temp or folder behind', async () => {
    const dir = project();
    await generate(dir, { template: MINI_1 });
    writeFileSync(
      join(dir, 'shipshape.yaml'),
      exampleText.replace('p99Ms: 2500', 'p99Ms: 2000').replace('owner: support-ai-lead', 'owner: other'),
    );
    const before = snapshot(dir);
    let written = 0;
    const failing: TempWriter = async (path, content, mode) => {
      if (++written === 3) {
        // Half a file, then the disk fills up.
        writeFileSync(path, content.slice(0, 5));
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      }
      await writeTempFile(path, content, mode);
    };
    const error = await rejection(generate(dir, { template: MINI_2, upgrade: true, writeTemp: failing }));
    expect(error.message).toMatch(/^cannot write .*: the disk is full; nothing was changed$/);
    // Temps are written in batches that settle whole: the others of the batch were written, then removed.
    expect(written).toBeGreaterThanOrEqual(3);
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(join(dir, 'src/health.ts'))).toBe(false);
  });
});

describe('runGenerate: Ctrl-C', () => {
  it('a child process killed by the interrupt (git merge-file) becomes an InterruptedError, with nothing written', async () => {
    const dir = project();
    await generate(dir, { template: MINI_1 });
    writeFileSync(join(dir, 'config/service.yaml'), read(dir, 'config/service.yaml').replace('port: 8080', 'port: 9090'));
    const before = snapshot(dir);
    const controller = new AbortController();
    const error = await generate(dir, {
      template: MINI_2,
      upgrade: true,
      signal: controller.signal,
      merge: async () => {
        controller.abort();
        throw new ExternalError('git merge-file', 'killed by SIGINT');
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('runGenerate: tasks', () => {
  it('runs the tasks after writing, with --trust passed on; not on a dry run nor with tasks off; a failed task exits 1', async () => {
    const mocked = vi.mocked(runTasks);
    mocked.mockClear();
    const dir = project();
    await generate(dir, { template: MINI_1, dryRun: true, tasks: true });
    await generate(dir, { template: MINI_1, tasks: false });
    expect(mocked).not.toHaveBeenCalled();

    mocked.mockImplementationOnce(async (_pack, root) => {
      // The files are there when the tasks run.
      expect(existsSync(join(root, 'src/index.ts'))).toBe(true);
      return [{ name: 'install', command: 'npm install', status: 'ran', exitCode: 0 }];
    });
    const result = await generate(dir, { tasks: true, trust: true });
    expect(mocked).toHaveBeenCalledTimes(1);
    expect(mocked.mock.calls[0]![0].manifest.name).toBe('mini');
    expect(mocked.mock.calls[0]![1]).toBe(dir);
    expect(mocked.mock.calls[0]![2]).toMatchObject({ trust: true });
    expect(result.tasks).toEqual([{ name: 'install', command: 'npm install', status: 'ran', exitCode: 0 }]);
    expect(result.exitCode).toBe(0);

    mocked.mockResolvedValueOnce([
      { name: 'install', command: 'npm install', status: 'failed', reason: 'exited with code 1', exitCode: 1 },
    ]);
    expect((await generate(dir, { tasks: true })).exitCode).toBe(1);
  });
});
