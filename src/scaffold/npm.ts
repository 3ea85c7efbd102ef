/**
 * Packs published to npm (`npm:<spec>`): installed with the user's own npm into a cache, one
 * folder per exact name@version, so generate renders from a folder on disk like any other pack.
 *
 * Layout of the cache:
 *   <name, / as +>@<version>/                     npm's --prefix: node_modules/<name>/, its dependencies
 *   <name, / as +>@<version>/.shipshape-pack.json  the marker, written last: the folder is complete
 *   specs/<sha256 of the key>.json                which folder a spec (or a tarball's content) went to
 *   .tmp-*                                        installs in progress, renamed into place when done
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
// eslint-disable-next-line no-restricted-imports -- npm's install folder is staged in a temp folder and swapped in whole; the cache index goes through writeFileAtomic
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { InterruptedError, UserError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { LARGE_FILE_MAX_BYTES, readFileBounded, readTextBounded } from '../fs/read.js';

export interface InstalledPack {
  /** The folder holding the pack's template.yaml. */
  root: string;
  /** The npm package's name, from its package.json. */
  name: string;
  /** The exact version installed. */
  version: string;
}

const MARKER = '.shipshape-pack.json';
const TEMP_PREFIX = '.tmp-';
/** Temp folders older than this are left over from a killed install. */
const STALE_MS = 24 * 60 * 60 * 1000;
const PACK_FIELD = 'shipshape-pack';
const TEMPLATE = 'template.yaml';

/** `$SHIPSHAPE_CACHE_DIR`, else `$XDG_CACHE_HOME/shipshape/packs`, else `~/.cache/shipshape/packs`. */
export function defaultCacheDir(): string {
  const own = process.env['SHIPSHAPE_CACHE_DIR'];
  if (own) return resolve(own);
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = process.env['XDG_CACHE_HOME'];
  if (xdg && isAbsolute(xdg)) return join(xdg, 'shipshape', 'packs');
  return join(homedir(), '.cache', 'shipshape', 'packs');
}

/** What a spec names, as npm would read it (npm-package-arg's rules, simplified). */
type Target =
  /** From a registry: `name`, `name@version`, `name@range`, `name@tag`, `alias@npm:name@x`. */
  | { kind: 'registry'; spec: string; folder: string; range: string | undefined }
  /** A tarball (`npm pack` output) or a package folder on disk, absolute. */
  | { kind: 'file' | 'directory'; spec: string; path: string }
  /** A git repository, a URL, a GitHub shorthand: npm knows. */
  | { kind: 'other'; spec: string };

const LOCAL = /^(?:\.|~[/\\]|[/\\]|[a-zA-Z]:)/;
const TARBALL = /\.(?:tgz|tar\.gz|tar)$/i;
const PROTOCOL = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const REGISTRY = /^((?:@[^/@\s]+\/)?[^/@\s]+)(?:@(.*))?$/;

function classify(spec: string, cwd: string): Target {
  const local = (path: string): Target => {
    const absolute = resolve(cwd, path.startsWith('~/') || path.startsWith('~\\') ? join(homedir(), path.slice(2)) : path);
    const isDirectory = existsSync(absolute) && statSync(absolute).isDirectory();
    return { kind: isDirectory ? 'directory' : 'file', spec: absolute, path: absolute };
  };
  if (/^file:/i.test(spec)) return local(spec.startsWith('file://') ? fileURLToPath(spec) : spec.slice('file:'.length));
  if (LOCAL.test(spec)) return local(spec);
  if (PROTOCOL.test(spec)) return { kind: 'other', spec };
  if (TARBALL.test(spec)) return local(spec);
  const registry = REGISTRY.exec(spec);
  if (registry?.[1]) return { kind: 'registry', spec, folder: registry[1], range: registry[2] };
  return { kind: 'other', spec };
}

/**
 * What identifies an install in the cache. A registry or git spec is pinned by its text: a range
 * resolves once, on the first install, and stays. A tarball is known by its content, so a rebuilt
 * one installs again. A folder changes under us, so it has no key and always installs.
 */
