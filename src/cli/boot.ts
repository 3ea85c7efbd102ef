/**
 * Loading a bundle of the build (dist/<name>.cjs) with V8's code cache, so a start-up does not
 * parse and compile the ~2 MB of JavaScript a command needs: Node 20 has no compile cache of its
 * own (`module.enableCompileCache` came with 22.1), so this is the `v8-compile-cache` technique
 * with `vm.Script`'s cachedData.
 *
 * The cache lives in the user's cache folder (`$SHIPSHAPE_CACHE_DIR/code`, else `$XDG_CACHE_HOME/shipshape/code`, else
 * `~/.cache/shipshape/code`), never in the project. It is one file per bundle build, Node
 * version, architecture and command, and it is trusted only when all of that matches and its
 * checksum does: a stale or corrupt file is ignored (and replaced), never handed to V8. Any
 * failure to read or write the cache only costs the compile it would have saved.
 * `SHIPSHAPE_CODE_CACHE=0` turns it off.
 *
 * Built as its own small module (dist/boot.js), imported by bin/run.js and the check worker.
 */
/* eslint-disable no-restricted-imports -- the code cache is shipshape's own file in the user's cache folder (written to a temp and renamed, checked by checksum before V8 sees it), and the bundle is read whole before anything else loads */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
/* eslint-enable no-restricted-imports */
import { createRequire, Module } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';

/** The first line of every bundle the build writes: `//shipshape-bundle <sha256 of the rest>`. */
const STAMP = '//shipshape-bundle ';
/** The cache file: this magic, the payload's checksum and length, then V8's cached data. */
const MAGIC = 0x53484331; // "SHC1"
const HEADER = 12;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const disabled = () => ['0', 'false', 'off'].includes(process.env['SHIPSHAPE_CODE_CACHE'] ?? '');

/**
 * The folder for the cache: under shipshape's cache folder when `$SHIPSHAPE_CACHE_DIR` names one
 * (as oclif's own cache, the completion scripts, follows it), else the XDG cache home (ignored when
 * relative, as the spec says), else ~/.cache; without a home, a folder of this user's own under the
 * temp folder.
 */
