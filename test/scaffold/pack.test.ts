import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { listPackFiles, loadPack, ownershipMatcher, resolvePack, templateOf } from '../../src/scaffold/pack.js';
import { ROOT, tempDir } from '../helpers/temp.js';
import { MINI_1, packCopy } from './helpers.js';
import { rejection } from '../helpers/errors.js';

vi.mock('../../src/scaffold/npm.js', async () => {
  const { MINI_1: root } = await import('./helpers.js');
  return { installNpmPack: vi.fn(async () => ({ root, name: '@acme/mini-pack', version: '1.0.0' })) };
});
const { installNpmPack } = await import('../../src/scaffold/npm.js');

function packWith(manifest: string): string {
  const root = tempDir();
  writeFileSync(join(root, 'template.yaml'), manifest);
  mkdirSync(join(root, 'files'));
  return root;
}
const load = (root: string) => loadPack(root, { kind: 'folder', path: root }, false, { cwd: root });

describe('loadPack', () => {
  it('reads template.yaml with its defaults', async () => {
    const pack = await loadPack(MINI_1, { kind: 'folder', path: MINI_1 }, false);
    expect(pack).toEqual({
      root: MINI_1,
      source: { kind: 'folder', path: MINI_1 },
      trusted: false,
      manifest: {
        name: 'mini',
        version: '1.0.0',
        description: 'A small service skeleton for the tests of generate.',
        requires: ['metadata', 'slo'],
        ownership: { seeded: ['README.md'], merged: ['config/service.yaml'] },
        defaultOwnership: 'managed',
        when: [],
        tasks: [],
      },
    });
    const tasks = await load(packWith('name: t\nversion: 0.1.0\ndescription: d\ntasks:\n  - name: install\n    run: [npm, install]\n'));
    expect(tasks.manifest.tasks).toEqual([{ name: 'install', run: ['npm', 'install'] }]);
    const env = await load(packWith("name: t\nversion: 0.1.0\ndescription: d\nenv: { SHUTDOWN_LINGER_MS: '0', LOG_LEVEL: warn }\n"));
    expect(env.manifest.env).toEqual({ SHUTDOWN_LINGER_MS: '0', LOG_LEVEL: 'warn' });
  });

  it.each([
    [
      'name: Mini Pack\nversion: 1.0.0\ndescription: d\n',
      'template.yaml:1:7 name must be lower-case letters, digits and dashes, e.g. service-ts',
    ],
    ['name: mini\nversion: "1.0"\ndescription: d\n', 'template.yaml:2:10 version must be a version x.y.z, e.g. 1.0.0'],
    ['name: mini\nversion: 1.0.0\n', 'template.yaml:1:1 description is required'],
    [
      'name: mini\nversion: 1.0.0\ndescription: d\nrequires: [metadata, resilence]\n',
      'template.yaml:4:22 requires[1] must be a spec section',
    ],
    ['name: mini\nversion: 1.0.0\ndescription: d\nownrship: {}\n', 'template.yaml:4:1 unknown key "ownrship"; did you mean "ownership"?'],
    [
      'name: mini\nversion: 1.0.0\ndescription: d\nownership:\n  merged: [../x]\n',
      'template.yaml:5:12 ownership.merged[0] must be relative to the project',
    ],
    [
      'name: mini\nversion: 1.0.0\ndescription: d\ndefaultOwnership: mine\n',
      'template.yaml:4:19 defaultOwnership must be one of managed, seeded, merged',
    ],
    [
      'name: mini\nversion: 1.0.0\ndescription: d\ntasks:\n  - name: x\n    run: []\n',
      'template.yaml:6:10 tasks[0].run must name a command',
    ],
    ['name: mini\nversion: 1.0.0\ndescription: d\nname: again\n', 'template.yaml:4:1 duplicate key "name"'],
    [
      'name: mini\nversion: 1.0.0\ndescription: d\nwhen:\n  - files: [src/rag/**]\n    spec: {}\n',
      'template.yaml:6:11 when[0].spec must name at least one spec field',
    ],
    [
      'name: mini\nversion: 1.0.0\ndescription: d\nwhen:\n  - files: []\n    spec: { task.kind: rag }\n',
      'template.yaml:5:12 when[0].files must name at least one glob',
    ],
    [
      'name: mini\nversion: 1.0.0\ndescription: d\nwhen:\n  - files: [x]\n    spec: { task.kind: { is: rag } }\n',
      'template.yaml:6:24 when[0].spec.task.kind',
    ],
    [
      'name: mini\nversion: 1.0.0\ndescription: d\nrequests: ../outside.json\n',
      'template.yaml:4:11 requests must be relative to the project',
    ],
    [
      'name: mini\nversion: 1.0.0\ndescription: d\nenv: { SHUTDOWN_LINGER_MS: 0 }\n',
      "template.yaml:4:28 env.SHUTDOWN_LINGER_MS must be a text (quote a number: '0')",
    ],
    ['name: mini\nversion: 1.0.0\ndescription: d\nenv: { 1X: a }\n', 'template.yaml:4:12 env.1X is not an environment variable name'],
    ['name: mini\nversion: 1.0.0\ndescription: d\nenv: [A=1]\n', 'template.yaml:4:6 env must map variable names to texts'],
  ])('a bad manifest is a UserError at file:line:col (%#)', async (manifest, expected) => {
    const error = await rejection(load(packWith(manifest)));
    expect(error.located.startsWith(expected)).toBe(true);
    expect(error.exitCode).toBe(2);
  });

  it('a folder without template.yaml, or without files/, is not a pack', async () => {
    const empty = tempDir();
    expect((await rejection(load(empty))).message).toMatch(/is not a template pack: it has no template\.yaml$/);
    const noFiles = tempDir();
    writeFileSync(join(noFiles, 'template.yaml'), 'name: mini\nversion: 1.0.0\ndescription: d\n');
    expect((await rejection(load(noFiles))).located).toBe('template.yaml the pack mini has no files/ folder');
  });
});