async function cacheKey(target: Target): Promise<string | undefined> {
  if (target.kind === 'directory') return undefined;
  if (target.kind !== 'file') return `spec:${target.spec}`;
  try {
    return `tarball:sha256:${createHash('sha256')
      .update(await readFileBounded(target.path, { maxBytes: LARGE_FILE_MAX_BYTES, what: 'package tarball' }))
      .digest('hex')}`;
  } catch {
    // No such file: npm says so, in its words.
    return undefined;
  }
}

interface Marker {
  name: string;
  version: string;
  /** The pack's root, relative to the cache folder, forward slashes. */
  root: string;
  /** Changes each time the folder is replaced, so index entries to older content stop matching. */
  installId: string;
  spec: string;
  installedAt: string;
}

interface IndexEntry {
  key: string;
  folder: string;
  installId: string;
}

const indexFile = (cacheDir: string, key: string) => join(cacheDir, 'specs', `${createHash('sha256').update(key).digest('hex')}.json`);

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const data: unknown = JSON.parse(await readTextBounded(file));
    return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readMarker(folder: string): Promise<Marker | undefined> {
  const data = await readJson(join(folder, MARKER));
  if (!data) return undefined;
  const { name, version, root, installId, spec, installedAt } = data;
  if (typeof name !== 'string' || typeof version !== 'string' || typeof root !== 'string' || typeof installId !== 'string')
    return undefined;
  return { name, version, root, installId, spec: String(spec), installedAt: String(installedAt) };
}

function installed(folder: string, marker: Marker): InstalledPack | undefined {
  const root = join(folder, ...marker.root.split('/'));
  return existsSync(join(root, TEMPLATE)) ? { root, name: marker.name, version: marker.version } : undefined;
}

async function lookup(cacheDir: string, key: string): Promise<InstalledPack | undefined> {
  const entry = await readJson(indexFile(cacheDir, key));
  if (!entry || entry['key'] !== key || typeof entry['folder'] !== 'string') return undefined;
  const folder = join(cacheDir, entry['folder']);
  const marker = await readMarker(folder);
  if (!marker || marker.installId !== entry['installId']) return undefined;
  return installed(folder, marker);
}

const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** `name@1.2.0` needs no index: its folder is named after it, whichever spec installed it first. */
async function exactVersionHit(cacheDir: string, target: Target): Promise<InstalledPack | undefined> {
  if (target.kind !== 'registry' || !target.range || !EXACT_VERSION.test(target.range)) return undefined;
  const folder = join(cacheDir, folderName(target.folder, target.range));
  const marker = await readMarker(folder);
  if (!marker || marker.name !== target.folder || marker.version !== target.range) return undefined;
  return installed(folder, marker);
}

/** Best effort: temp folders of installs that were killed before they could clean up. */
async function sweepStale(cacheDir: string): Promise<void> {
  const entries = await readdir(cacheDir).catch(() => []);
  await Promise.all(
    entries
      .filter((entry) => entry.startsWith(TEMP_PREFIX))
      .map(async (entry) => {
        const path = join(cacheDir, entry);
        const info = await stat(path).catch(() => undefined);
        if (info && Date.now() - info.mtimeMs > STALE_MS) await rm(path, { recursive: true, force: true }).catch(() => {});
      }),
  );
}

/** The project's .npmrc, as npm finds it from `cwd` (its local prefix): --prefix would hide it. */
function projectNpmrc(cwd: string): string | undefined {
  let prefix = cwd;
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'node_modules'))) {
      prefix = dir;
      break;
    }
    if (dirname(dir) === dir) break;
  }
  const npmrc = join(prefix, '.npmrc');
  return existsSync(npmrc) ? npmrc : undefined;
}

const NETWORK =
  /^(?:ENOTCACHED|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ESOCKETTIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPROTO)$|CERT|PROXY/i;
