import type { Hash } from 'node:crypto';
import { nodeCrypto } from '../fs/crypto.js';
import { forEachChunkSync, MIB } from '../fs/read.js';

// node:crypto loads on the first hash: `status` on a project with no records to compare hashes with never loads it.
const sha256 = (): Hash => nodeCrypto().createHash('sha256');

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
