import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { forEachChunkSync, MIB } from '../fs/read.js';

// node:crypto takes ~10 ms to load: more than the rest of `status` on a project that has no
// records to compare hashes with. Load it on the first hash.
let cryptoModule: typeof Crypto | undefined;
const sha256 = (): Crypto.Hash => (cryptoModule ??= createRequire(import.meta.url)('node:crypto') as typeof Crypto).createHash('sha256');

/**
 * The hash that ties generated code, validation reports and deployments to one version of the
 * spec: the hex sha256 of the spec file's bytes.
 */
export function specHash(text: string | Uint8Array): string {
  return sha256().update(text).digest('hex');
}

/** Generated files hashed larger than this are not generated files. */
const MAX_HASHED_BYTES = 256 * MIB;

function hashFile(path: string): string {
  const hash = sha256();
  forEachChunkSync(path, (chunk) => hash.update(chunk), { maxBytes: MAX_HASHED_BYTES });
  return hash.digest('hex');
}

/**
 * The hex sha256 of a regular file, read in chunks through the bounded reader so a large file is
 * never held whole and a pipe or device is refused (a ReadError) instead of read forever.
 */
export async function fileSha256(path: string): Promise<string> {
  return hashFile(path);
}

/**
 * The same, for `check`, which hashes a project's managed files inside a rule: undefined when
 * there is no such file, or it is not a regular file (a folder, or a named pipe that would never end).
 */
export function fileSha256Sync(path: string): string | undefined {
  try {
    return hashFile(path);
  } catch {
    return undefined;
  }
}
