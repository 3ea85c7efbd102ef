/**
 * npm in tests, with no network: packs are built into .tgz files (`npm pack`, or tar where npm pack
 * is not the subject), installed from
 * those paths or from a registry served on 127.0.0.1, and npm gets a private cache and config.
 */
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { onTestFinished, vi } from 'vitest';
import { tempDir } from './temp.js';

/** Port 9 (discard) on loopback: nothing listens, so a request fails at once instead of reaching out. */
export const NO_REGISTRY = 'http://127.0.0.1:9/';

/**
 * Environment for every npm a test runs, the tool's and the test's own: offline, an unreachable
 * registry, and a cache and user config of its own (not the developer's ~/.npm or ~/.npmrc).
 */
export function npmEnv(options: { registry?: string } = {}): Record<string, string> {
  const home = tempDir();
  return {
    npm_config_cache: join(home, 'npm-cache'),
    npm_config_userconfig: join(home, 'npmrc'),
    npm_config_registry: options.registry ?? NO_REGISTRY,
    // A served registry is on loopback; otherwise offline: npm uses only its cache and local files.
    npm_config_offline: options.registry ? 'false' : 'true',
    npm_config_prefer_online: 'false',
    npm_config_fetch_retries: '0',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_loglevel: 'warn',
  };
}

/** Sets `env` on process.env for the running test (the code under test reads it), restored after. */
export function useEnv(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  onTestFinished(() => {
    vi.unstubAllEnvs();
  });
}

export interface PackageOptions {
  name?: string;
  version?: string;
  /** template.yaml at the root (default), in a folder named by "shipshape-pack", or none. */
  template?: 'root' | { folder: string } | 'none';
  extra?: Record<string, unknown>;
}

/** A tiny pack package in a new folder. */
export function makePackage(options: PackageOptions = {}): string {
  const dir = tempDir();
  const name = options.name ?? '@acme/shipshape-pack-test';
  const version = options.version ?? '1.2.0';
  const template = options.template ?? 'root';
  const manifest = `name: test\nversion: ${version}\ndescription: A pack for tests.\n`;
  const packageJson: Record<string, unknown> = { name, version, description: 'A pack for tests', ...options.extra };
  if (template === 'root') writeFileSync(join(dir, 'template.yaml'), manifest);
  if (typeof template === 'object') {
    packageJson['shipshape-pack'] = template.folder;
    mkdirSync(join(dir, template.folder), { recursive: true });
    writeFileSync(join(dir, template.folder, 'template.yaml'), manifest);
    mkdirSync(join(dir, template.folder, 'files'), { recursive: true });
    writeFileSync(join(dir, template.folder, 'files', 'README.md.hbs'), '# {{name}}\n');
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  return dir;
}

/** `npm pack` of `dir` into a new folder; the .tgz's absolute path. */
export async function packTarball(dir: string, env: Record<string, string>): Promise<string> {
  const out = tempDir();
  const result = await execa('npm', ['pack', '--pack-destination', out, '--ignore-scripts', '--json'], { cwd: dir, env });
  const [packed] = JSON.parse(result.stdout) as { filename: string }[];
  if (!packed) throw new Error(`npm pack printed no file: ${result.stdout}`);
  return join(out, basename(packed.filename));
}

/**
 * The .tgz `npm pack` would make of `dir` (every file under a top folder `package/`, gzipped),
 * made by tar in a few milliseconds instead of npm's second: for tests whose subject is what
 * installs a tarball, not npm pack (generate's npm:<spec> test packs with npm itself).
 */
export async function tarTarball(dir: string): Promise<string> {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
  const staging = tempDir();
  cpSync(dir, join(staging, 'package'), { recursive: true });
  const file = join(tempDir(), `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`);
  await execa('tar', ['-czf', file, '-C', staging, 'package']);
  return file;
}

/** A folder holding an `npm` that records that it ran, then does `script` (default: fails). */
export function fakeNpm(script = 'echo "npm error code EFAKE" >&2\necho "npm error the fake npm ran" >&2\nexit 1'): {
  bin: string;
  ranFile: string;
} {
  const bin = tempDir();
  const ranFile = join(bin, 'npm-ran');
  const npm = join(bin, 'npm');
  writeFileSync(npm, `#!/bin/sh\necho "$@" >> '${ranFile}'\n${script}\n`);
  chmodSync(npm, 0o755);
  return { bin, ranFile };
}

/**
 * A registry on 127.0.0.1 serving the given tarballs (name and version read from each), like the
 * public one does: a packument per name, `latest` the highest version published.
 */
export async function serveRegistry(
  tarballs: { tgz: string; name: string; version: string }[],
): Promise<{ url: string; publish: (tgz: { tgz: string; name: string; version: string }) => void }> {
  const published = [...tarballs];
  const server = createServer((request, response) => {
    const url = decodeURIComponent(request.url ?? '/');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const file = published.find((t) => url === `/-/${basename(t.tgz)}`);
    if (file) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file.tgz));
      return;
    }
    const versions = published.filter((t) => url === `/${t.name}`);
    if (versions.length === 0) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      return;
    }
    const packument = {
      name: versions[0]!.name,
      'dist-tags': {
        latest: versions
          .map((t) => t.version)
          .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
          .at(-1),
      },
      versions: Object.fromEntries(
        versions.map((t) => {
          const data = readFileSync(t.tgz);
          const dist = {
            tarball: `${base}/-/${basename(t.tgz)}`,
            shasum: createHash('sha1').update(data).digest('hex'),
            integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
          };
          return [t.version, { name: t.name, version: t.version, dist }];
        }),
      ),
    };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  onTestFinished(
    () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, publish: (tgz) => published.push(tgz) };
}