const NOT_FOUND = /^(?:E404|ETARGET|EINVALIDTAGNAME|EINVALIDPACKAGENAME|EINVALIDTYPE|EUNSUPPORTEDPROTOCOL)$/;
const AUTH = /^(?:E401|E403|ENEEDAUTH|EOTP)$/;
const BAD_FILE = /^(?:ENOENT|EISDIR|ENOTDIR|TAR_BAD_ARCHIVE|TAR_ENTRY_INVALID|TAR_ABORT|Z_DATA_ERROR|Z_BUF_ERROR|EINTEGRITY)$/;

/** npm's own words, without its log pointer, stack traces and the fields it dumps. */
function npmErrorLines(output: string): { code: string | undefined; lines: string[] } {
  let code: string | undefined;
  const lines: string[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const match = /^npm (?:error|ERR!)(?: (.*))?$/.exec(raw);
    if (!match) continue;
    let line = (match[1] ?? '').trimEnd();
    const field = /^(code|syscall|path|errno|type|signal) (.*)$/.exec(line);
    if (field) {
      if (field[1] === 'code') code = field[2];
      continue;
    }
    if (
      line.trim() === '' ||
      /^A complete log of this run/.test(line) ||
      /^\s+at /.test(line) ||
      /^\s*[{}]/.test(line) ||
      /^\s+[\w-]+: /.test(line) ||
      /^(?:Log files were not written|You can rerun the command with)/.test(line)
    ) {
      continue;
    }
    // "enoent ENOENT: no such file": npm titles a detail with the code in lower case.
    if (code && (line.toLowerCase() === code.toLowerCase() || line.toLowerCase().startsWith(`${code.toLowerCase()} `))) {
      line = line.slice(code.length + 1);
    }
    if (line.trim() !== '' && !lines.includes(line)) lines.push(line.trim());
  }
  return { code, lines };
}

function npmFailed(spec: string, output: string, cwd: string): UserError {
  const { code, lines } = npmErrorLines(output);
  const said = lines.length > 0 ? lines.slice(0, 3) : output.trim().split(/\r?\n/).filter(Boolean).slice(-3);
  const message = `npm could not install ${spec}: ${said[0] ?? 'it exited without saying why'}${said
    .slice(1)
    .map((line) => `\n  ${line}`)
    .join('')}`;
  const specHint = `Check the spec: a package as name@version, or the path to a .tgz made by \`npm pack\` (relative to ${cwd}).`;
  const networkHint = 'Check the network and the registry (`npm config get registry`); offline, npm installs only what its cache holds.';
  let hint = `${specHint} ${networkHint}`;
  if (code && NETWORK.test(code)) hint = networkHint;
  else if (code && (NOT_FOUND.test(code) || BAD_FILE.test(code))) hint = specHint;
  else if (code && AUTH.test(code)) hint = 'Log in to the registry that holds the package (`npm login`), or set its token in .npmrc.';
  return new UserError(message, { hint: `${hint} Running \`npm install ${spec}\` yourself shows npm's full output.` });
}

/** Runs npm install into `prefix`; Ctrl-C reaches npm and becomes an InterruptedError. */
async function npmInstall(target: Target, prefix: string, cwd: string): Promise<void> {
  const args = [
    'install',
    target.spec,
    '--prefix',
    prefix,
    '--no-save',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
    '--no-package-lock',
    // A folder spec is otherwise a symlink, and a relative one: it would dangle once renamed.
    '--install-links',
    // npm_config_global or _location in the environment would send it to <prefix>/lib/node_modules.
    '--no-global',
    '--location=project',
  ];
  const subprocess = execa('npm', args, { cwd: prefix, reject: false, stdin: 'ignore', all: true });
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    subprocess.kill('SIGINT');
  };
  process.on('SIGINT', onSigint);
  const result = await subprocess.finally(() => process.off('SIGINT', onSigint));
  if (interrupted || result.signal === 'SIGINT') throw new InterruptedError();
  if (!result.failed) return;
  if (result.code === 'ENOENT' && result.exitCode === undefined) {
    throw new UserError('npm is not installed, or not on PATH: npm: packs are installed with it', {
      hint: 'Install Node.js with npm (https://nodejs.org), or use a bundled pack or a pack folder.',
    });
  }
  throw npmFailed(target.spec, String(result.all ?? ''), cwd);
}

