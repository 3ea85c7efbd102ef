import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The hash that ties generated code, validation reports and deployments to one version of the
 * spec: the hex sha256 of the spec file's bytes.
 */
export function specHash(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The hex sha256 of a file, streamed so a large generated file is never held in memory whole. */
export function fileSha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}
