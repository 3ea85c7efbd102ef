import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError, UserError } from '../../src/errors.js';
import { defaultCacheDir, installNpmPack } from '../../src/scaffold/npm.js';
import { fakeNpm, makePackage, npmEnv, tarTarball, serveRegistry, useEnv, type PackageOptions } from '../helpers/npm.js';
import { tempDir } from '../helpers/temp.js';

const NAME = '@acme/shipshape-pack-test';
const NPM_TIMEOUT = 30_000;

/** The packs the tests install, built once for the file, by tar (npm pack takes a second of CPU each). */
const VARIANTS = {
  v120: {},
  v121: { version: '1.2.1' },
  v130: { version: '1.3.0' },
  packFolder: { template: { folder: 'pack/' } },
  noTemplate: { template: 'none' },
  emptyPackFolder: { template: 'none', extra: { 'shipshape-pack': 'pack/' } },
  outside: { extra: { 'shipshape-pack': '../..' } },
} satisfies Record<string, PackageOptions>;
const tarballs = {} as Record<keyof typeof VARIANTS, string>;

beforeAll(async () => {
  await Promise.all(
    Object.entries(VARIANTS).map(async ([variant, options]) => {
      tarballs[variant as keyof typeof VARIANTS] = await tarTarball(makePackage(options));
    }),
  );
}, 60_000);

