import type * as Crypto from 'node:crypto';
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

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

/** The hex sha256 of a file, streamed so a large generated file is never held in memory whole. */
export function fileSha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = sha256();
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

const CHUNK = 64 * 1024;

/**
 * The hex sha256 of a regular file, read synchronously in chunks: `check` hashes a project's
 * managed files inside a rule, one small file after another. Undefined when there is no such
 * file, or it is not a regular file (a folder, or a named pipe that would never end).
 */
export function fileSha256Sync(path: string): string | undefined {
  let fd: number;
  try {
    // Non-blocking, so that opening a named pipe returns at once instead of waiting for a writer.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const hash = sha256();
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let read = readSync(fd, buffer, 0, CHUNK, null); read > 0; read = readSync(fd, buffer, 0, CHUNK, null)) {
      hash.update(buffer.subarray(0, read));
    }
    return hash.digest('hex');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