describe('resolvePack', () => {
  const cwd = join(ROOT, 'test', 'fixtures');

  it('./path, ../path and absolute paths are folder packs, untrusted', async () => {
    for (const template of ['./packs/mini-1.0.0', '../fixtures/packs/mini-1.0.0', MINI_1]) {
      const pack = await resolvePack(template, { cwd });
      expect(pack.source).toEqual({ kind: 'folder', path: MINI_1 });
      expect(pack.trusted).toBe(false);
    }
    expect((await rejection(resolvePack('./packs/nope', { cwd }))).message).toBe('no pack folder at ./packs/nope');
  });

  it('npm:<spec> installs through installNpmPack into the cache, untrusted', async () => {
    const pack = await resolvePack('npm:@acme/mini-pack@1.0.0', { cwd, cacheDir: '/cache' });
    expect(vi.mocked(installNpmPack)).toHaveBeenCalledWith('@acme/mini-pack@1.0.0', { cwd, cacheDir: '/cache' });
    expect(pack.source).toEqual({ kind: 'npm', spec: '@acme/mini-pack@1.0.0' });
    expect(pack.trusted).toBe(false);
    expect(pack.manifest.name).toBe('mini');
    expect((await rejection(resolvePack('npm:', { cwd }))).message).toBe('--template npm: names no package');
  });

  it('a bare name is a bundled pack; one that does not exist lists the bundled packs and suggests --template ./path', async () => {
    const error = await rejection(resolvePack('no-such-pack', { cwd }));
    expect(error.message).toMatch(
      /^no bundled pack named no-such-pack: (this shipshape bundles no packs yet|the bundled packs are [a-z0-9, -]+)$/,
    );
    expect(error.hint).toContain('--template ./path/to/pack');
    expect(error.exitCode).toBe(2);
  });

  it('no --template is the bundled default, service-ts', async () => {
    if (existsSync(join(ROOT, 'templates', 'service-ts', 'template.yaml'))) {
      const pack = await resolvePack(undefined, { cwd });
      expect(pack).toMatchObject({ source: { kind: 'bundled', name: 'service-ts' }, trusted: true });
    } else {
      expect((await rejection(resolvePack(undefined, { cwd }))).message).toMatch(/^no bundled pack named service-ts: /);
    }
  });

  it('a name that is neither a pack name nor a path is refused', async () => {
    expect((await rejection(resolvePack('packs/mini', { cwd }))).message).toBe(
      '--template packs/mini is neither a bundled pack name nor a path',
    );
  });

  it('templateOf finds the pack again from a recorded source', () => {
    expect(templateOf({ kind: 'bundled', name: 'service-ts' }, '/p')).toBe('service-ts');
    expect(templateOf({ kind: 'npm', spec: '@acme/x@1.2.0' }, '/p')).toBe('npm:@acme/x@1.2.0');
    expect(templateOf({ kind: 'folder', path: '../packs/x' }, '/work/p')).toBe('/work/packs/x');
  });
});

describe('pack files and ownership', () => {
  it('lists every file with dotfiles, marks templates, keeps only the executable bit', async () => {
    const files = await listPackFiles(MINI_1);
    expect(files.map((file) => [file.path, file.template, file.mode.toString(8)])).toEqual([
      ['.editorconfig', false, '644'],
      ['README.md.hbs', true, '644'],
      ['assets/pixel.gif', false, '644'],
      ['bin/start.sh.hbs', true, '755'],
      ['config/service.yaml.hbs', true, '644'],
      ['docs/notes.md.hbs', true, '644'],
      ['slo.json.hbs', true, '644'],
      ['src/index.ts.hbs', true, '644'],
      ['src/{{kebab spec.metadata.name}}.ts.hbs', true, '644'],
    ]);
  });

  it('refuses a symbolic link in a pack (it could copy any file of the machine into the project)', async () => {
    const root = packCopy();
    symlinkSync('/etc/hostname', join(root, 'files', 'hostname'));
    expect((await rejection(listPackFiles(root))).message).toBe('files/hostname in the pack is a symbolic link');
  });

  it('a path two ownerships claim is an error; one no glob names takes defaultOwnership', async () => {
    const root = packWith(
      'name: t\nversion: 1.0.0\ndescription: d\nownership:\n  managed: ["src/**"]\n  seeded: ["src/custom.ts"]\ndefaultOwnership: merged\n',
    );
    const owner = ownershipMatcher(await load(root));
    expect(owner('src/a.ts')).toBe('managed');
    expect(owner('.env')).toBe('merged');
    expect(() => owner('src/custom.ts')).toThrow('the pack t gives src/custom.ts two ownerships (managed: src/**, seeded: src/custom.ts)');
  });
});