interface PackageJson {
  dir: string;
  /** The folder under node_modules (an alias's name, not the package's). */
  folder: string;
  data: Record<string, unknown>;
}

async function topLevelPackages(prefix: string): Promise<PackageJson[]> {
  const modules = join(prefix, 'node_modules');
  const folders: string[] = [];
  for (const entry of await readdir(modules).catch(() => [])) {
    if (entry.startsWith('.')) continue;
    if (!entry.startsWith('@')) folders.push(entry);
    else for (const inner of await readdir(join(modules, entry)).catch(() => [])) folders.push(`${entry}/${inner}`);
  }
  const found: PackageJson[] = [];
  for (const folder of folders) {
    const dir = join(modules, ...folder.split('/'));
    const data = await readJson(join(dir, 'package.json'));
    if (data) found.push({ dir, folder, data });
  }
  return found;
}

/**
 * The package the spec named. A registry spec says its folder; otherwise (a tarball, a URL) it is
 * the one package no other installed package depends on, its dependencies being hoisted beside it.
 */
async function installedPackage(target: Target, prefix: string): Promise<PackageJson> {
  const packages = await topLevelPackages(prefix);
  if (target.kind === 'registry') {
    const named = packages.find((p) => p.folder === target.folder);
    if (named) return named;
  }
  const depended = new Set<string>();
  for (const { data } of packages) {
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      const deps = data[field];
      if (deps && typeof deps === 'object') for (const name of Object.keys(deps)) depended.add(name);
    }
  }
  let roots = packages.filter((p) => !depended.has(p.folder));
  if (roots.length > 1) {
    const packs = roots.filter((p) => p.data[PACK_FIELD] !== undefined || existsSync(join(p.dir, TEMPLATE)));
    if (packs.length > 0) roots = packs;
  }
  const [only, ...others] = roots;
  if (only && others.length === 0) return only;
  throw new UserError(
    packages.length === 0
      ? `npm install ${target.spec} installed nothing`
      : `npm install ${target.spec} installed ${packages.map((p) => p.folder).join(', ')}, and shipshape cannot tell which is the pack`,
    { hint: 'Name the pack package itself: name@version, or the path to its .tgz.' },
  );
}

function textField(pkg: PackageJson, field: 'name' | 'version'): string {
  const value = pkg.data[field];
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw new UserError(`the package installed as ${pkg.folder} has no "${field}" in its package.json`, {
    hint: 'A pack is an npm package with a name and a version; rebuild it with `npm pack`.',
  });
}

/** The folder holding template.yaml: the package root, or the folder its "shipshape-pack" names. */
function packRoot(pkg: PackageJson, id: string): string {
  const field = pkg.data[PACK_FIELD];
  const hint = `Put ${TEMPLATE} at the package root, or set "${PACK_FIELD}" in its package.json to the folder holding it.`;
  if (field === undefined) {
    if (existsSync(join(pkg.dir, TEMPLATE))) return pkg.dir;
    throw new UserError(`${id} is not a shipshape pack: it has no ${TEMPLATE} at its root and no "${PACK_FIELD}" field`, { hint });
  }
  if (typeof field !== 'string' || field.trim() === '') {
    throw new UserError(`${id} has a "${PACK_FIELD}" field that is not a folder name`, { hint });
  }
  const root = resolve(pkg.dir, field);
  const inside = relative(pkg.dir, root);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new UserError(`${id} has "${PACK_FIELD}": "${field}", which points outside the package`, { hint });
  }
  if (!existsSync(join(root, TEMPLATE))) {
    throw new UserError(`${id} is not a shipshape pack: its "${PACK_FIELD}" folder ${field} holds no ${TEMPLATE}`, { hint });
  }
  return root;
}

