import type * as Crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
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