/** Offline npm for this test; the .tgz of a tiny pack. */
function tarball(variant: keyof typeof VARIANTS = 'v120'): string {
  useEnv(npmEnv());
  return tarballs[variant];
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** PATH with the fake npm's folder first. */
function withFakeNpm(bin: string): void {
  useEnv({ PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}` });
}

describe('installNpmPack from a tarball', () => {
  it(
    'installs into the cache and returns the folder holding template.yaml, with the exact name and version',
    async () => {
      const tgz = tarball();
      const cacheDir = tempDir();

      const pack = await installNpmPack(tgz, { cwd: tempDir(), cacheDir });

      expect(pack).toEqual({
        root: join(cacheDir, `@acme+shipshape-pack-test@1.2.0`, 'node_modules', '@acme', 'shipshape-pack-test'),
        name: NAME,
        version: '1.2.0',
      });
      expect(readFileSync(join(pack.root, 'template.yaml'), 'utf8')).toContain('name: test');
      // Nothing half-done is left beside it.
      expect(readdirSync(cacheDir).filter((entry) => entry.startsWith('.tmp-'))).toEqual([]);
    },
    NPM_TIMEOUT,
  );

  it(
    'installs nothing the second time: a cache hit runs no npm',
    async () => {
      const tgz = tarball();
      const other = tarball('v121');
      const cacheDir = tempDir();
      const first = await installNpmPack(tgz, { cwd: tempDir(), cacheDir });
      const marker = join(cacheDir, '@acme+shipshape-pack-test@1.2.0', '.shipshape-pack.json');
      const writtenAt = statSync(marker).mtimeMs;

      // Given an npm on PATH that fails and leaves a trace if anything runs it
      const fake = fakeNpm();
      withFakeNpm(fake.bin);
      const second = await installNpmPack(tgz, { cwd: tempDir(), cacheDir });

      expect(second).toEqual(first);
      expect(existsSync(fake.ranFile)).toBe(false);
      expect(statSync(marker).mtimeMs).toBe(writtenAt);
      // The trap works: a spec not in the cache does reach the fake npm.
      const error = await failure(installNpmPack(other, { cwd: tempDir(), cacheDir }));
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toContain('the fake npm ran');
      expect(existsSync(fake.ranFile)).toBe(true);
    },
    NPM_TIMEOUT,
  );

  it(
    'passes npm the flags that keep the install private, with the tarball as an absolute path',
    async () => {
      const fake = fakeNpm();
      useEnv(npmEnv());
      withFakeNpm(fake.bin);
      const project = tempDir();
      writeFileSync(join(project, 'pack.tgz'), 'not really');

      await failure(installNpmPack('./pack.tgz', { cwd: project, cacheDir: tempDir() }));

      const args = readFileSync(fake.ranFile, 'utf8').trim().split(' ');
      expect(args.slice(0, 2)).toEqual(['install', join(project, 'pack.tgz')]);
      expect(args).toEqual(
        expect.arrayContaining(['--prefix', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock']),
      );
    },
    NPM_TIMEOUT,
  );

  it(
    'keeps two versions side by side, each in a folder named by its version',
    async () => {
      const older = tarball('v120');
      const newer = tarball('v130');
      const cacheDir = tempDir();

      const a = await installNpmPack(older, { cwd: tempDir(), cacheDir });
      const b = await installNpmPack(newer, { cwd: tempDir(), cacheDir });

      expect([a.version, b.version]).toEqual(['1.2.0', '1.3.0']);
      expect(
        readdirSync(cacheDir)
          .filter((entry) => entry.startsWith('@acme'))
          .sort(),
      ).toEqual(['@acme+shipshape-pack-test@1.2.0', '@acme+shipshape-pack-test@1.3.0']);
      expect(JSON.parse(readFileSync(join(a.root, 'package.json'), 'utf8'))).toMatchObject({ version: '1.2.0' });
      expect(JSON.parse(readFileSync(join(b.root, 'package.json'), 'utf8'))).toMatchObject({ version: '1.3.0' });
      expect(readFileSync(join(a.root, 'template.yaml'), 'utf8')).toContain('version: 1.2.0');
      // The older one is still a cache hit.
      const fake = fakeNpm();
      withFakeNpm(fake.bin);
      expect(await installNpmPack(older, { cwd: tempDir(), cacheDir })).toEqual(a);
      expect(existsSync(fake.ranFile)).toBe(false);
    },
    NPM_TIMEOUT,
  );

  it(
    'finds template.yaml in the folder that "shipshape-pack" names',
    async () => {
      const tgz = tarball('packFolder');
      const cacheDir = tempDir();

      const pack = await installNpmPack(tgz, { cwd: tempDir(), cacheDir });

      expect(basename(pack.root)).toBe('pack');
      expect(existsSync(join(pack.root, 'template.yaml'))).toBe(true);
      expect(existsSync(join(pack.root, 'files', 'README.md.hbs'))).toBe(true);
      expect(existsSync(join(dirname(pack.root), 'template.yaml'))).toBe(false);
    },
    NPM_TIMEOUT,
  );

  it(
    'resolves a relative tarball path against options.cwd',
    async () => {
      const tgz = tarball();
      const project = tempDir();
      const spec = relative(project, tgz);
      expect(spec.startsWith('../')).toBe(true);

      const pack = await installNpmPack(spec, { cwd: project, cacheDir: tempDir() });

      expect(pack.version).toBe('1.2.0');
    },
    NPM_TIMEOUT,
  );

  it(
    'installs again when the tarball is rebuilt with other content under the same version',
    async () => {
      const env = npmEnv();
      useEnv(env);
      const source = makePackage();
      const tgz = await tarTarball(source);
      const cacheDir = tempDir();
      const first = await installNpmPack(tgz, { cwd: tempDir(), cacheDir });

      writeFileSync(join(source, 'template.yaml'), 'name: rebuilt\n');
      const rebuilt = await tarTarball(source);
      const second = await installNpmPack(rebuilt, { cwd: tempDir(), cacheDir });

      expect(second.root).toBe(first.root);
      expect(readFileSync(join(second.root, 'template.yaml'), 'utf8')).toBe('name: rebuilt\n');
    },
    NPM_TIMEOUT,
  );
});

describe('installNpmPack refusals', () => {
  it(
    'refuses a package without template.yaml, naming it, and caches nothing',
    async () => {
      const tgz = tarball('noTemplate');
      const cacheDir = tempDir();

      const error = await failure(installNpmPack(tgz, { cwd: tempDir(), cacheDir }));

      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toBe(
        `${NAME}@1.2.0 is not a shipshape pack: it has no template.yaml at its root and no "shipshape-pack" field`,
      );
      expect((error as UserError).hint).toContain('"shipshape-pack"');
      expect(readdirSync(cacheDir)).toEqual([]);
    },
    NPM_TIMEOUT,
  );

  it(
    'refuses a "shipshape-pack" folder that holds no template.yaml',
    async () => {
      const tgz = tarball('emptyPackFolder');

      const error = await failure(installNpmPack(tgz, { cwd: tempDir(), cacheDir: tempDir() }));

      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toBe(
        `${NAME}@1.2.0 is not a shipshape pack: its "shipshape-pack" folder pack/ holds no template.yaml`,
      );
    },
    NPM_TIMEOUT,
  );

  it(
    'refuses a "shipshape-pack" that points outside the package',
    async () => {
      const tgz = tarball('outside');

      const error = await failure(installNpmPack(tgz, { cwd: tempDir(), cacheDir: tempDir() }));

      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toContain('points outside the package');
    },
    NPM_TIMEOUT,
  );

  it(
    'turns a tarball path that does not exist into a UserError with what npm said',
    async () => {
      useEnv(npmEnv());
      const project = tempDir();
      const missing = join(project, 'nope.tgz');

      const error = await failure(installNpmPack('./nope.tgz', { cwd: project, cacheDir: tempDir() }));

      expect(error).toBeInstanceOf(UserError);
      const { message, hint } = error as UserError;
      expect(message).toMatch(new RegExp(`^npm could not install ${missing}: ENOENT: no such file or directory`));
      expect(message).not.toMatch(/A complete log|\n\s+at |\n\s*enoent\s*$/);
      expect(message.split('\n').length).toBeLessThanOrEqual(3);
      expect(hint).toContain('Check the spec');
    },
    NPM_TIMEOUT,
  );

  it(
    'turns a corrupt tarball into a UserError with what npm said',
    async () => {
      useEnv(npmEnv());
      const project = tempDir();
      writeFileSync(join(project, 'broken.tgz'), 'this is not a tarball');

      const error = await failure(installNpmPack('broken.tgz', { cwd: project, cacheDir: tempDir() }));

      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toContain('TAR_BAD_ARCHIVE: Unrecognized archive format');
    },
    NPM_TIMEOUT,
  );

  it(
    'offline, a package npm has never fetched is a UserError that points at the network',
    async () => {
      useEnv(npmEnv());

      const error = await failure(installNpmPack(`${NAME}-never-published@1.0.0`, { cwd: tempDir(), cacheDir: tempDir() }));

      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(
        /^npm could not install @acme\/shipshape-pack-test-never-published@1.0.0: .*no cached response/,
      );
      expect((error as UserError).hint).toMatch(/^Check the network/);
    },
    NPM_TIMEOUT,
  );

  it('says so when npm is not on PATH', async () => {
    useEnv({ PATH: tempDir() });

    const error = await failure(installNpmPack(`${NAME}@1.2.0`, { cwd: tempDir(), cacheDir: tempDir() }));

    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('npm is not installed, or not on PATH: npm: packs are installed with it');
  });

  it('leaves no folder that looks complete when npm dies halfway', async () => {
    // Given an npm that writes part of the package into --prefix, then is killed
    const fake = fakeNpm(
      [
        'prefix="$4"',
        `mkdir -p "$prefix/node_modules/@acme/shipshape-pack-test"`,
        `echo '{"name":"${NAME}","version":"1.2.0"}' > "$prefix/node_modules/@acme/shipshape-pack-test/package.json"`,
        'kill -9 $$',
      ].join('\n'),
    );
    withFakeNpm(fake.bin);
    const cacheDir = tempDir();

    const error = await failure(installNpmPack(`${NAME}@1.2.0`, { cwd: tempDir(), cacheDir }));

    expect(error).toBeInstanceOf(UserError);
    expect(existsSync(fake.ranFile)).toBe(true);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it(
    'sweeps away the temp folder of an install killed long ago',
    async () => {
      const tgz = tarball();
      const cacheDir = tempDir();
      const stale = join(cacheDir, '.tmp-killed');
      const recent = join(cacheDir, '.tmp-running');
      mkdirSync(stale);
      mkdirSync(recent);
      utimesSync(stale, new Date(Date.now() - 2 * 86_400_000), new Date(Date.now() - 2 * 86_400_000));

      await installNpmPack(tgz, { cwd: tempDir(), cacheDir });

      expect(existsSync(stale)).toBe(false);
      // Another process may still be installing into a recent one.
      expect(existsSync(recent)).toBe(true);
    },
    NPM_TIMEOUT,
  );

  it('turns Ctrl-C during the install into InterruptedError, after npm got it', async () => {
    const fake = fakeNpm(`trap 'echo interrupted > "$(dirname "$0")/npm-got-sigint"; exit 130' INT\nwhile true; do sleep 0.05; done`);
    withFakeNpm(fake.bin);
    const cacheDir = tempDir();

    const install = failure(installNpmPack(`${NAME}@1.2.0`, { cwd: tempDir(), cacheDir }));
    while (!existsSync(fake.ranFile)) await new Promise((done) => setTimeout(done, 20));
    process.kill(process.pid, 'SIGINT');

    expect(await install).toBeInstanceOf(InterruptedError);
    expect(existsSync(join(fake.bin, 'npm-got-sigint'))).toBe(true);
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});

describe('installNpmPack from a registry (served on 127.0.0.1)', () => {
  it(
    'resolves a range once to an exact version, and keeps to it',
    async () => {
      const v120 = tarball('v120');
      const v130 = tarball('v130');
      const registry = await serveRegistry([{ tgz: v120, name: NAME, version: '1.2.0' }]);
      useEnv(npmEnv({ registry: registry.url }));
      const cacheDir = tempDir();

      const first = await installNpmPack(`${NAME}@^1`, { cwd: tempDir(), cacheDir });
      expect(first).toMatchObject({ name: NAME, version: '1.2.0' });
      expect(first.root).toBe(join(cacheDir, '@acme+shipshape-pack-test@1.2.0', 'node_modules', '@acme', 'shipshape-pack-test'));

      // 1.3.0 comes out; the same spec still names the version it resolved to, and runs no npm.
      registry.publish({ tgz: v130, name: NAME, version: '1.3.0' });
      const fake = fakeNpm();
      withFakeNpm(fake.bin);
      expect(await installNpmPack(`${NAME}@^1`, { cwd: tempDir(), cacheDir })).toEqual(first);
      // So does the exact version it resolved to, though that spec was never installed by name.
      expect(await installNpmPack(`${NAME}@1.2.0`, { cwd: tempDir(), cacheDir })).toEqual(first);
      expect(existsSync(fake.ranFile)).toBe(false);
    },
    NPM_TIMEOUT,
  );

  it(
    'installs the newest version for a new spec, beside the older one',
    async () => {
      const v120 = tarball('v120');
      const v130 = tarball('v130');
      const registry = await serveRegistry([
        { tgz: v120, name: NAME, version: '1.2.0' },
        { tgz: v130, name: NAME, version: '1.3.0' },
      ]);
      useEnv(npmEnv({ registry: registry.url }));
      const cacheDir = tempDir();

      const exact = await installNpmPack(`${NAME}@1.2.0`, { cwd: tempDir(), cacheDir });
      const latest = await installNpmPack(NAME, { cwd: tempDir(), cacheDir });

      expect([exact.version, latest.version]).toEqual(['1.2.0', '1.3.0']);
      expect(existsSync(join(exact.root, 'template.yaml'))).toBe(true);
      expect(existsSync(join(latest.root, 'template.yaml'))).toBe(true);
    },
    NPM_TIMEOUT,
  );

  it(
    'reports an unknown package in npm words, hinting at the spec',
    async () => {
      const registry = await serveRegistry([]);
      useEnv(npmEnv({ registry: registry.url }));

      const error = await failure(installNpmPack('@acme/no-such-pack@1.0.0', { cwd: tempDir(), cacheDir: tempDir() }));

      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(/^npm could not install @acme\/no-such-pack@1.0.0: 404 Not Found/);
      expect((error as UserError).hint).toMatch(/^Check the spec/);
    },
    NPM_TIMEOUT,
  );
});

describe('defaultCacheDir', () => {
  it('prefers SHIPSHAPE_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    useEnv({ SHIPSHAPE_CACHE_DIR: '/var/cache/packs', XDG_CACHE_HOME: '/xdg' });
    expect(defaultCacheDir()).toBe('/var/cache/packs');
    useEnv({ SHIPSHAPE_CACHE_DIR: '' });
    expect(defaultCacheDir()).toBe('/xdg/shipshape/packs');
    // The XDG spec: a relative path is invalid and ignored.
    useEnv({ XDG_CACHE_HOME: 'relative' });
    expect(defaultCacheDir()).toBe(join(homedir(), '.cache', 'shipshape', 'packs'));
    useEnv({ XDG_CACHE_HOME: '' });
    expect(defaultCacheDir()).toBe(join(homedir(), '.cache', 'shipshape', 'packs'));
  });
});