/** `@acme/pack` 1.2.0 -> `@acme+pack@1.2.0` (npm names cannot hold a +, so this is unambiguous). */
const folderName = (name: string, version: string) => `${name.replace('/', '+')}@${version}`;

/**
 * Moves a finished install into place. A registry version never changes, so a complete folder
 * already there (a concurrent install, another spec resolving to it) is kept; anything else is
 * replaced by swapping, so readers never see a half folder.
 */
async function commit(temp: string, folder: string, cacheDir: string, replace: boolean): Promise<string> {
  try {
    await rename(temp, folder);
    return folder;
  } catch (error) {
    if (!['ENOTEMPTY', 'EEXIST', 'EPERM', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
  if (!replace && (await readMarker(folder))) return folder;
  const old = join(cacheDir, `${TEMP_PREFIX}old-${randomUUID()}`);
  await rename(folder, old).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await rename(temp, folder);
  await rm(old, { recursive: true, force: true }).catch(() => {});
  return folder;
}

/**
 * Installs `spec` (anything npm install takes: name@version, a tarball path) into the cache;
 * returns the folder holding its template.yaml.
 */
export async function installNpmPack(spec: string, options: { cwd: string; cacheDir?: string }): Promise<InstalledPack> {
  const trimmed = spec.trim();
  if (trimmed === '') {
    throw new UserError('an npm: pack needs a spec after "npm:"', { hint: 'Write npm:name@version, or npm:./path/to/pack.tgz.' });
  }
  const cwd = resolve(options.cwd);
  const cacheDir = resolve(cwd, options.cacheDir ?? defaultCacheDir());
  const target = classify(trimmed, cwd);
  const key = await cacheKey(target);
  const hit = (key ? await lookup(cacheDir, key) : undefined) ?? (await exactVersionHit(cacheDir, target));
  if (hit) return hit;

  try {
    await mkdir(cacheDir, { recursive: true });
  } catch (error) {
    throw new UserError(`cannot create the pack cache ${cacheDir}: ${(error as Error).message}`, {
      hint: 'Point SHIPSHAPE_CACHE_DIR at a folder you can write to.',
      cause: error,
    });
  }
  await sweepStale(cacheDir);
  const temp = await mkdtemp(join(cacheDir, TEMP_PREFIX));
  try {
    const npmrc = projectNpmrc(cwd);
    if (npmrc) await copyFile(npmrc, join(temp, '.npmrc'));
    await npmInstall(target, temp, cwd);
    // The project's .npmrc may hold tokens: it does not stay in the cache.
    await rm(join(temp, '.npmrc'), { force: true });

    const pkg = await installedPackage(target, temp);
    const name = textField(pkg, 'name');
    const version = textField(pkg, 'version');
    const root = packRoot(pkg, `${name}@${version}`);
    const marker: Marker = {
      name,
      version,
      root: relative(temp, root).split(sep).join('/'),
      installId: randomUUID(),
      spec: trimmed,
      installedAt: new Date().toISOString(),
    };
    // Written last: a folder with a marker is complete.
    await writeFile(join(temp, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    const folder = await commit(temp, join(cacheDir, folderName(name, version)), cacheDir, target.kind !== 'registry');
    const kept = (await readMarker(folder)) ?? marker;
    if (key) {
      await mkdir(join(cacheDir, 'specs'), { recursive: true });
      const entry: IndexEntry = { key, folder: relative(cacheDir, folder), installId: kept.installId };
      await writeFileAtomic(indexFile(cacheDir, key), `${JSON.stringify(entry, null, 2)}\n`);
    }
    const result = installed(folder, kept);
    if (!result) {
      throw new UserError(`${name}@${version} vanished from the pack cache ${folder} while installing`, {
        hint: 'Another process is cleaning the cache: run again.',
      });
    }
    return result;
  } finally {
    await rm(temp, { recursive: true, force: true }).catch(() => {});
  }
}