function cacheDir(): string | undefined {
  const own = process.env['SHIPSHAPE_CACHE_DIR'];
  if (own && isAbsolute(own)) return join(own, 'code');
  const xdg = process.env['XDG_CACHE_HOME'];
  if (xdg && isAbsolute(xdg)) return join(xdg, 'shipshape', 'code');
  let home: string | undefined;
  try {
    home = homedir();
  } catch {
    home = undefined;
  }
  if (home && isAbsolute(home) && home !== '/') return join(home, '.cache', 'shipshape', 'code');
  // A shared temp folder: only a folder this user owns and nobody else can write is trusted.
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const dir = join(tmpdir(), `shipshape-code-${uid}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const info = statSync(dir);
    return info.uid === uid && (info.mode & 0o022) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A 32-bit checksum of the cache: FNV-1a over every word of its first and last 16 KiB (V8's
 * header and tables) and every 16th word between, then the tail bytes. A full pass in JavaScript,
 * or loading node:zlib for its crc32, would cost a good part of what the cache saves; a file cut
 * short, zeroed or overwritten fails this, and the cache is only ever replaced whole (rename).
 */
function checksum(bytes: Buffer): number {
  const words = Math.floor(bytes.length / 4);
  let hash = 0x811c9dc5;
  const edge = 4096;
  // The words through a typed array where the buffer allows it (little-endian, aligned): the same
  // values as readInt32LE, whose bounds checks cost more than the hash itself on a cold start.
  const view = LITTLE_ENDIAN && bytes.byteOffset % 4 === 0 ? new Int32Array(bytes.buffer, bytes.byteOffset, words) : undefined;
  if (view) {
    for (let i = 0; i < words; i += i < edge || i >= words - edge ? 1 : 16) hash = Math.imul(hash ^ view[i]!, 0x01000193);
  } else {
    for (let i = 0; i < words; i += i < edge || i >= words - edge ? 1 : 16) hash = Math.imul(hash ^ bytes.readInt32LE(i * 4), 0x01000193);
  }
  for (let i = words * 4; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

/** The cached data in `file`, or undefined when it is missing, cut short or fails its checksum. */
function readCache(file: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length < HEADER || bytes.readUInt32LE(0) !== MAGIC) return undefined;
  const length = bytes.readUInt32LE(8);
  if (bytes.length !== HEADER + length) return undefined;
  const payload = bytes.subarray(HEADER);
  return checksum(payload) === bytes.readUInt32LE(4) ? payload : undefined;
}

/** Writes the cache atomically, and removes the caches of earlier builds of the same bundle (`stale` is their prefix). */
function writeCache(file: string, data: Buffer, stale: { prefix: string; current: string }): void {
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(checksum(data), 4);
  header.writeUInt32LE(data.length, 8);
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(temp, Buffer.concat([header, data]), { mode: 0o600 });
    renameSync(temp, file);
    for (const name of readdirSync(dirname(file))) {
      if (name.startsWith(stale.prefix) && !name.startsWith(stale.current)) unlinkSync(join(dirname(file), name));
    }
  } catch {
    // A cache that cannot be written costs the next run a compile, nothing more.
  }
}

/** Reads a file as text; bundles are ASCII (esbuild escapes the rest), so latin1 is exact and fastest. */
function readBundle(path: string): { source: string; mtimeMs: number } {
  const fd = openSync(path, 'r');
  try {
    const { size, mtimeMs } = fstatSync(fd);
    const buffer = Buffer.allocUnsafe(size);
    let offset = 0;
    while (offset < size) {
      const read = readSync(fd, buffer, offset, size - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    return { source: buffer.toString('latin1', 0, offset), mtimeMs };
  } finally {
    closeSync(fd);
  }
}

export interface Loaded<T> {
  exports: T;
  /**
   * Writes the cache if it was missing or refused, holding every function compiled so far, not
   * just the top level: call it once the work is done (on exit by default; worker threads are
   * terminated, not exited, so they call it themselves).
   */
  saveCache(): void;
}

/**
 * A bundle's exports, loaded through the code cache when there is one. `key` names the cache
 * within the bundle: what the process runs (a command, the check worker), so that each cache
 * holds the functions its kind of run compiles.
 */
export function loadBundle<T>(path: string, key: string, options: { saveOnExit?: boolean; alsoAs?: string } = {}): Loaded<T> {
  const { source, mtimeMs } = readBundle(path);
  const filename = path;
  const cacheable = source.startsWith(STAMP) && !disabled();
  const dir = cacheable ? cacheDir() : undefined;
  let cacheFile: string | undefined;
  let cachedData: Buffer | undefined;
  let stalePrefix = { prefix: '', current: '' };
  if (dir) {
    const hash = source.slice(STAMP.length, source.indexOf('\n')).trim().slice(0, 32);
    const name = key.replace(/[^a-z0-9-]/gi, '_').slice(0, 40) || 'default';
    // The bundle, the Node that compiled it, the build's hash, and the file's mtime (a bundle edited
    // by hand without a new stamp), then what the run does.
    const prefix = `${basename(path).replace(/\.[^.]*$/, '')}-${process.version}-${process.arch}-`;
    const current = `${prefix}${hash}-${Math.trunc(mtimeMs)}-`;
    stalePrefix = { prefix, current };
    cacheFile = join(dir, `${current}${name}.bin`);
    cachedData = readCache(cacheFile);
  }
  // The bundle's import() of files outside it goes through this module's own (see scripts/build.js):
  // a script deserialised from a code cache has lost the loader vm.Script would give it.
  (globalThis as Record<symbol, unknown>)[Symbol.for('shipshape.import')] ??= (specifier: string) => import(specifier);
  // The CommonJS wrapper, as Node's own loader writes it.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename,
    ...(cachedData ? { cachedData } : {}),
  });
  let stale = cacheFile !== undefined && (!cachedData || script.cachedDataRejected === true);
  const saveCache = () => {
    if (!stale || !cacheFile) return;
    stale = false;
    writeCache(cacheFile, script.createCachedData(), stalePrefix);
  };
  if (stale && options.saveOnExit !== false) process.once('exit', saveCache);
  // A module of Node's own loader, in its cache: a later require() of the bundle (oclif's, to find
  // the commands and hooks package.json names in it) gets these exports instead of a second copy,
  // also under `alsoAs` (the file package.json names, when this is a lighter bundle of the same CLI).
  const require = createRequire(filename);
  const module = new Module(filename);
  module.filename = filename;
  require.cache[filename] = module;
  if (options.alsoAs) require.cache[options.alsoAs] = module;
  const wrapper = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: Module, f: string, d: string) => void;
  wrapper.call(module.exports, module.exports, require, module, filename, dirname(filename));
  module.loaded = true;
  return { exports: module.exports as T, saveCache };
}
